package io.genstream.trainer;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.latent.Latents;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A contact sheet of generated samples: one column per class, {@code rows} rows, each cell
 * upscaled by {@code scale} (nearest) and framed by a {@value #BORDER}-pixel gray border.
 *
 * <p>The latents are fixed by the grid's seed and the same for every column of a row, so grids of
 * successive versions show the same "style" per row and progress is comparable at a glance.
 * Stateless after construction and thread-safe.
 */
public final class SampleGrid {

  /** Pixels between cells and around the sheet. */
  public static final int BORDER = 2;
  private static final byte BORDER_GRAY = (byte) 96;

  private final int numClasses;
  private final int rows;
  private final int latentDim;
  private final int scale;
  private final float[] latents;
  private final long[] labels;

  /**
   * @param seed seeds the latents; keep it constant across versions of a model
   */
  public SampleGrid(int numClasses, int rows, int latentDim, int scale, long seed) {
    if (numClasses < 1 || rows < 1 || latentDim < 1 || scale < 1 || scale > 8) {
      throw new IllegalArgumentException("grid needs numClasses, rows, latentDim >= 1 and scale 1..8, got "
          + numClasses + ", " + rows + ", " + latentDim + ", " + scale);
    }
    this.numClasses = numClasses;
    this.rows = rows;
    this.latentDim = latentDim;
    this.scale = scale;
    Random random = new Random(seed);
    float[] rowLatents = Latents.gaussian(random, rows * latentDim);
    latents = new float[rows * numClasses * latentDim];
    labels = new long[rows * numClasses];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < numClasses; c++) {
        int cell = r * numClasses + c;
        labels[cell] = c;
        System.arraycopy(rowLatents, r * latentDim, latents, cell * latentDim, latentDim);
      }
    }
  }

  /** Latents of all cells, row-major ({@code cells × latentDim}); a copy. */
  public float[] latents() {
    return latents.clone();
  }

  /** Label of each cell (its column); a copy. */
  public long[] labels() {
    return labels.clone();
  }

  /**
   * The sheet for generated images in the cells' order.
   *
   * @param images {@code cells × side²} values in [-1, 1] ({@code [N,1,side,side]})
   */
  public GrayImage compose(float[] images, int side) {
    int cells = rows * numClasses;
    if (images.length != cells * side * side) {
      throw new IllegalArgumentException("expected " + cells + " images of " + side + "×" + side
          + ", got " + images.length + " values");
    }
    int cell = side * scale;
    int width = numClasses * (cell + BORDER) + BORDER;
    int height = rows * (cell + BORDER) + BORDER;
    byte[] pixels = new byte[width * height];
    java.util.Arrays.fill(pixels, BORDER_GRAY);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < numClasses; c++) {
        GrayImage image =
            GrayImage.fromSymmetricUnit(images, (r * numClasses + c) * side * side, side, side);
        int x0 = BORDER + c * (cell + BORDER);
        int y0 = BORDER + r * (cell + BORDER);
        for (int y = 0; y < cell; y++) {
          for (int x = 0; x < cell; x++) {
            pixels[(y0 + y) * width + x0 + x] = (byte) image.get(x / scale, y / scale);
          }
        }
      }
    }
    return new GrayImage(width, height, pixels);
  }

  /**
   * Writes {@code <dir>/<model>-v<version>.png}, creating {@code dir} if needed.
   *
   * @return the file written
   */
  public Path write(Path dir, String model, long version, float[] images, int side)
      throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(model + "-v" + version + ".png");
    Files.write(file, Png.encode(compose(images, side)));
    return file;
  }
}
