package io.genstream.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PngTest {

  @Test
  void roundTripsEveryGrayLevel() {
    byte[] pixels = new byte[16 * 16];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) i;
    }
    GrayImage decoded = Png.decode(Png.encode(new GrayImage(16, 16, pixels)));

    assertThat(decoded.width()).isEqualTo(16);
    assertThat(decoded.height()).isEqualTo(16);
    assertThat(decoded.pixels()).isEqualTo(pixels);
  }

  @Test
  void grayAndRgbOfOddSizesReadBackThroughImageIoToTheSamePixels() throws Exception {
    java.util.Random random = new java.util.Random(5);
    // 301x199 random pixels do not compress: the deflate output outgrows its first buffer.
    for (int[] size : new int[][] {{1, 1}, {7, 3}, {28, 28}, {301, 199}}) {
      int width = size[0];
      int height = size[1];
      byte[] chw = new byte[3 * width * height];
      random.nextBytes(chw);
      ImageTensor rgb = new ImageTensor(3, height, width, chw);
      java.awt.image.BufferedImage read = javax.imageio.ImageIO.read(
          new java.io.ByteArrayInputStream(rgb.toPng()));
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int at = y * width + x;
          int expected = (chw[at] & 0xFF) << 16 | (chw[width * height + at] & 0xFF) << 8
              | (chw[2 * width * height + at] & 0xFF);
          assertThat(read.getRGB(x, y) & 0xFFFFFF).isEqualTo(expected);
        }
      }
      byte[] gray = Arrays.copyOf(chw, width * height);
      assertThat(Png.decode(Png.encode(new GrayImage(width, height, gray))).pixels())
          .isEqualTo(gray);
    }
  }

  @Test
  void uncompressedPngsReadBackToTheSamePixelsEvenPastOneStoredBlock() throws Exception {
    java.util.Random random = new java.util.Random(6);
    // 200x120 RGB: 72,120 bytes of scanlines, more than one stored block (65,535) holds.
    for (int[] size : new int[][] {{1, 1}, {28, 28}, {200, 120}}) {
      int width = size[0];
      int height = size[1];
      byte[] chw = new byte[3 * width * height];
      random.nextBytes(chw);
      ImageTensor rgb = new ImageTensor(3, height, width, chw);
      byte[] png = rgb.toUncompressedPng();
      assertThat(ImageTensor.fromPng(png, 3).chw()).isEqualTo(chw);
      assertThat(png.length).isGreaterThan(chw.length); // stored: nothing was compressed
      ImageTensor gray = new ImageTensor(1, height, width, Arrays.copyOf(chw, width * height));
      assertThat(ImageTensor.fromPng(gray.toUncompressedPng(), 1).chw()).isEqualTo(gray.chw());
      // Also what a strict reader checks: zlib's own inflater, with the Adler-32 at the end.
      java.util.zip.Inflater inflater = new java.util.zip.Inflater();
      int idat = 8 + 25;
      int length = java.nio.ByteBuffer.wrap(png, idat, 4).getInt();
      inflater.setInput(png, idat + 8, length);
      byte[] scanlines = new byte[height * (3 * width + 1)];
      assertThat(inflater.inflate(scanlines)).isEqualTo(scanlines.length);
      assertThat(inflater.finished()).isTrue();
      inflater.end();
      // And every chunk's CRC, which ImageIO's reader does not check, deflated or stored.
      assertChunksWhole(png);
      assertChunksWhole(rgb.toPng());
      assertChunksWhole(gray.toPng());
    }
  }

  @Test
  void refusesAHeaderOnlyBombBeforeAllocatingIt() {
    byte[] png = Png.encode(new GrayImage(3, 3, new byte[9]));
    // Signature and an IHDR claiming 100000 x 100000, nothing after: 33 bytes, 10 GB decoded.
    byte[] bomb = Arrays.copyOf(png, 33);
    java.nio.ByteBuffer.wrap(bomb, 16, 8).putInt(100_000).putInt(100_000);

    assertThatThrownBy(() -> Png.decode(bomb))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("PNG is 100000x100000, more than the 16777216 pixels");
  }

  @Test
  void refusesColourInsteadOfTurningItGray() {
    byte[] colour = new ImageTensor(3, 1, 2, new byte[] {10, 10, 20, 10, 30, 10}).toPng();
    byte[] grayInRgb = new ImageTensor(3, 1, 2, new byte[] {10, 40, 10, 40, 10, 40}).toPng();

    assertThatThrownBy(() -> Png.decode(colour))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("colour image (pixel 0,0 is RGB 10,20,30)");
    assertThat(Png.decode(grayInRgb).pixels()).containsExactly(10, 40);
  }

  @Test
  void rejectsBytesThatAreNotAPng() {
    assertThatThrownBy(() -> Png.decode("GIF89a....".getBytes()))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a PNG");
    assertThatThrownBy(() -> Png.decode(null))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a PNG");
  }

  @Test
  void rejectsATruncatedPng() {
    byte[] png = Png.encode(new GrayImage(8, 8, new byte[64]));
    byte[] truncated = Arrays.copyOf(png, png.length / 2);

    assertThat(Png.hasSignature(truncated)).isTrue();
    assertThatThrownBy(() -> Png.decode(truncated))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("corrupt PNG");
  }

  /** Every chunk's length and CRC right, up to IEND at the very end. */
  private static void assertChunksWhole(byte[] png) {
    int at = 8;
    String type = "";
    while (at < png.length) {
      int chunk = java.nio.ByteBuffer.wrap(png, at, 4).getInt();
      type = new String(png, at + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
      java.util.zip.CRC32 crc = new java.util.zip.CRC32();
      crc.update(png, at + 4, 4 + chunk);
      assertThat(java.nio.ByteBuffer.wrap(png, at + 8 + chunk, 4).getInt()).as(type)
          .isEqualTo((int) crc.getValue());
      at += 12 + chunk;
    }
    assertThat(at).isEqualTo(png.length);
    assertThat(type).isEqualTo("IEND");
  }
}
