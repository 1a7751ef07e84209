package io.genstream.trainer.evaluation;

import java.util.Arrays;

/**
 * Within-class spread of images in pixel space, generated against real: the collapse check that
 * needs no evaluator, so it judges a version from the first one on, and on data no evaluator
 * masters.
 *
 * <p>The spread of a set of images is their mean pairwise L1 distance per value, in units of the
 * pixel range (values in [-1, 1], so |a − b| / 2 per value): 0 when every image is the same, about
 * 0.13 for real MNIST digits of one class. It is measured on at most {@value #MAX_IMAGES} images
 * of each class (the first ones given), so time is O(classes · {@value #MAX_IMAGES}² · pixels)
 * whatever the sample sizes: about 0.1 s for ten classes of 28×28. For each class with 2 real
 * images of spread &gt; 0 and 2 generated ones, ratio_c = generated spread / real spread. A
 * generator that ignores its latent (every image of a class identical) scores 0 in every class;
 * one as varied as the data about 1. Unlike {@link Diversity} it is not blind to what an evaluator
 * never learnt to tell apart, but it counts any variation (noise too) as spread: it tells
 * collapse, not quality. Immutable, thread-safe.
 */
public final class PixelSpread {

  /** Images of a class a spread is measured on, at most. */
  public static final int MAX_IMAGES = 128;

  /** Metric: the mean {@link #ratio} over the scored classes. */
  public static final String MEAN = "pixelSpread";
  /** Metric: the lowest {@link #ratio}, the one the collapse rule reads. */
  public static final String WORST = "pixelSpreadWorst";
  /** Metric: the class of {@link #WORST} (conditional models only). */
  public static final String WORST_CLASS = "pixelSpreadWorstClass";
  /** Metric: the generated spread of the worst class. */
  public static final String WORST_GENERATED = "pixelSpreadWorstGenerated";
  /** Metric: the real spread of the worst class. */
  public static final String WORST_REAL = "pixelSpreadWorstReal";

  private final double[] generated;
  private final double[] real;

  private PixelSpread(double[] generated, double[] real) {
    this.generated = generated;
    this.real = real;
  }

  /**
   * The spreads of every class.
   *
   * @param realImages real images, n×pixels values in [-1, 1] row-major
   * @param realLabels the class of each real image, 0..classes−1
   * @param generatedImages generated images, likewise
   * @param generatedLabels the class each generated image was requested for
   * @param classes 1 for an unconditional model (all images one class)
   * @param pixels values per image, C×H×W
   * @throws IllegalArgumentException if sizes disagree or a label is out of range
   */
  public static PixelSpread of(float[] realImages, int[] realLabels, float[] generatedImages,
      int[] generatedLabels, int classes, int pixels) {
    if (classes < 1 || pixels < 1) {
      throw new IllegalArgumentException(
          "classes and pixels must be ≥ 1, got " + classes + " and " + pixels);
    }
    return new PixelSpread(spreads(generatedImages, generatedLabels, classes, pixels, "generated"),
        spreads(realImages, realLabels, classes, pixels, "real"));
  }

  /** Classes measured (1 for an unconditional model). */
  public int classes() {
    return real.length;
  }

  /** Spread of the generated images of class {@code c}, NaN with fewer than 2. */
  public double generated(int c) {
    return generated[c];
  }

  /** Spread of the real images of class {@code c}, NaN with fewer than 2. */
  public double real(int c) {
    return real[c];
  }

  /** Generated over real spread of class {@code c}; NaN where either is missing or real's is 0. */
  public double ratio(int c) {
    double r = real[c];
    double g = generated[c];
    return Double.isNaN(r) || Double.isNaN(g) || r <= 0 ? Double.NaN : g / r;
  }

  /** Whether some class has a {@link #ratio}. */
  public boolean scored() {
    return worstClass() >= 0;
  }

  /** The class of the lowest ratio, -1 when none is scored. */
  public int worstClass() {
    int worst = -1;
    for (int c = 0; c < real.length; c++) {
      double ratio = ratio(c);
      if (!Double.isNaN(ratio) && (worst < 0 || ratio < ratio(worst))) {
        worst = c;
      }
    }
    return worst;
  }

  /** The mean ratio over the scored classes, NaN when none is. */
  public double meanRatio() {
    double sum = 0;
    int scored = 0;
    for (int c = 0; c < real.length; c++) {
      double ratio = ratio(c);
      if (!Double.isNaN(ratio)) {
        sum += ratio;
        scored++;
      }
    }
    return scored == 0 ? Double.NaN : sum / scored;
  }

  /** Mean pairwise L1 per value, in units of the pixel range, of each class's first images. */
  private static double[] spreads(float[] images, int[] labels, int classes, int pixels,
      String name) {
    if (images.length != (long) labels.length * pixels) {
      throw new IllegalArgumentException(name + " images must be " + labels.length + " × "
          + pixels + " values, got " + images.length);
    }
    int[][] members = new int[classes][MAX_IMAGES];
    int[] counts = new int[classes];
    for (int i = 0; i < labels.length; i++) {
      int label = labels[i];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException(
            name + " label " + i + " must be 0.." + (classes - 1) + ", got " + label);
      }
      if (counts[label] < MAX_IMAGES) {
        members[label][counts[label]++] = i;
      }
    }
    double[] spreads = new double[classes];
    for (int c = 0; c < classes; c++) {
      spreads[c] = counts[c] < 2 ? Double.NaN
          : meanPairwiseL1(images, members[c], counts[c], pixels);
    }
    return spreads;
  }

  private static double meanPairwiseL1(float[] images, int[] members, int n, int pixels) {
    double total = 0;
    for (int a = 0; a < n; a++) {
      int from = members[a] * pixels;
      for (int b = a + 1; b < n; b++) {
        int to = members[b] * pixels;
        double sum = 0;
        for (int p = 0; p < pixels; p++) {
          sum += Math.abs(images[from + p] - images[to + p]);
        }
        total += sum;
      }
    }
    long pairs = (long) n * (n - 1) / 2;
    return total / pairs / pixels / 2; // values span [-1, 1]: a distance of 2 is the full range
  }

  /**
   * The figures of a version's manifest: {@value #MEAN}, {@value #WORST}, {@value
   * #WORST_GENERATED}, {@value #WORST_REAL} and, when {@code conditional}, {@value
   * #WORST_CLASS}; nothing when no class is scored.
   */
  public void addTo(java.util.Map<String, Double> metrics, boolean conditional) {
    int worst = worstClass();
    if (worst < 0) {
      return;
    }
    metrics.put(MEAN, meanRatio());
    metrics.put(WORST, ratio(worst));
    if (conditional) {
      metrics.put(WORST_CLASS, (double) worst);
    }
    metrics.put(WORST_GENERATED, generated[worst]);
    metrics.put(WORST_REAL, real[worst]);
  }

  @Override
  public String toString() {
    return "PixelSpread[generated=" + Arrays.toString(generated) + ", real="
        + Arrays.toString(real) + "]";
  }
}
