package io.genstream.trainer.evaluation;

/**
 * What "two evaluations differ by less than 1 %" means here, and the figure to check it with.
 *
 * <p>Every function in this package is a deterministic function of its inputs: no randomness, no
 * parallel reductions, sums in {@code double} in a fixed order. So evaluating the same features
 * twice gives bit-identical figures (tested), and any difference between two evaluations comes from
 * their <em>inputs</em>: which real images were drawn, the generator's seeds, the feature
 * extractor's weights. The {@value #TARGET} target is therefore about sampling: evaluate the same
 * version with two seeds (for the baseline, two {@link java.util.Random} seeds of {@link
 * GaussianBaseline#sample}) and compare with {@link #relativeDifference}. FID in particular is
 * biased and noisy at small n, so the sample count belongs with the target.
 */
public final class Stability {

  /** The target for the relative difference between two evaluations: 1 %. */
  public static final double TARGET = 0.01;

  private Stability() {}

  /**
   * |a − b| / max(|a|, |b|): 0 for equal figures (including both 0), at most 2, symmetric.
   *
   * @throws IllegalArgumentException if a figure is not finite
   */
  public static double relativeDifference(double a, double b) {
    if (!Double.isFinite(a) || !Double.isFinite(b)) {
      throw new IllegalArgumentException("figures must be finite, got " + a + " and " + b);
    }
    double scale = Math.max(Math.abs(a), Math.abs(b));
    return scale == 0 ? 0 : Math.abs(a - b) / scale;
  }

  /** Whether two evaluations agree within {@link #TARGET}. */
  public static boolean withinTarget(double a, double b) {
    return relativeDifference(a, b) < TARGET;
  }
}
