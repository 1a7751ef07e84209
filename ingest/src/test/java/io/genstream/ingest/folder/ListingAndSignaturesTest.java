package io.genstream.ingest.folder;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.ingest.TestFiles;
import io.genstream.ingest.internal.BytesImageInputStream;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder listing (one walk, hidden names skipped, links as what they point to, sorted) and
 * the reader picked by signature, which must be the one ImageIO's full lookup gives.
 */
class ListingAndSignaturesTest {

  @TempDir
  Path dir;

  @Test
  void listsRegularFilesSortedSkippingHiddenNamesAndLinkedFolders() throws Exception {
    Files.createDirectories(dir.resolve("b/c"));
    Files.createDirectories(dir.resolve(".git/objects"));
    Files.createDirectories(dir.resolve("elsewhere"));
    Files.write(dir.resolve("b/c/z.png"), new byte[] {1});
    Files.write(dir.resolve("b/a.png"), new byte[] {1});
    Files.write(dir.resolve("a.png"), new byte[] {1});
    Files.write(dir.resolve(".DS_Store"), new byte[] {1});
    Files.write(dir.resolve("b/.hidden.png"), new byte[] {1});
    Files.write(dir.resolve(".git/objects/x.png"), new byte[] {1});
    Files.write(dir.resolve("elsewhere/linked.png"), new byte[] {1});
    Files.createSymbolicLink(dir.resolve("b/link.png"), dir.resolve("elsewhere/linked.png"));
    Files.createSymbolicLink(dir.resolve("b/folder-link"), dir.resolve("elsewhere"));
    Files.createSymbolicLink(dir.resolve("b/broken.png"), dir.resolve("nowhere.png"));

    assertThat(ImageFiles.list(dir)).containsExactly(
        dir.resolve("a.png"), dir.resolve("b/a.png"), dir.resolve("b/c/z.png"),
        dir.resolve("b/link.png"), dir.resolve("elsewhere/linked.png"));
  }

  @Test
  void hiddenRootFolderIsStillListed() throws Exception {
    Path root = Files.createDirectories(dir.resolve(".cache/images"));
    Path hiddenRoot = dir.resolve(".cache");
    Files.write(root.resolve("a.png"), new byte[] {1});
    assertThat(ImageFiles.list(hiddenRoot)).containsExactly(root.resolve("a.png"));
  }

  @Test
  void signatureGivesTheReaderOfTheFullLookupAndLeavesThePosition() throws Exception {
    BufferedImage image = TestFiles.noise(12, 10, BufferedImage.TYPE_INT_RGB, 7);
    for (String format : List.of("png", "jpeg", "gif", "bmp")) {
      byte[] bytes = TestFiles.encode(image, format);
      try (ImageInputStream in = new BytesImageInputStream(bytes)) {
        ImageReader picked = Signatures.reader(in);
        assertThat(picked).as(format).isNotNull();
        assertThat(in.getStreamPosition()).as(format).isZero();
        Iterator<ImageReader> all = ImageIO.getImageReaders(in);
        ImageReader expected = all.next();
        assertThat(picked.getOriginatingProvider().getClass()).as(format)
            .isEqualTo(expected.getOriginatingProvider().getClass());
        Signatures.release(picked, false);
        expected.dispose();
      }
    }
  }

  @Test
  void noSignatureOrOneTheReaderRefusesIsLeftToTheFullLookup() throws Exception {
    byte[] png = TestFiles.encode(TestFiles.noise(8, 8, BufferedImage.TYPE_BYTE_GRAY, 1), "png");
    for (byte[] bytes : List.of("not an image".getBytes(StandardCharsets.US_ASCII),
        Arrays.copyOf(png, 5), new byte[0], "GIF85a and more".getBytes(StandardCharsets.US_ASCII))) {
      try (ImageInputStream in = new BytesImageInputStream(bytes)) {
        assertThat(Signatures.reader(in)).as(Arrays.toString(bytes)).isNull();
        assertThat(in.getStreamPosition()).isZero();
      }
    }
  }

  @Test
  void aReaderGivenBackIsReusedOnItsThreadOnlyAndOneThatFailedIsNot() throws Exception {
    byte[] jpeg = TestFiles.encode(TestFiles.noise(12, 10, BufferedImage.TYPE_INT_RGB, 8), "jpeg");
    ImageReader first = pick(jpeg);
    Signatures.release(first, true);
    ImageReader again = pick(jpeg);
    assertThat(again).isSameAs(first);
    Signatures.release(again, false); // failed: disposed, not kept
    ImageReader fresh = pick(jpeg);
    assertThat(fresh).isNotSameAs(first);
    Signatures.release(fresh, true);

    java.util.concurrent.atomic.AtomicReference<ImageReader> elsewhere =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread other = new Thread(() -> {
      try {
        elsewhere.set(pick(jpeg));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    other.start();
    other.join();
    assertThat(elsewhere.get()).isNotNull().isNotSameAs(fresh);
    elsewhere.get().dispose();
  }

  private static ImageReader pick(byte[] bytes) throws java.io.IOException {
    try (ImageInputStream in = new BytesImageInputStream(bytes)) {
      return Signatures.reader(in);
    }
  }
}
