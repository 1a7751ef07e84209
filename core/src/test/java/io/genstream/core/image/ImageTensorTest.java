package io.genstream.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageTensorTest {

  @Test
  void anRgbPngDecodesToItsThreePlanesExactly() {
    byte[] chw = new byte[3 * 5 * 7];
    for (int i = 0; i < chw.length; i++) {
      chw[i] = (byte) (i * 37);
    }
    ImageTensor original = new ImageTensor(3, 5, 7, chw);

    ImageTensor decoded = ImageTensor.fromPng(original.toPng(), 3);

    assertThat(decoded.channels()).isEqualTo(3);
    assertThat(decoded.height()).isEqualTo(5);
    assertThat(decoded.width()).isEqualTo(7);
    assertThat(decoded.chw()).isEqualTo(chw);
  }

  @Test
  void aGrayPngGivesThreeEqualPlanesOfItsOwnLevelsForAnRgbModel() {
    byte[] pixels = new byte[16 * 16];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) i;
    }
    byte[] png = Png.encode(new GrayImage(16, 16, pixels));

    ImageTensor rgb = ImageTensor.fromPng(png, 3);
    ImageTensor gray = ImageTensor.fromPng(png, 1);

    // No gamma conversion on the way: gray 128 stays 128 in every plane.
    for (int c = 0; c < 3; c++) {
      assertThat(Arrays.copyOfRange(rgb.chw(), c * 256, (c + 1) * 256)).isEqualTo(pixels);
    }
    assertThat(gray.chw()).isEqualTo(pixels);
  }

  @Test
  void transparentPixelsAreCompositedOverBlack() {
    BufferedImage argb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0xFF_C8_64_32); // opaque (200, 100, 50)
    argb.setRGB(1, 0, 0x00_FF_FF_FF); // transparent white

    ImageTensor decoded = ImageTensor.fromPng(imageIoPng(argb), 3);

    assertThat(decoded.chw()).containsExactly(200, 0, 100, 0, 50, 0);
  }

  @Test
  void symmetricUnitValuesRoundTripThroughBytes() {
    ImageTensor image = new ImageTensor(1, 1, 3, new byte[] {0, (byte) 128, (byte) 255});

    float[] values = image.toSymmetricUnit();

    assertThat(values).containsExactly(new float[] {-1f, 128 / 127.5f - 1f, 1f}, within(1e-6f));
    assertThat(ImageTensor.fromSymmetricUnit(values, 0, 1, 1, 3).chw()).isEqualTo(image.chw());
  }

  @Test
  void theSizeIsReadFromTheHeaderAndAHugeImageIsRefusedBeforeDecoding() {
    byte[] png = Png.encode(new GrayImage(7, 5, new byte[35]));
    assertThat(Png.size(png)).isEqualTo(new Png.Size(7, 5));
    assertThat(Png.size(png)).hasToString("7x5");

    // A header claiming 100000 x 100000 pixels; the rest would never be read.
    byte[] bomb = png.clone();
    ByteBuffer.wrap(bomb, 16, 8).putInt(100_000).putInt(100_000);
    assertThatThrownBy(() -> ImageTensor.fromPng(bomb, 1))
        .isInstanceOf(InvalidImageException.class)
        .hasMessageContaining("PNG is 100000x100000, more than the");
    assertThatThrownBy(() -> Png.size("GIF89a".getBytes()))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("not a PNG");
    assertThatThrownBy(() -> Png.size(Arrays.copyOf(png, 12)))
        .isInstanceOf(InvalidImageException.class).hasMessageContaining("no IHDR header");
  }

  /** A PNG as ImageIO writes it, alpha channel included. */
  private static byte[] imageIoPng(BufferedImage image) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      javax.imageio.ImageIO.write(image, "png", out);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
