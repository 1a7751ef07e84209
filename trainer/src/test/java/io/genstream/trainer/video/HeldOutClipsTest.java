package io.genstream.trainer.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.image.ImageTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeldOutClipsTest {

  private static Clip clip(String stream, long target) {
    ImageTensor f = new ImageTensor(1, 2, 2, new byte[4]);
    return new Clip(stream, target, List.of(f, f));
  }

  @Test
  void theSplitIsDeterministicAndHoldsOutAboutOneInEvery() {
    HeldOutClips one = new HeldOutClips(10, 64);
    HeldOutClips other = new HeldOutClips(10, 64);
    int held = 0;
    int total = 0;
    for (String stream : List.of("cam-0", "cam-1", "cam-2", "cam-3")) {
      for (long frame = 0; frame < 2500; frame++) {
        boolean h = one.isHeldOut(stream, frame);
        assertThat(other.isHeldOut(stream, frame)).isEqualTo(h);
        held += h ? 1 : 0;
        total++;
      }
    }
    assertThat((double) held / total).isBetween(0.08, 0.12);
  }

  @Test
  void keepsOnlyTheNewestClipsUpToCapacity() {
    HeldOutClips held = new HeldOutClips(10, 4);
    for (int i = 0; i < 100; i++) {
      held.add(clip("s", i));
      assertThat(held.size()).isLessThanOrEqualTo(4);
    }
    assertThat(held.snapshot()).extracting(Clip::targetFrame).containsExactly(96L, 97L, 98L, 99L);
  }
}
