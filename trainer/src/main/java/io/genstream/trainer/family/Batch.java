package io.genstream.trainer.family;

/**
 * Training examples for one {@link ModelFamily#step}: images {@code [N, C, H, W]} row-major with
 * values in [-1, 1], and one label per image (zeros for unlabelled data). For frame prediction an
 * example is a clip: {@code contextFrames + 1} consecutive frames, so {@code images} holds
 * {@code N × (k+1) × C × H × W} values and {@code labels} one entry per clip.
 */
public record Batch(float[] images, int[] labels) {

  public int size() {
    return labels.length;
  }
}
