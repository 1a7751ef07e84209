package io.genstream.ingest.synthetic;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.LabelledImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class SyntheticDigitsTest {

  @Test
  void rendersBalancedLabelsAsPngsOfTheRequestedSize() {
    List<LabelledImage> images = new SyntheticDigits(28, 1).images().take(200).collectList().block();

    int[] perLabel = new int[10];
    for (LabelledImage image : images) {
      GrayImage decoded = Png.decode(image.png());
      assertThat(decoded.width()).isEqualTo(28);
      assertThat(decoded.height()).isEqualTo(28);
      perLabel[image.label()]++;
    }
    assertThat(perLabel).containsOnly(20);
  }

  @Test
  void drawsAVisibleCentredDigitOnBlack() {
    for (LabelledImage image : new SyntheticDigits(32, 2).images().take(100).toIterable()) {
      GrayImage decoded = Png.decode(image.png());
      int ink = 0;
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          if (decoded.get(x, y) > 128) {
            ink++;
          }
        }
      }
      // A digit covers some but far from all of the canvas, and the corners stay background.
      assertThat(ink).as("bright pixels of a %d", image.label()).isBetween(15, 400);
      assertThat(decoded.get(0, 0)).isLessThan(40);
      assertThat(decoded.get(31, 31)).isLessThan(40);
    }
  }

  @Test
  void sameSeedGivesTheSameStreamAndAnotherSeedDoesNot() {
    List<byte[]> a = pngs(new SyntheticDigits(28, 7));
    List<byte[]> b = pngs(new SyntheticDigits(28, 7));
    List<byte[]> c = pngs(new SyntheticDigits(28, 8));

    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i)).isEqualTo(b.get(i));
    }
    assertThat(a.stream().filter(x -> c.stream().anyMatch(y -> Arrays.equals(x, y)))).isEmpty();
  }

  /** Writes a contact sheet to target/ so a person can look at the data the models learn from. */
  @Test
  void writesAContactSheetOfTenRowsPerDigit() throws IOException {
    int cell = 28;
    BufferedImage sheet = new BufferedImage(cell * 10, cell * 10, BufferedImage.TYPE_BYTE_GRAY);
    int[] filled = new int[10];
    for (LabelledImage image : new SyntheticDigits(28, 3).images().take(100).toIterable()) {
      BufferedImage digit = ImageIO.read(new java.io.ByteArrayInputStream(image.png()));
      sheet.getGraphics().drawImage(digit, filled[image.label()]++ * cell, image.label() * cell, null);
    }
    Path out = Path.of("target", "synthetic-digits.png");
    Files.createDirectories(out.getParent());
    ImageIO.write(sheet, "png", out.toFile());
    assertThat(filled).containsOnly(10);
  }

  private static List<byte[]> pngs(SyntheticDigits digits) {
    return digits.images().take(30).map(LabelledImage::png).collectList().block();
  }
}
