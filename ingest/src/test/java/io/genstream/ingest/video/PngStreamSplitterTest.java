package io.genstream.ingest.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PngStreamSplitterTest {

  private static List<PngStreamSplitter.Piece> split(InputStream in, int maxBytes) throws IOException {
    PngStreamSplitter splitter = new PngStreamSplitter(in, maxBytes, 1024);
    List<PngStreamSplitter.Piece> pieces = new ArrayList<>();
    for (PngStreamSplitter.Piece piece; (piece = splitter.next()) != null; ) {
      pieces.add(piece);
    }
    return pieces;
  }

  @Test
  void splitsConcatenatedPngsIntoTheOriginalFiles() throws IOException {
    byte[] a = Frames.gray(8, 1);
    byte[] b = Frames.gray(8, 2);
    byte[] c = Frames.rgb(8);
    List<PngStreamSplitter.Piece> pieces =
        split(new ByteArrayInputStream(Frames.concat(a, b, c)), 1 << 20);

    assertThat(pieces).hasSize(3).allMatch(p -> p instanceof PngStreamSplitter.Piece.Png);
    assertThat(((PngStreamSplitter.Piece.Png) pieces.get(0)).bytes()).isEqualTo(a);
    assertThat(((PngStreamSplitter.Piece.Png) pieces.get(1)).bytes()).isEqualTo(b);
    assertThat(((PngStreamSplitter.Piece.Png) pieces.get(2)).bytes()).isEqualTo(c);
  }

  @Test
  void aCorruptStretchIsOneGarbagePieceAndReadingResyncsAtTheNextSignature() throws IOException {
    byte[] truncated = Arrays.copyOf(Frames.gray(8, 3), 40); // cut inside its IDAT
    byte[] noise = "not a png at all".getBytes(StandardCharsets.US_ASCII);
    byte[] input = Frames.concat(Frames.gray(8, 1), Frames.gray(8, 2), truncated, noise,
        Frames.gray(8, 4), Frames.gray(8, 5));

    List<PngStreamSplitter.Piece> pieces = split(new ByteArrayInputStream(input), 1 << 20);

    assertThat(pieces).hasSize(5);
    assertThat(pieces.get(2)).isInstanceOf(PngStreamSplitter.Piece.Garbage.class);
    PngStreamSplitter.Piece.Garbage garbage = (PngStreamSplitter.Piece.Garbage) pieces.get(2);
    assertThat(garbage.length()).isEqualTo(truncated.length + noise.length);
    assertThat(garbage.head()).isEqualTo(Frames.concat(truncated, noise));
    assertThat(garbage.reason()).containsAnyOf("CRC", "truncated", "corrupt");
    assertThat(List.of(pieces.get(0), pieces.get(1), pieces.get(3), pieces.get(4)))
        .map(p -> Frames.mark(((PngStreamSplitter.Piece.Png) p).bytes()))
        .containsExactly(1, 2, 4, 5);
  }

  @Test
  void aPngCutOffRightBeforeTheNextOneDoesNotSwallowIt() throws IOException {
    byte[] whole = Frames.gray(8, 3);
    byte[] cut = Arrays.copyOf(whole, whole.length - 12); // IEND missing
    List<PngStreamSplitter.Piece> pieces =
        split(new ByteArrayInputStream(Frames.concat(cut, Frames.gray(8, 4))), 1 << 20);

    assertThat(pieces).hasSize(2);
    assertThat(pieces.get(0)).isInstanceOf(PngStreamSplitter.Piece.Garbage.class);
    assertThat(Frames.mark(((PngStreamSplitter.Piece.Png) pieces.get(1)).bytes())).isEqualTo(4);
  }

  @Test
  void refusesAPngOverTheLimitWithoutBufferingItAndGoesOnAfterIt() throws IOException {
    // A PNG whose IDAT claims 64 MiB, followed by the claimed bytes (generated lazily, never held
    // by the test either), then a good frame. The limit is 4 KiB: the splitter may hold no more.
    byte[] header = Arrays.copyOf(Frames.gray(8, 1), 33); // signature + IHDR chunk
    long claimed = 64L << 20;
    byte[] idat = {0x04, 0, 0, 0, 'I', 'D', 'A', 'T'};
    InputStream zeros = new InputStream() {
      long left = claimed + 4;

      @Override
      public int read() {
        return left-- > 0 ? 0 : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        Arrays.fill(b, off, off + n, (byte) 0);
        left -= n;
        return n;
      }
    };
    InputStream in = new SequenceInputStream(java.util.Collections.enumeration(List.of(
        new ByteArrayInputStream(Frames.concat(header, idat)), zeros,
        new ByteArrayInputStream(Frames.gray(8, 7)))));

    PngStreamSplitter splitter = new PngStreamSplitter(in, 4096, 1024);
    PngStreamSplitter.Piece refused = splitter.next();
    PngStreamSplitter.Piece next = splitter.next();

    assertThat(refused).isInstanceOf(PngStreamSplitter.Piece.Garbage.class);
    PngStreamSplitter.Piece.Garbage garbage = (PngStreamSplitter.Piece.Garbage) refused;
    assertThat(garbage.reason()).contains("larger than the limit of 4096 bytes");
    assertThat(garbage.length()).isEqualTo(33 + 8 + claimed + 4);
    assertThat(garbage.head()).hasSize(1024); // only the first keepBytes are held
    assertThat(Frames.mark(((PngStreamSplitter.Piece.Png) next).bytes())).isEqualTo(7);
    assertThat(splitter.next()).isNull();
  }

  @Test
  void theSourceNumbersPiecesByPositionAndRejectsCorruptStretchesAndWrongSizes() {
    byte[] input = Frames.concat(Frames.gray(8, 1), "garbage!".getBytes(StandardCharsets.US_ASCII),
        Frames.gray(16, 2), Frames.gray(8, 3));
    PngStreamSource source = new PngStreamSource("cam1", new ByteArrayInputStream(input),
        new FrameSpec(8, 1), 1 << 20, 0, Clock.systemUTC());

    List<FrameItem> items = source.frames().collectList().block();

    assertThat(items).extracting(FrameItem::index).containsExactly(0L, 1L, 2L, 3L);
    assertThat(items).extracting(FrameItem::streamId).containsOnly("cam1");
    assertThat(items.get(0)).isInstanceOf(FrameItem.Frame.class);
    assertThat(((FrameItem.Rejection) items.get(1)).reason()).contains("not a PNG signature");
    assertThat(((FrameItem.Rejection) items.get(1)).bytes()).isEqualTo("garbage!".getBytes(StandardCharsets.US_ASCII));
    assertThat(((FrameItem.Rejection) items.get(2)).reason()).contains("16x16, expected 8x8");
    assertThat(Frames.mark(((FrameItem.Frame) items.get(3)).frame().png())).isEqualTo(3);
  }
}
