package io.genstream.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.image.ImageTensor;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.DatasetSpec.Resize;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class NormaliserTest {

  @Test
  void grayBecomesRgbByCopyingThePlaneWithoutBrightening() {
    BufferedImage gray = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(1, 2, 0, 128);
    Normaliser.Normalised out = new Normaliser(new DatasetSpec(4, 3, Resize.FIT)).normalise(gray);
    ImageTensor t = out.tensor();
    assertThat(out.conversion()).contains("gray-to-rgb");
    for (int c = 0; c < 3; c++) {
      assertThat(t.chw()[c * 16 + 2 * 4 + 1] & 0xFF).isEqualTo(128);
    }
  }

  @Test
  void rgbBecomesGrayByLuma() {
    BufferedImage rgb = new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(0, 0, 0xFF0000);
    rgb.setRGB(1, 0, 0x00FF00);
    rgb.setRGB(0, 1, 0x0000FF);
    rgb.setRGB(1, 1, 0xFFFFFF);
    Normaliser.Normalised out = new Normaliser(new DatasetSpec(2, 1, Resize.FIT)).normalise(rgb);
    assertThat(out.conversion()).contains("rgb-to-gray");
    assertThat(out.tensor().chw()).containsExactly((byte) 76, (byte) 150, (byte) 29, (byte) 255);
  }

  @Test
  void sameKindAndSizePassesThroughUnchanged() {
    byte[] pixels = {1, 2, 3, 4};
    Normaliser.Normalised out = new Normaliser(new DatasetSpec(2, 1, Resize.PAD)).normalise(1, 2, 2, pixels);
    assertThat(out.conversion()).isEmpty();
    assertThat(out.tensor().chw()).containsExactly(1, 2, 3, 4);
  }

  @Test
  void fitStretchesCropCutsPadBorders() {
    // 4 wide, 2 high: left half 0, right half 200.
    byte[] pixels = {0, 0, (byte) 200, (byte) 200, 0, 0, (byte) 200, (byte) 200};
    byte[] fit = new Normaliser(new DatasetSpec(2, 1, Resize.FIT)).normalise(1, 4, 2, pixels).tensor().chw();
    assertThat(fit).containsExactly(0, (byte) 200, 0, (byte) 200);
    // Crop keeps the centre 2x2: columns 1 and 2.
    byte[] crop = new Normaliser(new DatasetSpec(2, 1, Resize.CROP)).normalise(1, 4, 2, pixels).tensor().chw();
    assertThat(crop).containsExactly(0, (byte) 200, 0, (byte) 200);
    // Pad to 4x4: the 4x2 image in rows 1..2, black rows above and below.
    byte[] pad = new Normaliser(new DatasetSpec(4, 1, Resize.PAD)).normalise(1, 4, 2, pixels).tensor().chw();
    assertThat(pad).containsExactly(
        0, 0, 0, 0,
        0, 0, (byte) 200, (byte) 200,
        0, 0, (byte) 200, (byte) 200,
        0, 0, 0, 0);
  }

  @Test
  void downscalingAveragesTheArea() {
    byte[] pixels = {0, 100, (byte) 200, 100};
    byte[] one = new Normaliser(new DatasetSpec(1, 1, Resize.FIT)).normalise(1, 2, 2, pixels).tensor().chw();
    assertThat(one[0] & 0xFF).isEqualTo(100);
  }

  @Test
  void transparencyIsCompositedOverBlack() {
    BufferedImage argb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_ARGB);
    argb.setRGB(0, 0, 0x80FFFFFF);
    byte[] out = new Normaliser(new DatasetSpec(1, 3, Resize.FIT)).normalise(argb).tensor().chw();
    assertThat(out[0] & 0xFF).isEqualTo(128);
  }
}
