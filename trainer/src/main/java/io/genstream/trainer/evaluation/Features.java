package io.genstream.trainer.evaluation;

import java.util.Arrays;

/**
 * A set of {@code count} feature vectors of dimension {@code dimension}, row-major: vector {@code
 * i} is {@code values[i·dimension .. (i+1)·dimension)}.
 *
 * <p>The values are copied in and never handed out, so a {@code Features} is immutable. Sizes are
 * checked before anything is allocated for them: at most {@value #MAX_COUNT} vectors and {@value
 * #MAX_DIMENSION} dimensions, the range the metrics in this package are written for.
 */
public final class Features {

  /** Largest dimension accepted: the eigen-decompositions are O(d³). */
  public static final int MAX_DIMENSION = 256;

  /** Largest count accepted: the k-NN metrics are O(n²·d) in time. */
  public static final int MAX_COUNT = 20_000;

  private final int count;
  private final int dimension;
  private final double[] values;

  private Features(int count, int dimension, double[] values) {
    this.count = count;
    this.dimension = dimension;
    this.values = values;
  }

  /**
   * Vectors from a row-major float array, e.g. a feature extractor's output batch.
   *
   * @throws IllegalArgumentException if {@code dimension} is not 1..{@value #MAX_DIMENSION}, the
   *     length is not a positive multiple of it, the count exceeds {@value #MAX_COUNT}, or a value
   *     is not finite
   */
  public static Features of(float[] rowMajor, int dimension) {
    int count = checkShape(rowMajor.length, dimension);
    double[] copy = new double[rowMajor.length];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = rowMajor[i];
    }
    return new Features(count, dimension, checkFinite(copy));
  }

  /** As {@link #of(float[], int)}, from doubles. */
  public static Features of(double[] rowMajor, int dimension) {
    int count = checkShape(rowMajor.length, dimension);
    return new Features(count, dimension, checkFinite(rowMajor.clone()));
  }

  /**
   * Vectors given one per row.
   *
   * @throws IllegalArgumentException if there are no rows or the rows differ in length
   */
  public static Features ofRows(double[]... rows) {
    if (rows.length == 0) {
      throw new IllegalArgumentException("rows must not be empty");
    }
    int dimension = rows[0].length;
    double[] flat = new double[rows.length * dimension];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != dimension) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " values, expected " + dimension);
      }
      System.arraycopy(rows[i], 0, flat, i * dimension, dimension);
    }
    return of(flat, dimension);
  }

  private static int checkShape(int length, int dimension) {
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw new IllegalArgumentException(
          "dimension must be 1.." + MAX_DIMENSION + ", got " + dimension);
    }
    if (length == 0 || length % dimension != 0) {
      throw new IllegalArgumentException(
          "length must be a positive multiple of dimension " + dimension + ", got " + length);
    }
    int count = length / dimension;
    if (count > MAX_COUNT) {
      throw new IllegalArgumentException("count must be 1.." + MAX_COUNT + ", got " + count);
    }
    return count;
  }

  private static double[] checkFinite(double[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        throw new IllegalArgumentException("value " + i + " is not finite: " + values[i]);
      }
    }
    return values;
  }

  /** Number of vectors, n ≥ 1. */
  public int count() {
    return count;
  }

  /** Dimension of each vector, d in 1..{@value #MAX_DIMENSION}. */
  public int dimension() {
    return dimension;
  }

  /** A copy of vector {@code i}. */
  public double[] row(int i) {
    return Arrays.copyOfRange(values, i * dimension, (i + 1) * dimension);
  }

  /** The vectors whose indices are given, in that order (indices may repeat). */
  public Features select(int[] indices) {
    if (indices.length == 0) {
      throw new IllegalArgumentException("indices must not be empty");
    }
    double[] out = new double[indices.length * dimension];
    for (int i = 0; i < indices.length; i++) {
      int from = indices[i];
      if (from < 0 || from >= count) {
        throw new IllegalArgumentException("index must be 0.." + (count - 1) + ", got " + from);
      }
      System.arraycopy(values, from * dimension, out, i * dimension, dimension);
    }
    return new Features(indices.length, dimension, out);
  }

  /** The mean vector μ (length d). O(n·d). */
  public double[] mean() {
    double[] mean = new double[dimension];
    for (int i = 0; i < count; i++) {
      int base = i * dimension;
      for (int j = 0; j < dimension; j++) {
        mean[j] += values[base + j];
      }
    }
    for (int j = 0; j < dimension; j++) {
      mean[j] /= count;
    }
    return mean;
  }

  /**
   * The sample covariance Σ = Σᵢ (xᵢ−μ)(xᵢ−μ)ᵀ / (n−1), row-major d×d, exactly symmetric; the zero
   * matrix when n = 1 (one sample has no spread). Same convention as numpy's {@code np.cov(x,
   * rowvar=False)} and the reference FID code. O(n·d²) time, O(d²) memory.
   */
  public double[] covariance() {
    double[] mean = mean();
    double[] cov = new double[dimension * dimension];
    double[] centred = new double[dimension];
    for (int i = 0; i < count; i++) {
      int base = i * dimension;
      for (int j = 0; j < dimension; j++) {
        centred[j] = values[base + j] - mean[j];
      }
      // Upper triangle only, mirrored below: exact symmetry for the eigen-solver.
      for (int a = 0; a < dimension; a++) {
        double ca = centred[a];
        int row = a * dimension;
        for (int b = a; b < dimension; b++) {
          cov[row + b] += ca * centred[b];
        }
      }
    }
    double divisor = Math.max(1, count - 1);
    for (int a = 0; a < dimension; a++) {
      for (int b = a; b < dimension; b++) {
        double v = cov[a * dimension + b] / divisor;
        cov[a * dimension + b] = v;
        cov[b * dimension + a] = v;
      }
    }
    return cov;
  }

  /**
   * Mean squared distance of the vectors to their mean, scaled as the sample covariance: Tr(Σ) = Σᵢ
   * ‖xᵢ−μ‖² / (n−1); 0 when n = 1. O(n·d).
   */
  public double totalVariance() {
    if (count < 2) {
      return 0;
    }
    double[] mean = mean();
    double sum = 0;
    for (int i = 0; i < count; i++) {
      int base = i * dimension;
      for (int j = 0; j < dimension; j++) {
        double c = values[base + j] - mean[j];
        sum += c * c;
      }
    }
    return sum / (count - 1);
  }

  /**
   * Squared Euclidean distance between vector {@code i} of this set and {@code j} of {@code other}.
   */
  double squaredDistance(int i, Features other, int j) {
    int a = i * dimension;
    int b = j * other.dimension;
    double sum = 0;
    for (int k = 0; k < dimension; k++) {
      double diff = values[a + k] - other.values[b + k];
      sum += diff * diff;
    }
    return sum;
  }

  @Override
  public String toString() {
    return "Features[count=" + count + ", dimension=" + dimension + "]";
  }
}
