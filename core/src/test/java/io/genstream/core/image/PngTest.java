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
}
