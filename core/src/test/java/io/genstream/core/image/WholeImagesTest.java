package io.genstream.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real JPEG and GIF files written by ImageIO, then cut: each cut is refused with its reason,
 * while whole files, with bytes after their end or a thumbnail's end-of-image marker inside
 * them, decode as before.
 */
class WholeImagesTest {

  private static final AtomicInteger FILES = new AtomicInteger();

  @TempDir Path dir;

  @Test
  void refusesJpegCutAnywhereInItsImageData() throws Exception {
    for (boolean progressive : new boolean[] {false, true}) {
      byte[] jpeg = jpeg(noise(64, 48, 1), progressive);
      int scan = startOfScan(jpeg);
      for (int cut : new int[] {jpeg.length - 2, jpeg.length - 1, (scan + jpeg.length) / 2,
          scan + 20}) {
        byte[] cutShort = Arrays.copyOf(jpeg, cut);
        assertThatThrownBy(() -> read(cutShort))
            .as("progressive %s, cut at %d of %d", progressive, cut, jpeg.length)
            .isInstanceOf(InvalidImageException.class)
            .hasMessageStartingWith("truncated JPEG: no end-of-image marker")
            .hasMessageContaining("after " + cut + " bytes");
        assertThatThrownBy(() -> readRaster(cutShort))
            .as("raster, progressive %s, cut at %d of %d", progressive, cut, jpeg.length)
            .isInstanceOf(InvalidImageException.class)
            .hasMessageStartingWith("truncated JPEG: no end-of-image marker");
      }
      assertThat(read(jpeg).getWidth()).isEqualTo(64);
      assertThat(readRaster(jpeg).getWidth()).isEqualTo(64);
    }
  }

  @Test
  void acceptsJpegWithBytesAfterItsEndAndAThumbnailsEndMarkerInside() throws Exception {
    byte[] plain = jpeg(noise(40, 30, 2), false);
    // An EXIF-like APP1 segment holding a whole JPEG thumbnail, with its own FF D9, right after
    // SOI: a search for FF D9 anywhere would take it for the image's end.
    byte[] thumbnail = jpeg(noise(8, 8, 3), false);
    byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer withThumbnail = ByteBuffer.allocate(plain.length + 4 + exif.length
        + thumbnail.length + 64);
    withThumbnail.put(plain, 0, 2) // SOI
        .put((byte) 0xFF).put((byte) 0xE1).putShort((short) (2 + exif.length + thumbnail.length))
        .put(exif).put(thumbnail)
        .put(plain, 2, plain.length - 2)
        .put(new byte[64]); // padding after EOI, as some writers leave
    byte[] file = withThumbnail.array();

    BufferedImage expected = ImageIO.read(new ByteArrayInputStream(plain));
    BufferedImage decoded = read(file);
    assertThat(decoded.getWidth()).isEqualTo(40);
    assertThat(pixels(decoded)).isEqualTo(pixels(expected));

    byte[] cutInMainImage = Arrays.copyOf(file, file.length - 64 - 40);
    assertThatThrownBy(() -> read(cutInMainImage))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageStartingWith("truncated JPEG: no end-of-image marker");
  }

  @Test
  void refusesGifWithoutTrailerOrCutInItsImageData() throws Exception {
    byte[] gif = gif(noise(64, 48, 4));
    assertThat(gif[gif.length - 1]).isEqualTo((byte) 0x3B);

    byte[] noTrailer = Arrays.copyOf(gif, gif.length - 1);
    // ImageIO decodes this one whole and silently: it never looks past the first image.
    assertThat(ImageIO.read(new ByteArrayInputStream(noTrailer)).getWidth()).isEqualTo(64);
    assertThatThrownBy(() -> checkGif(noTrailer))
        .isInstanceOf(InvalidImageException.class)
        .hasMessage("truncated GIF: no trailer (0x3B) after its image (after "
            + noTrailer.length + " bytes)");

    for (int cut : new int[] {gif.length - 2, gif.length / 2, 900}) {
      byte[] cutShort = Arrays.copyOf(gif, cut);
      assertThatThrownBy(() -> checkGif(cutShort)).as("cut at %d of %d", cut, gif.length)
          .isInstanceOf(InvalidImageException.class)
          .hasMessageStartingWith("truncated GIF: the data ends inside image 1's data");
      // A stream that does not know its length is read through instead: the same verdict.
      assertThatThrownBy(() -> WholeImages.checkGif(new MemoryCacheImageInputStream(
              new ByteArrayInputStream(cutShort))))
          .isInstanceOf(InvalidImageException.class)
          .hasMessageStartingWith("truncated GIF: the data ends inside image 1's data");
    }
  }

  @Test
  void wholeGifPassesAndTheStreamIsLeftWhereItWas() throws Exception {
    byte[] gif = gif(noise(33, 17, 5));
    byte[] trailing = Arrays.copyOf(gif, gif.length + 10); // bytes after the trailer
    for (byte[] file : new byte[][] {gif, trailing}) {
      try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(file))) {
        WholeImages.checkGif(in);
        assertThat(in.getStreamPosition()).isZero();
        ImageReader reader = ImageIO.getImageReaders(in).next();
        reader.setInput(in, true, true);
        assertThat(WholeImages.read(reader).getWidth()).isEqualTo(33);
        reader.dispose();
      }
    }
  }

  /** Decodes from a file, as ingest does: a stream that knows its length. */
  private BufferedImage read(byte[] bytes) throws IOException {
    Path file = Files.write(dir.resolve("image-" + FILES.incrementAndGet()), bytes);
    try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      try {
        reader.setInput(in, true, true);
        return WholeImages.read(reader);
      } finally {
        reader.dispose();
      }
    }
  }

  private Raster readRaster(byte[] bytes) throws IOException {
    Path file = Files.write(dir.resolve("image-" + FILES.incrementAndGet()), bytes);
    try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
      ImageReader reader = ImageIO.getImageReaders(in).next();
      try {
        reader.setInput(in, true, true);
        return WholeImages.readJpegRaster(reader);
      } finally {
        reader.dispose();
      }
    }
  }

  private void checkGif(byte[] bytes) throws IOException {
    Path file = Files.write(dir.resolve("image-" + FILES.incrementAndGet()), bytes);
    try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
      WholeImages.checkGif(in);
    }
  }

  private static BufferedImage noise(int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return image;
  }

  private static byte[] jpeg(BufferedImage image, boolean progressive) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      ImageWriteParam param = writer.getDefaultWriteParam();
      if (progressive) {
        param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
      }
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
  }

  private static byte[] gif(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, "gif", out)).isTrue();
    return out.toByteArray();
  }

  /** The offset of the first start-of-scan marker's segment (FF DA). */
  private static int startOfScan(byte[] jpeg) {
    for (int i = 2; i + 3 < jpeg.length; ) {
      int marker = jpeg[i + 1] & 0xFF;
      if (marker == 0xDA) {
        return i;
      }
      i += 2 + (((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF));
    }
    throw new AssertionError("no start of scan");
  }

  private static int[] pixels(BufferedImage image) {
    return image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
  }
}
