package io.genstream.trainer.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.image.ImageTensor;
import io.genstream.trainer.video.ClipAssembler.Kind;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipAssemblerTest {

  /** A 1×2×2 frame whose first byte is {@code tag}, to tell frames apart. */
  private static ImageTensor frame(int tag) {
    return new ImageTensor(1, 2, 2, new byte[] {(byte) tag, 0, 0, 0});
  }

  private static List<Integer> tags(Clip clip) {
    List<Integer> tags = new ArrayList<>();
    clip.frames().forEach(f -> tags.add((int) f.chw()[0]));
    return tags;
  }

  @Test
  void yieldsAClipOfKContextFramesAndTheNextOnceTheWindowIsWarm() {
    ClipAssembler assembler = new ClipAssembler(3, 8);
    assertThat(assembler.offer("a", 0, frame(0)).kind()).isEqualTo(Kind.WARMING);
    assertThat(assembler.offer("a", 1, frame(1)).kind()).isEqualTo(Kind.WARMING);
    assertThat(assembler.offer("a", 2, frame(2)).kind()).isEqualTo(Kind.WARMING);
    ClipAssembler.Offer third = assembler.offer("a", 3, frame(3));
    assertThat(third.kind()).isEqualTo(Kind.CLIP);
    assertThat(third.clip().streamId()).isEqualTo("a");
    assertThat(third.clip().targetFrame()).isEqualTo(3);
    assertThat(tags(third.clip())).containsExactly(0, 1, 2, 3);
    assertThat(third.clip().lastContext().chw()[0]).isEqualTo((byte) 2);
    assertThat(third.clip().target().chw()[0]).isEqualTo((byte) 3);
    // The window slides: the next clip drops the oldest frame.
    assertThat(tags(assembler.offer("a", 4, frame(4)).clip())).containsExactly(1, 2, 3, 4);
    assertThat(assembler.clips()).isEqualTo(2);
  }

  @Test
  void keepsEachStreamsOrderApartWhenStreamsInterleave() {
    ClipAssembler assembler = new ClipAssembler(2, 8);
    List<Clip> clips = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      for (String stream : List.of("a", "b")) {
        int tag = (stream.equals("a") ? 0 : 100) + i;
        ClipAssembler.Offer offer = assembler.offer(stream, i, frame(tag));
        if (offer.clip() != null) {
          clips.add(offer.clip());
        }
      }
    }
    assertThat(clips).extracting(Clip::streamId).containsExactly("a", "b", "a", "b");
    assertThat(tags(clips.get(0))).containsExactly(0, 1, 2);
    assertThat(tags(clips.get(1))).containsExactly(100, 101, 102);
    assertThat(tags(clips.get(3))).containsExactly(101, 102, 103);
  }

  @Test
  void skipsDuplicateAndOlderFramesWithoutDisturbingTheWindow() {
    ClipAssembler assembler = new ClipAssembler(2, 8);
    assembler.offer("a", 5, frame(5));
    assembler.offer("a", 6, frame(6));
    assertThat(assembler.offer("a", 6, frame(66)).kind()).isEqualTo(Kind.SKIPPED);
    assertThat(assembler.offer("a", 2, frame(2)).kind()).isEqualTo(Kind.SKIPPED);
    assertThat(tags(assembler.offer("a", 7, frame(7)).clip())).containsExactly(5, 6, 7);
    assertThat(assembler.skipped()).isEqualTo(2);
  }

  @Test
  void aGapResetsTheStreamWhichWarmsUpAgain() {
    ClipAssembler assembler = new ClipAssembler(2, 8);
    assembler.offer("a", 0, frame(0));
    assembler.offer("a", 1, frame(1));
    assertThat(assembler.offer("a", 2, frame(2)).kind()).isEqualTo(Kind.CLIP);
    assertThat(assembler.offer("a", 5, frame(5)).kind()).isEqualTo(Kind.RESET);
    assertThat(assembler.offer("a", 6, frame(6)).kind()).isEqualTo(Kind.WARMING);
    ClipAssembler.Offer after = assembler.offer("a", 7, frame(7));
    assertThat(after.kind()).isEqualTo(Kind.CLIP);
    // No clip spans the gap.
    assertThat(tags(after.clip())).containsExactly(5, 6, 7);
    assertThat(assembler.resets()).isEqualTo(1);
  }

  @Test
  void holdsAtMostMaxStreamsWindowsEvictingTheLeastRecentlySeen() {
    ClipAssembler assembler = new ClipAssembler(1, 3);
    for (int s = 0; s < 1000; s++) {
      assembler.offer("s" + s, 0, frame(s));
      assertThat(assembler.streams()).isLessThanOrEqualTo(3);
    }
    assertThat(assembler.streams()).isEqualTo(3);
    assertThat(assembler.evicted()).isEqualTo(997);
    // s997 was touched after s998 and s999, so s998 goes first; s997 keeps its window.
    assembler.offer("s997", 1, frame(1));
    assembler.offer("new", 0, frame(2));
    assertThat(assembler.offer("s997", 2, frame(3)).kind()).isEqualTo(Kind.CLIP);
    // s998 was evicted: it warms up again.
    assertThat(assembler.offer("s998", 1, frame(4)).kind()).isEqualTo(Kind.WARMING);
  }

  @Test
  void refusesAnOutOfRangeContextOrStreamBound() {
    assertThatThrownBy(() -> new ClipAssembler(0, 8))
        .hasMessage("contextFrames must be 1..16, got 0");
    assertThatThrownBy(() -> new ClipAssembler(2, 0))
        .hasMessage("maxStreams must be 1..1000000, got 0");
  }
}
