package io.genstream.trainer.video;

import io.genstream.core.image.ImageTensor;
import java.util.List;

/**
 * {@code k + 1} consecutive frames of one stream: {@code k} context frames (oldest first) and the
 * frame that followed them, the target. The layout {@link #writeTo} produces is the one
 * {@link io.genstream.trainer.family.Batch} documents for frame prediction. Frames stay 8-bit
 * until a batch is built, so a held clip costs {@code (k+1)·C·H·W} bytes.
 *
 * @param streamId the stream the frames came from
 * @param targetFrame the target's frame index
 * @param frames the {@code k + 1} frames, oldest first; all of one shape
 */
public record Clip(String streamId, long targetFrame, List<ImageTensor> frames) {

  public Clip {
    frames = List.copyOf(frames);
    if (frames.size() < 2) {
      throw new IllegalArgumentException("a clip needs at least 2 frames, got " + frames.size());
    }
    String shape = frames.get(0).shape();
    for (ImageTensor frame : frames) {
      if (!frame.shape().equals(shape)) {
        throw new IllegalArgumentException("clip frames differ in shape: " + shape + " and "
            + frame.shape());
      }
    }
  }

  /** Context frames, {@code k}. */
  public int contextFrames() {
    return frames.size() - 1;
  }

  /** The frame to predict. */
  public ImageTensor target() {
    return frames.get(frames.size() - 1);
  }

  /** The newest context frame: what copy-last-frame predicts. */
  public ImageTensor lastContext() {
    return frames.get(frames.size() - 2);
  }

  /** Values per frame ({@code C·H·W}). */
  public int pixelsPerFrame() {
    return frames.get(0).chw().length;
  }

  /**
   * Writes the first {@code count} frames in [-1, 1] at {@code offset}: {@code count · C·H·W}
   * values ({@code k} for a predictor's input, {@code k + 1} for a training example).
   */
  public void writeTo(float[] dest, int offset, int count) {
    int pixels = pixelsPerFrame();
    for (int f = 0; f < count; f++) {
      float[] values = frames.get(f).toSymmetricUnit();
      System.arraycopy(values, 0, dest, offset + f * pixels, pixels);
    }
  }
}
