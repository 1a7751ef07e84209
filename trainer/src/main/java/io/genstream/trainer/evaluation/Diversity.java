package io.genstream.trainer.evaluation;

import java.util.Arrays;

/**
 * Within-class diversity of generated features relative to real ones.
 *
 * <p>The <em>spread</em> of a set of vectors is their root-mean-square distance to their centroid,
 * with the sample-covariance divisor: s(X) = √(Σᵢ ‖xᵢ − x̄‖² / (n−1)) = √Tr(Σ). (Equivalently s² is
 * half the mean squared distance between two distinct members.) For each class c with at least 2
 * real and 2 generated vectors and real spread &gt; 0:
 *
 * <pre>
 *   ratio_c = s(generated of class c) / s(real of class c)
 * </pre>
 *
 * and {@code ratio} is the unweighted mean of ratio_c over those classes. So ratio ≈ 1 when the
 * generator spreads each class as much as the data, exactly 0 when it is collapsed (every sample of
 * a class equal), and s when each class is the real one scaled by s about its centroid (half the
 * spread → 0.5). Above 1 means more spread than the data, which is not better: read it with
 * precision. Unlike {@link PrecisionRecall}'s recall it ignores where the spread is, only how much.
 * Time O(n·d), memory O(n·d) for the per-class copies.
 *
 * @param ratio mean over scored classes of generated/real spread, ≥ 0, 1 is the data's diversity
 * @param perClass ratio_c per class, {@code NaN} for classes not scored (copied in and out)
 */
public record Diversity(double ratio, double[] perClass) {

  public Diversity {
    perClass = perClass.clone();
  }

  @Override
  public double[] perClass() {
    return perClass.clone();
  }

  /** Diversity of an unconditional generator: all vectors in one class. */
  public static Diversity of(Features real, Features generated) {
    return of(real, new int[real.count()], generated, new int[generated.count()], 1);
  }

  /**
   * Diversity per class and on average.
   *
   * @param realLabels the class of each real vector, 0..classes−1
   * @param generatedLabels the class each generated vector was requested for, 0..classes−1
   * @throws IllegalArgumentException if shapes disagree, a label is out of range, or no class has 2
   *     real vectors with spread &gt; 0 and 2 generated vectors
   */
  public static Diversity of(
      Features real, int[] realLabels, Features generated, int[] generatedLabels, int classes) {
    if (real.dimension() != generated.dimension()) {
      throw new IllegalArgumentException(
          "dimensions differ: real " + real.dimension() + ", generated " + generated.dimension());
    }
    if (classes < 1) {
      throw new IllegalArgumentException("classes must be ≥ 1, got " + classes);
    }
    Features[] realByClass = byClass(real, realLabels, classes, "real");
    Features[] generatedByClass = byClass(generated, generatedLabels, classes, "generated");
    double[] perClass = new double[classes];
    double sum = 0;
    int scored = 0;
    for (int c = 0; c < classes; c++) {
      perClass[c] = Double.NaN;
      Features r = realByClass[c];
      Features g = generatedByClass[c];
      if (r == null || g == null || r.count() < 2 || g.count() < 2) {
        continue;
      }
      double realVariance = r.totalVariance();
      if (realVariance <= 0) {
        continue;
      }
      perClass[c] = Math.sqrt(g.totalVariance() / realVariance);
      sum += perClass[c];
      scored++;
    }
    if (scored == 0) {
      throw new IllegalArgumentException(
          "no class has ≥ 2 real vectors with spread > 0 and ≥ 2 generated vectors");
    }
    return new Diversity(sum / scored, perClass);
  }

  /** The vectors of each class, null where a class has none. */
  static Features[] byClass(Features set, int[] labels, int classes, String name) {
    if (labels.length != set.count()) {
      throw new IllegalArgumentException(
          name + " labels must be " + set.count() + ", one per vector, got " + labels.length);
    }
    int[] counts = new int[classes];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classes) {
        throw new IllegalArgumentException(
            name + " label " + i + " must be 0.." + (classes - 1) + ", got " + labels[i]);
      }
      counts[labels[i]]++;
    }
    Features[] out = new Features[classes];
    for (int c = 0; c < classes; c++) {
      if (counts[c] == 0) {
        continue;
      }
      int[] indices = new int[counts[c]];
      int at = 0;
      for (int i = 0; i < labels.length; i++) {
        if (labels[i] == c) {
          indices[at++] = i;
        }
      }
      out[c] = set.select(indices);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Diversity other
        && Double.compare(ratio, other.ratio) == 0
        && Arrays.equals(perClass, other.perClass);
  }

  @Override
  public int hashCode() {
    return 31 * Double.hashCode(ratio) + Arrays.hashCode(perClass);
  }

  @Override
  public String toString() {
    return "Diversity[ratio=" + ratio + ", perClass=" + Arrays.toString(perClass) + "]";
  }
}
