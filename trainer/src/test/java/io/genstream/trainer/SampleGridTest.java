package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleGridTest {

  @Test
  void columnsAreClassesAndRowsShareTheirLatents() {
    SampleGrid grid = new SampleGrid(3, 2, 4, 2, 1);

    assertThat(grid.labels()).containsExactly(0, 1, 2, 0, 1, 2);
    float[] z = grid.latents();
    assertThat(Arrays.copyOfRange(z, 0, 4)).isEqualTo(Arrays.copyOfRange(z, 8, 12));
    assertThat(Arrays.copyOfRange(z, 0, 4)).isNotEqualTo(Arrays.copyOfRange(z, 12, 16));
    assertThat(new SampleGrid(3, 2, 4, 2, 1).latents()).isEqualTo(z);
  }

  @Test
  void unconditionalGridsGiveEveryCellItsOwnLatent() {
    SampleGrid grid = new SampleGrid(0, 2, 4, 2, 1);
    float[] z = grid.latents();
    assertThat(z).hasSize(2 * 10 * 4);
    assertThat(Arrays.copyOfRange(z, 0, 4)).isNotEqualTo(Arrays.copyOfRange(z, 4, 8));
    assertThat(grid.labels()).containsOnly(0L);
  }

  @Test
  void colourSheetsKeepEachChannel(@TempDir Path dir) throws Exception {
    SampleGrid grid = new SampleGrid(0, 1, 4, 1, 1);
    float[] images = new float[10 * 3 * 4];
    Arrays.fill(images, 0, 4, 1f); // first cell: red plane full, green and blue off
    Arrays.fill(images, 4, 12, -1f);
    Path file = grid.write(dir, "rgb", 1, images, 3, 2);
    java.awt.image.BufferedImage sheet = javax.imageio.ImageIO.read(file.toFile());
    assertThat(sheet.getRGB(2, 2) & 0xFFFFFF).isEqualTo(0xFF0000);
  }

  @Test
  void composesUpscaledCellsWithBorders(@TempDir Path dir) throws Exception {
    SampleGrid grid = new SampleGrid(2, 1, 4, 2, 1);
    float[] images = new float[2 * 3 * 3];
    Arrays.fill(images, 0, 9, 1f); // first cell white
    Arrays.fill(images, 9, 18, -1f); // second black

    Path file = grid.write(dir.resolve("samples"), "m", 7, images, 1, 3);

    assertThat(file.getFileName().toString()).isEqualTo("m-v7.png");
    GrayImage sheet = Png.decode(Files.readAllBytes(file));
    assertThat(sheet.width()).isEqualTo(2 * (6 + 2) + 2);
    assertThat(sheet.height()).isEqualTo(6 + 2 + 2);
    assertThat(sheet.get(0, 0)).isEqualTo(96); // border
    assertThat(sheet.get(2, 2)).isEqualTo(255);
    assertThat(sheet.get(7, 7)).isEqualTo(255);
    assertThat(sheet.get(8, 2)).isEqualTo(96);
    assertThat(sheet.get(10, 2)).isZero();
    assertThatThrownBy(() -> grid.compose(new float[5], 1, 3))
        .hasMessageContaining("expected 2 images of 1×3×3");
  }
}
