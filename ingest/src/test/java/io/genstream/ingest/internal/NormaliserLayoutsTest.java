package io.genstream.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.DatasetSpec.Resize;
import java.awt.Transparency;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever layout a decoder hands over (bytes read straight from the raster or sample by
 * sample), the normalised image is the one a plain per-pixel reading of the samples gives: the
 * reference below is the straightforward reading, kept here as the definition.
 */
class NormaliserLayoutsTest {

  private static final int W = 37;
  private static final int H = 23;

  static Stream<Arguments> images() throws IOException {
    List<Arguments> all = new ArrayList<>();
    for (int type : new int[] {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_3BYTE_BGR,
        BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB,
        BufferedImage.TYPE_INT_BGR, BufferedImage.TYPE_USHORT_GRAY,
        BufferedImage.TYPE_BYTE_INDEXED, BufferedImage.TYPE_BYTE_BINARY}) {
      all.add(Arguments.of("type " + type, filled(new BufferedImage(W, H, type))));
    }
    all.add(Arguments.of("interleaved RGB (PNG reader)", interleaved(new int[] {0, 1, 2}, false)));
    all.add(Arguments.of("interleaved RGBA", interleaved(new int[] {0, 1, 2, 3}, true)));
    all.add(Arguments.of("interleaved gray + alpha", grayAlpha()));
    all.add(Arguments.of("banded RGB", banded()));
    BufferedImage parent = filled(new BufferedImage(W + 9, H + 7, BufferedImage.TYPE_3BYTE_BGR));
    all.add(Arguments.of("sub-image RGB", parent.getSubimage(5, 3, W, H)));
    BufferedImage grayParent = filled(new BufferedImage(W + 9, H + 7, BufferedImage.TYPE_BYTE_GRAY));
    all.add(Arguments.of("sub-image gray", grayParent.getSubimage(4, 6, W, H)));
    for (String format : new String[] {"png", "jpeg"}) {
      for (int type : new int[] {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_3BYTE_BGR}) {
        all.add(Arguments.of(format + " of type " + type + ", decoded",
            roundTrip(filled(new BufferedImage(W, H, type)), format)));
      }
    }
    all.add(Arguments.of("png with alpha, decoded",
        roundTrip(filled(new BufferedImage(W, H, BufferedImage.TYPE_INT_ARGB)), "png")));
    all.add(Arguments.of("16-bit gray png, decoded",
        roundTrip(filled(new BufferedImage(W, H, BufferedImage.TYPE_USHORT_GRAY)), "png")));
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("images")
  void everyLayoutGivesThePerPixelResult(String name, BufferedImage image) {
    for (int channels : new int[] {1, 3}) {
      for (int size : new int[] {8, W, 50}) {
        for (Resize resize : Resize.values()) {
          Normaliser normaliser = new Normaliser(new DatasetSpec(size, channels, resize));
          Reference reference = Reference.of(image);
          Normaliser.Normalised expected =
              normaliser.normalise(reference.channels, W, H, reference.planes);
          Normaliser.Normalised actual = normaliser.normalise(image);
          assertThat(actual.tensor().chw())
              .as("%s to %dx%dx%d %s", name, size, size, channels, resize)
              .containsExactly(expected.tensor().chw());
          assertThat(actual.conversion()).isEqualTo(expected.conversion());
        }
      }
    }
  }

  @Test
  void lumaIsTheRoundedBt601SumForEveryColour() {
    for (int r = 0; r < 256; r++) {
      for (int g = 0; g < 256; g++) {
        for (int b = 0; b < 256; b++) {
          int expected = (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
          int actual = Planes.luma(r, g, b) & 0xFF;
          if (actual != expected) {
            assertThat(actual).as("luma of %d,%d,%d", r, g, b).isEqualTo(expected);
          }
        }
      }
    }
  }

  /** The samples as stored, one {@code getPixel} or {@code getRGB} per pixel. */
  private record Reference(int channels, byte[] planes) {
    static Reference of(BufferedImage image) {
      int width = image.getWidth();
      int height = image.getHeight();
      ColorModel model = image.getColorModel();
      int colours = model.getNumColorComponents();
      boolean direct = !(model instanceof IndexColorModel) && (colours == 1 || colours == 3);
      boolean gray = direct && colours == 1;
      int plane = width * height;
      byte[] planes = new byte[(gray ? 1 : 3) * plane];
      Raster raster = image.getRaster();
      int[] samples = new int[raster.getNumBands()];
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          int at = y * width + x;
          if (direct) {
            raster.getPixel(x, y, samples);
            int alpha = model.hasAlpha()
                ? eightBit(samples[colours], model.getComponentSize(colours)) : 255;
            for (int c = 0; c < colours; c++) {
              planes[c * plane + at] =
                  overBlack(eightBit(samples[c], model.getComponentSize(c)), alpha);
            }
          } else {
            int argb = image.getRGB(x, y);
            int alpha = argb >>> 24;
            planes[at] = overBlack((argb >> 16) & 0xFF, alpha);
            planes[plane + at] = overBlack((argb >> 8) & 0xFF, alpha);
            planes[2 * plane + at] = overBlack(argb & 0xFF, alpha);
          }
        }
      }
      return new Reference(gray ? 1 : 3, planes);
    }

    private static int eightBit(int sample, int bits) {
      return bits > 8 ? sample >> (bits - 8) : bits < 8 ? sample * 255 / ((1 << bits) - 1) : sample;
    }

    private static byte overBlack(int value, int alpha) {
      return (byte) ((value * alpha + 127) / 255);
    }
  }

  /** Random samples in every band, alpha included, so that no band can stand in for another. */
  private static BufferedImage filled(BufferedImage image) {
    Random random = new Random(image.getType() * 31L + image.getWidth());
    WritableRaster raster = image.getRaster();
    int bands = raster.getNumBands();
    for (int y = 0; y < raster.getHeight(); y++) {
      for (int x = 0; x < raster.getWidth(); x++) {
        for (int b = 0; b < bands; b++) {
          int bits = raster.getSampleModel().getSampleSize(b);
          raster.setSample(x, y, b, random.nextInt(1 << bits));
        }
      }
    }
    return image;
  }

  private static BufferedImage interleaved(int[] bandOffsets, boolean alpha) {
    ColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), alpha,
        false, alpha ? Transparency.TRANSLUCENT : Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, W, H,
        W * bandOffsets.length, bandOffsets.length, bandOffsets, null);
    return filled(new BufferedImage(model, raster, false, null));
  }

  private static BufferedImage grayAlpha() {
    ColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true,
        false, Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
    WritableRaster raster = Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, W, H, 2, null);
    return filled(new BufferedImage(model, raster, false, null));
  }

  private static BufferedImage banded() {
    ColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), false,
        false, Transparency.OPAQUE, DataBuffer.TYPE_BYTE);
    WritableRaster raster = Raster.createBandedRaster(DataBuffer.TYPE_BYTE, W, H, 3, null);
    return filled(new BufferedImage(model, raster, false, null));
  }

  private static BufferedImage roundTrip(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    assertThat(ImageIO.write(image, format, bytes)).isTrue();
    return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
  }
}
