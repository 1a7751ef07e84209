package io.genstream.trainer.evaluation;

/**
 * A real image from the stream: its label (0 for unlabelled data) and its pixels in [-1, 1],
 * {@code C × H × W} row-major. Held by reference in reservoirs: never modify the array.
 */
public record RealImage(int label, float[] pixels) {

  /** The pixels of {@code images} one after another, n×C×H×W (all of one size). */
  public static float[] pixels(java.util.List<RealImage> images) {
    int size = images.isEmpty() ? 0 : images.get(0).pixels().length;
    float[] all = new float[images.size() * size];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i).pixels(), 0, all, i * size, size);
    }
    return all;
  }

  /** The labels of {@code images}, in order. */
  public static int[] labels(java.util.List<RealImage> images) {
    return images.stream().mapToInt(RealImage::label).toArray();
  }
}
