package io.genstream.trainer;

import io.genstream.core.latent.Latents;
import io.genstream.trainer.family.ModelSpec;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * A contact sheet of generated samples, each cell upscaled by {@code scale} (nearest) and framed
 * by a {@value #BORDER}-pixel gray border; grey or RGB.
 *
 * <p>Conditional models get one column per class (the first ten) and rows that share their
 * latent, so a row shows one "style" across classes; unconditional models get a distinct latent
 * per cell. The latents are fixed by the grid's seed, so grids of successive versions are
 * comparable at a glance. Stateless after construction and thread-safe.
 */
public final class SampleGrid {

  /** Pixels between cells and around the sheet. */
  public static final int BORDER = 2;
  private static final int BORDER_GRAY = 96;
  private static final int MAX_COLUMNS = 10;

  private final int columns;
  private final int rows;
  private final int latentDim;
  private final int scale;
  private final float[] latents;
  private final long[] labels;

  /**
   * @param classes number of classes of a conditional model, 0 for an unconditional one
   * @param seed seeds the latents; keep it constant across versions of a model
   */
  public SampleGrid(int classes, int rows, int latentDim, int scale, long seed) {
    if (classes < 0 || rows < 1 || latentDim < 1 || scale < 1 || scale > 8) {
      throw new IllegalArgumentException("grid needs classes >= 0, rows, latentDim >= 1 and "
          + "scale 1..8, got " + classes + ", " + rows + ", " + latentDim + ", " + scale);
    }
    this.columns = classes == 0 ? MAX_COLUMNS : Math.min(classes, MAX_COLUMNS);
    this.rows = rows;
    this.latentDim = latentDim;
    this.scale = scale;
    Random random = new Random(seed);
    int cells = rows * columns;
    labels = new long[cells];
    if (classes == 0) {
      latents = Latents.gaussian(random, cells * latentDim);
      return;
    }
    float[] rowLatents = Latents.gaussian(random, rows * latentDim);
    latents = new float[cells * latentDim];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < columns; c++) {
        int cell = r * columns + c;
        labels[cell] = c;
        System.arraycopy(rowLatents, r * latentDim, latents, cell * latentDim, latentDim);
      }
    }
  }

  /** The grid for a model spec: 8 rows, cells at twice the image size. */
  public static SampleGrid forSpec(ModelSpec spec) {
    return new SampleGrid(spec.numClasses(), 8, spec.latentDim(), spec.imageSize() <= 32 ? 2 : 1,
        20240611L);
  }

  /** Latents of all cells, row-major ({@code cells × latentDim}); a copy. */
  public float[] latents() {
    return latents.clone();
  }

  /** Label of each cell (its column for a conditional model, else 0); a copy. */
  public long[] labels() {
    return labels.clone();
  }

  /**
   * The sheet for generated images in the cells' order.
   *
   * @param images {@code cells × channels × side²} values in [-1, 1] ({@code [N,C,side,side]})
   * @param channels 1 (grey) or 3 (RGB)
   */
  public BufferedImage compose(float[] images, int channels, int side) {
    return compose(images, rows, columns, channels, side, scale);
  }

  /**
   * A sheet of {@code rows × columns} cells in row-major order, each image upscaled by {@code
   * scale} (nearest) and framed by the border; shared by sample grids and rollout strips.
   *
   * @param images {@code rows·columns × channels × side²} values in [-1, 1]
   * @param channels 1 (grey) or 3 (RGB)
   */
  public static BufferedImage compose(float[] images, int rows, int columns, int channels,
      int side, int scale) {
    int cells = rows * columns;
    if (images.length != cells * channels * side * side) {
      throw new IllegalArgumentException("expected " + cells + " images of " + channels + "×"
          + side + "×" + side + ", got " + images.length + " values");
    }
    int cell = side * scale;
    int width = columns * (cell + BORDER) + BORDER;
    int height = rows * (cell + BORDER) + BORDER;
    // Planes of levels, written to the image's raster directly: setRGB on a grey image would
    // convert from sRGB and darken every level.
    int[][] planes = new int[channels][width * height];
    for (int[] plane : planes) {
      java.util.Arrays.fill(plane, BORDER_GRAY);
    }
    int size = side * side;
    for (int i = 0; i < cells; i++) {
      int x0 = BORDER + (i % columns) * (cell + BORDER);
      int y0 = BORDER + (i / columns) * (cell + BORDER);
      for (int c = 0; c < channels; c++) {
        int base = (i * channels + c) * size;
        for (int y = 0; y < cell; y++) {
          for (int x = 0; x < cell; x++) {
            planes[c][(y0 + y) * width + x0 + x] =
                level(images[base + (y / scale) * side + x / scale]);
          }
        }
      }
    }
    BufferedImage sheet = new BufferedImage(width, height,
        channels == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR);
    for (int c = 0; c < channels; c++) {
      sheet.getRaster().setSamples(0, 0, width, height, c, planes[c]);
    }
    return sheet;
  }

  /**
   * Writes {@code <dir>/<model>-v<version>.png}, creating {@code dir} if needed.
   *
   * @return the file written
   */
  public Path write(Path dir, String model, long version, float[] images, int channels, int side)
      throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(model + "-v" + version + ".png");
    ImageIO.write(compose(images, channels, side), "png", file.toFile());
    return file;
  }

  /** [-1, 1] → 0..255. */
  private static int level(float value) {
    return Math.max(0, Math.min(255, Math.round((value + 1f) * 127.5f)));
  }
}
