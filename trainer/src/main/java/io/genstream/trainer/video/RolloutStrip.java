package io.genstream.trainer.video;

import io.genstream.trainer.SampleGrid;
import io.genstream.trainer.family.framepred.FramePredictionFamily;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * The sample image of a {@code framepred} version: one held-out clip per row, its {@code k}
 * context frames followed by {@code horizon} frames rolled out by the model (each prediction fed
 * back as the newest context frame), drawn like a {@link SampleGrid}. Successive versions use the
 * newest held-out clips, so a strip shows how far ahead the model stays plausible.
 */
public final class RolloutStrip {

  /** Rows of a strip at most. */
  public static final int MAX_ROWS = 8;

  private RolloutStrip() {}

  /**
   * Writes {@code <dir>/<model>-v<version>.png} from the newest {@value #MAX_ROWS} of {@code
   * clips}. Call on the family's thread.
   *
   * @return the file written, or null if there are no clips to show
   */
  public static Path write(FramePredictionFamily family, List<Clip> clips, int horizon, Path dir,
      String model, long version) throws IOException {
    if (clips.isEmpty()) {
      return null;
    }
    List<Clip> shown = clips.subList(Math.max(0, clips.size() - MAX_ROWS), clips.size());
    int k = family.spec().contextFrames();
    int channels = family.spec().channels();
    int side = family.spec().imageSize();
    int pixels = family.spec().pixelsPerImage();
    int rows = shown.size();
    float[] context = new float[rows * k * pixels];
    for (int r = 0; r < rows; r++) {
      shown.get(r).writeTo(context, r * k * pixels, k);
    }
    float[] rolled = family.rollout(context, rows, horizon); // [rows, horizon, C, H, W]
    int columns = k + horizon;
    float[] cells = new float[rows * columns * pixels];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(context, r * k * pixels, cells, r * columns * pixels, k * pixels);
      System.arraycopy(rolled, r * horizon * pixels, cells, (r * columns + k) * pixels,
          horizon * pixels);
    }
    Files.createDirectories(dir);
    Path file = dir.resolve(model + "-v" + version + ".png");
    ImageIO.write(SampleGrid.compose(cells, rows, columns, channels, side, side <= 32 ? 2 : 1),
        "png", file.toFile());
    return file;
  }
}
