package io.genstream.ingest.folder;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.IngestLedger;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.TestFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file small enough is read once into memory and decoded from there; a larger one is decoded
 * from the file and read again for its hash. Both must give the same item: the same image
 * bytes and attributes, or the same rejection.
 */
class ImageFilesTest {

  @TempDir
  Path dir;

  @Test
  void readInMemoryOrStreamedGivesTheSameItem() throws Exception {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(TestFiles.noise(64, 64, BufferedImage.TYPE_INT_RGB, 9), "png", png);
    byte[] whole = png.toByteArray();
    byte[] jpeg = TestFiles.encode(TestFiles.noise(64, 64, BufferedImage.TYPE_INT_RGB, 10), "jpeg");
    byte[] gif = TestFiles.encode(TestFiles.noise(64, 64, BufferedImage.TYPE_BYTE_GRAY, 11), "gif");
    List<Path> files = List.of(
        TestFiles.write(TestFiles.noise(40, 30, BufferedImage.TYPE_INT_RGB, 1), "png", dir.resolve("rgb.png")),
        TestFiles.write(TestFiles.noise(20, 20, BufferedImage.TYPE_BYTE_GRAY, 2), "jpeg", dir.resolve("gray.jpg")),
        TestFiles.write(TestFiles.noise(50, 64, BufferedImage.TYPE_3BYTE_BGR, 3), "bmp", dir.resolve("c.bmp")),
        TestFiles.write(TestFiles.noise(16, 24, BufferedImage.TYPE_BYTE_GRAY, 4), "gif", dir.resolve("d.gif")),
        TestFiles.write(TestFiles.noise(300, 200, BufferedImage.TYPE_INT_ARGB, 5), "png", dir.resolve("alpha.png")),
        Files.write(dir.resolve("truncated.png"), Arrays.copyOf(whole, whole.length / 2)),
        Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length - 2)),
        Files.write(dir.resolve("no-trailer.gif"), Arrays.copyOf(gif, gif.length - 1)),
        Files.write(dir.resolve("cut.gif"), Arrays.copyOf(gif, gif.length / 2)),
        Files.writeString(dir.resolve("text.png"), "this is not an image\n"),
        Files.write(dir.resolve("huge.png"), TestFiles.pngHeaderOnly(100_000, 100_000)),
        Files.write(dir.resolve("empty.png"), new byte[0]));
    DatasetSpec spec = new DatasetSpec(28, 1, Resize.FIT);
    ImageFiles inMemory = new ImageFiles(spec, "s");
    ImageFiles streamed = new ImageFiles(spec, "s", 0);
    int images = 0;
    for (Path file : files) {
      SourceItem a = inMemory.read(file, 3, Map.of("k", "v"));
      SourceItem b = streamed.read(file, 3, Map.of("k", "v"));
      assertThat(a.getClass()).as(file.toString()).isEqualTo(b.getClass());
      if (a instanceof SourceItem.Image image) {
        images++;
        SourceItem.Image other = (SourceItem.Image) b;
        assertThat(image.image().png()).as(file.toString()).isEqualTo(other.image().png());
        assertThat(image.image().label()).isEqualTo(3);
        assertThat(image.attributes()).isEqualTo(other.attributes())
            .containsEntry("k", "v")
            .containsEntry("contenthash", IngestLedger.hex(IngestLedger.sha256(file)));
      } else {
        assertThat(a).as(file.toString()).isEqualTo(b);
      }
    }
    assertThat(images).isEqualTo(5);
  }

  @Test
  void aReaderReusedAfterOtherImagesAndAFailureGivesTheSameImage() throws Exception {
    byte[] colour = TestFiles.encode(TestFiles.noise(40, 30, BufferedImage.TYPE_INT_RGB, 12), "jpeg");
    byte[] gray = TestFiles.encode(TestFiles.noise(28, 28, BufferedImage.TYPE_BYTE_GRAY, 13), "jpeg");
    byte[] png = TestFiles.encode(TestFiles.noise(20, 20, BufferedImage.TYPE_INT_RGB, 14), "png");
    ImageFiles files = new ImageFiles(new DatasetSpec(28, 1, Resize.FIT), "s");
    byte[] first = png(files.read(colour, "a.jpg", 0, Map.of()));
    byte[] firstGray = png(files.read(gray, "g.jpg", 0, Map.of()));
    png(files.read(png, "p.png", 0, Map.of()));
    assertThat(files.read(Arrays.copyOf(colour, colour.length / 2), "cut.jpg", 0, Map.of()))
        .isInstanceOf(SourceItem.Rejection.class);
    assertThat(png(files.read(colour, "a.jpg", 0, Map.of()))).isEqualTo(first);
    assertThat(png(files.read(gray, "g.jpg", 0, Map.of()))).isEqualTo(firstGray);
  }

  private static byte[] png(SourceItem item) {
    assertThat(item).isInstanceOf(SourceItem.Image.class);
    return ((SourceItem.Image) item).image().png();
  }
}
