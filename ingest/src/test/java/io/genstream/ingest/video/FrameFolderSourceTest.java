package io.genstream.ingest.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameFolderSourceTest {

  @TempDir Path dir;

  private FrameFolderSource source(Path folder, long maxFrames) {
    return new FrameFolderSource(folder, new FrameSpec(8, 1), maxFrames, 1 << 20, Clock.systemUTC());
  }

  @Test
  void framesAreInNaturalNameOrder() throws IOException {
    for (int n : new int[] {10, 2, 1, 100, 9}) {
      Files.write(dir.resolve("frame" + n + ".png"), Frames.gray(8, n));
    }
    Files.write(dir.resolve(".DS_Store"), new byte[] {1, 2, 3});

    FrameFolderSource source = source(dir, 0);
    List<FrameItem> items = source.frames().collectList().block();

    assertThat(source.streams()).containsExactly(dir.getFileName().toString());
    assertThat(items).extracting(FrameItem::index).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(items).map(item -> Frames.mark(((FrameItem.Frame) item).frame().png()))
        .containsExactly(1, 2, 9, 10, 100);
  }

  @Test
  void subFoldersAreStreamsThatAdvanceTogether() throws IOException {
    Path cam1 = Files.createDirectories(dir.resolve("cam1"));
    Path cam2 = Files.createDirectories(dir.resolve("cam2"));
    for (int n = 0; n < 3; n++) {
      Files.write(cam1.resolve("f" + n + ".png"), Frames.gray(8, 10 + n));
    }
    for (int n = 0; n < 2; n++) {
      Files.write(cam2.resolve("f" + n + ".png"), Frames.gray(8, 20 + n));
    }
    Files.write(dir.resolve("notes.txt"), new byte[] {1});

    FrameFolderSource source = source(dir, 0);
    List<FrameItem> items = source.frames().collectList().block();

    assertThat(source.streams()).containsExactly("cam1", "cam2");
    assertThat(source.ignoredFiles()).isEqualTo(1);
    assertThat(items).extracting(FrameItem::streamId)
        .containsExactly("cam1", "cam2", "cam1", "cam2", "cam1");
    assertThat(items).extracting(FrameItem::index).containsExactly(0L, 0L, 1L, 1L, 2L);
    assertThat(items).map(item -> Frames.mark(((FrameItem.Frame) item).frame().png()))
        .containsExactly(10, 20, 11, 21, 12);
  }

  @Test
  void badFilesAreRejectedWithTheirReasonAndKeepTheirIndex() throws IOException {
    Files.write(dir.resolve("1.png"), Frames.gray(8, 1));
    Files.write(dir.resolve("2.png"), Frames.gray(16, 2));
    Files.write(dir.resolve("3.png"), Frames.rgb(8));
    Files.write(dir.resolve("4.png"), new byte[] {'n', 'o', 'p', 'e'});
    Files.write(dir.resolve("5.png"), Frames.gray(8, 5));

    List<FrameItem> items = source(dir, 0).frames().collectList().block();

    assertThat(items).extracting(FrameItem::index).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(((FrameItem.Rejection) items.get(1)).reason()).contains("16x16, expected 8x8");
    assertThat(((FrameItem.Rejection) items.get(2)).reason()).contains("colour");
    assertThat(((FrameItem.Rejection) items.get(3)).reason()).contains("not a PNG, JPEG or BMP");
    assertThat(((FrameItem.Rejection) items.get(3)).bytes()).containsExactly('n', 'o', 'p', 'e');
    assertThat(items.get(4)).isInstanceOf(FrameItem.Frame.class);
  }

  @Test
  void jpegFramesOfTheRightSizeAreAcceptedAsPng() throws IOException {
    Files.write(dir.resolve("1.jpg"), jpeg(8));
    Files.write(dir.resolve("2.jpg"), jpeg(16));

    List<FrameItem> items = source(dir, 0).frames().collectList().block();

    assertThat(items.get(0)).isInstanceOf(FrameItem.Frame.class);
    byte[] png = ((FrameItem.Frame) items.get(0)).frame().png();
    assertThat(io.genstream.core.image.Png.size(png).width()).isEqualTo(8);
    assertThat(((FrameItem.Rejection) items.get(1)).reason()).contains("16x16, expected 8x8");
  }

  private static byte[] jpeg(int size) throws IOException {
    java.awt.image.BufferedImage image =
        new java.awt.image.BufferedImage(size, size, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setSample(1, 1, 0, 255);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    assertThat(javax.imageio.ImageIO.write(image, "jpeg", out)).isTrue();
    return out.toByteArray();
  }

  @Test
  void aFileOverTheSizeLimitIsRefusedFromItsSizeAndKeepsOnlyItsHead() throws IOException {
    byte[] big = new byte[3 << 20]; // 3 MiB of non-PNG bytes, limit 1 MiB
    Files.write(dir.resolve("1.png"), big);
    Files.write(dir.resolve("2.png"), Frames.gray(8, 2));

    List<FrameItem> items = source(dir, 0).frames().collectList().block();

    FrameItem.Rejection rejection = (FrameItem.Rejection) items.get(0);
    assertThat(rejection.reason()).contains("3145728 bytes, over the limit of 1048576 bytes");
    assertThat(rejection.bytes()).hasSize(io.genstream.ingest.FileDeadLetter.MAX_VALUE_BYTES);
    assertThat(Frames.mark(((FrameItem.Frame) items.get(1)).frame().png())).isEqualTo(2);
  }

  @Test
  void maxFramesLimitsEachStream() throws IOException {
    for (int n = 0; n < 5; n++) {
      Files.write(dir.resolve(n + ".png"), Frames.gray(8, n));
    }
    assertThat(source(dir, 3).frames().collectList().block()).hasSize(3);
  }

  @Test
  void naturalOrderComparesDigitRunsAsNumbers() {
    List<String> names = new java.util.ArrayList<>(
        List.of("frame10.png", "frame2.png", "frame1.png", "frame002.png", "a.png", "frame1b.png"));
    names.sort(NaturalOrder.INSTANCE);
    assertThat(names).containsExactly(
        "a.png", "frame1.png", "frame1b.png", "frame002.png", "frame2.png", "frame10.png");
  }
}
