package io.genstream.trainer.evaluation;

import java.util.Random;

/**
 * The baseline that needs no GAN: "sampling from a Bayesian classifier" — one Gaussian p(x | y) per
 * class, fitted to the real images in pixel space, sampled directly. Every metric in this package
 * is read against it: a trained generator that does not beat this baseline on FID, precision/recall
 * and class consistency has learned nothing a mean image and a noise level could not give.
 *
 * <p><b>Model.</b> Per class c: the per-pixel mean μ_c and the per-pixel sample variance σ²_c
 * (divisor n_c − 1; 0 for a class with one image), i.e. a Gaussian with <em>diagonal</em>
 * covariance. A full covariance would need pixels² values per class (150 M doubles for 64×64×3) and
 * is singular with fewer images than pixels; the diagonal ignores correlations between pixels, so
 * samples look like the class's mean image under independent per-pixel noise. That makes the
 * baseline deliberately weak but honest; a low-rank (PCA) variant would be stronger and is not done
 * here. Samples are not clamped to the pixel range, since clamping would change the moments the fit
 * promises; callers that need valid pixels clamp and say so.
 *
 * <p>Immutable and thread-safe; sampling uses only the {@link Random} it is given, so a seed fixes
 * the output. Fit: time O(n·pixels), memory O(classes·pixels). Sample: O(count·pixels).
 */
public final class GaussianBaseline {

  /** Largest image accepted, in values (512×512 grey or about 296×296 RGB). */
  public static final int MAX_PIXELS = 512 * 512;

  private final int pixels;
  private final int[] counts;
  private final double[][] means;
  private final double[][] deviations;

  private GaussianBaseline(int pixels, int[] counts, double[][] means, double[][] deviations) {
    this.pixels = pixels;
    this.counts = counts;
    this.means = means;
    this.deviations = deviations;
  }

  /**
   * Fits one diagonal Gaussian per class.
   *
   * @param images row-major n×pixels real images, in whatever range the generator outputs
   * @param labels the class of each image, 0..classes−1
   * @param pixels values per image (height·width·channels), 1..{@value #MAX_PIXELS}
   * @param classes number of classes, ≥ 1; a class without images can be fitted but not sampled
   * @throws IllegalArgumentException if the shapes disagree, a label is out of range, a value is
   *     not finite, or there are no images
   */
  public static GaussianBaseline fit(float[] images, int[] labels, int pixels, int classes) {
    if (pixels < 1 || pixels > MAX_PIXELS) {
      throw new IllegalArgumentException("pixels must be 1.." + MAX_PIXELS + ", got " + pixels);
    }
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be ≥ 1, got " + classes);
    }
    int n = labels.length;
    if (n == 0 || (long) n * pixels != images.length) {
      throw new IllegalArgumentException(
          "images must hold " + n + " × " + pixels + " values (n ≥ 1), got " + images.length);
    }
    int[] counts = new int[classes];
    double[][] means = new double[classes][];
    double[][] squares = new double[classes][];
    for (int i = 0; i < n; i++) {
      int c = labels[i];
      if (c < 0 || c >= classes) {
        throw new IllegalArgumentException(
            "label " + i + " must be 0.." + (classes - 1) + ", got " + c);
      }
      if (means[c] == null) {
        means[c] = new double[pixels];
        squares[c] = new double[pixels];
      }
      counts[c]++;
      // Welford's update: the variance without the cancellation of Σx² − n·μ².
      double[] mean = means[c];
      double[] m2 = squares[c];
      int base = i * pixels;
      for (int p = 0; p < pixels; p++) {
        double x = images[base + p];
        if (!Double.isFinite(x)) {
          throw new IllegalArgumentException("value " + (base + p) + " is not finite: " + x);
        }
        double delta = x - mean[p];
        mean[p] += delta / counts[c];
        m2[p] += delta * (x - mean[p]);
      }
    }
    double[][] deviations = new double[classes][];
    for (int c = 0; c < classes; c++) {
      if (counts[c] == 0) {
        continue;
      }
      deviations[c] = new double[pixels];
      for (int p = 0; p < pixels; p++) {
        deviations[c][p] = counts[c] < 2 ? 0 : Math.sqrt(squares[c][p] / (counts[c] - 1));
      }
    }
    return new GaussianBaseline(pixels, counts, means, deviations);
  }

  /** Values per image. */
  public int pixels() {
    return pixels;
  }

  /** Number of classes. */
  public int classes() {
    return counts.length;
  }

  /** Real images the class was fitted on (0: it cannot be sampled). */
  public int count(int label) {
    return counts[checkLabel(label, false)];
  }

  /** A copy of the fitted per-pixel mean of a class. */
  public double[] mean(int label) {
    return means[checkLabel(label, true)].clone();
  }

  /** A copy of the fitted per-pixel sample variance of a class (all 0 if fitted on one image). */
  public double[] variance(int label) {
    double[] sd = deviations[checkLabel(label, true)];
    double[] out = new double[pixels];
    for (int p = 0; p < pixels; p++) {
      out[p] = sd[p] * sd[p];
    }
    return out;
  }

  /**
   * Draws {@code count} images of one class: x = μ_c + σ_c ⊙ z, z ~ N(0, I) from {@code random}.
   *
   * @return row-major count×pixels values
   * @throws IllegalArgumentException if the label is out of range or the class had no images
   */
  public float[] sample(int label, int count, Random random) {
    if (count < 0 || (long) count * pixels > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "count must be 0.." + ((Integer.MAX_VALUE - 8) / pixels) + ", got " + count);
    }
    int[] labels = new int[count];
    java.util.Arrays.fill(labels, label);
    return sample(labels, random);
  }

  /**
   * Draws one image per requested label, in order, e.g. for the same requests a generator got.
   *
   * @return row-major labels.length×pixels values
   * @throws IllegalArgumentException if a label is out of range or its class had no images
   */
  public float[] sample(int[] labels, Random random) {
    if ((long) labels.length * pixels > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "labels × pixels must fit an array, got " + labels.length + " × " + pixels);
    }
    float[] out = new float[labels.length * pixels];
    for (int i = 0; i < labels.length; i++) {
      int c = checkLabel(labels[i], true);
      double[] mean = means[c];
      double[] sd = deviations[c];
      int base = i * pixels;
      for (int p = 0; p < pixels; p++) {
        out[base + p] = (float) (mean[p] + sd[p] * random.nextGaussian());
      }
    }
    return out;
  }

  private int checkLabel(int label, boolean mustBeFitted) {
    if (label < 0 || label >= counts.length) {
      throw new IllegalArgumentException(
          "label must be 0.." + (counts.length - 1) + ", got " + label);
    }
    if (mustBeFitted && counts[label] == 0) {
      throw new IllegalArgumentException("class " + label + " had no real images to fit");
    }
    return label;
  }
}
