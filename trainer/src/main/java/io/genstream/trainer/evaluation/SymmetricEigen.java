package io.genstream.trainer.evaluation;

/**
 * Eigen-decomposition of a real symmetric matrix by cyclic Jacobi rotations, and the matrix square
 * root of a positive semi-definite one built from it.
 *
 * <p>Jacobi is chosen over a faster tridiagonal QR because it is short, needs no pivoting, and is
 * accurate to rounding on small eigenvalues (Demmel and Veselić 1992), which are exactly the ones
 * the square root magnifies. Each sweep costs O(d³); a symmetric matrix converges quadratically, in
 * well under 20 sweeps for d ≤ 256. Memory O(d²).
 */
final class SymmetricEigen {

  private static final int MAX_SWEEPS = 60;

  /** Eigenvalues (unsorted) and, if asked for, eigenvectors as the columns of a row-major d×d. */
  record Decomposition(double[] values, double[] vectors) {}

  private SymmetricEigen() {}

  /**
   * Decomposes the symmetric row-major {@code n×n} matrix {@code a} (not modified). Only the
   * symmetric part (a+aᵀ)/2 is used, so rounding asymmetry in the caller does not matter.
   *
   * @throws ArithmeticException if the rotations do not converge (not seen for finite input)
   */
  static Decomposition decompose(double[] a, int n, boolean wantVectors) {
    double[] m = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        m[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
      }
    }
    double[] v = null;
    if (wantVectors) {
      v = new double[n * n];
      for (int i = 0; i < n; i++) {
        v[i * n + i] = 1;
      }
    }
    double norm = 0;
    for (double x : m) {
      norm += x * x;
    }
    // Off-diagonal mass below this is rounding noise relative to the matrix: stop.
    double tolerance = 1e-30 * norm;
    for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
      double off = 0;
      for (int p = 0; p < n; p++) {
        for (int q = p + 1; q < n; q++) {
          off += m[p * n + q] * m[p * n + q];
        }
      }
      if (off <= tolerance) {
        return new Decomposition(diagonal(m, n), v);
      }
      for (int p = 0; p < n - 1; p++) {
        for (int q = p + 1; q < n; q++) {
          rotate(m, v, n, p, q);
        }
      }
    }
    throw new ArithmeticException("Jacobi rotations did not converge in " + MAX_SWEEPS + " sweeps");
  }

  /** One rotation m ← Jᵀ m J (and v ← v J) that zeroes m[p][q]. */
  private static void rotate(double[] m, double[] v, int n, int p, int q) {
    double apq = m[p * n + q];
    if (apq == 0) {
      return;
    }
    double app = m[p * n + p];
    double aqq = m[q * n + q];
    // cot 2φ = (aqq − app) / (2 apq); t = tan φ, the smaller root, keeps the rotation ≤ 45°.
    double theta = (aqq - app) / (2 * apq);
    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
    if (theta == 0) {
      t = 1;
    }
    double c = 1 / Math.sqrt(t * t + 1);
    double s = t * c;
    for (int k = 0; k < n; k++) {
      double akp = m[k * n + p];
      double akq = m[k * n + q];
      m[k * n + p] = c * akp - s * akq;
      m[k * n + q] = s * akp + c * akq;
    }
    for (int k = 0; k < n; k++) {
      double apk = m[p * n + k];
      double aqk = m[q * n + k];
      m[p * n + k] = c * apk - s * aqk;
      m[q * n + k] = s * apk + c * aqk;
    }
    m[p * n + q] = 0;
    m[q * n + p] = 0;
    if (v != null) {
      for (int k = 0; k < n; k++) {
        double vkp = v[k * n + p];
        double vkq = v[k * n + q];
        v[k * n + p] = c * vkp - s * vkq;
        v[k * n + q] = s * vkp + c * vkq;
      }
    }
  }

  private static double[] diagonal(double[] m, int n) {
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = m[i * n + i];
    }
    return d;
  }

  /**
   * The symmetric PSD square root V·diag(√max(λ,0))·Vᵀ. Negative eigenvalues of a matrix that is
   * PSD by construction (a covariance) are rounding, hence clamped to 0.
   */
  static double[] sqrtPsd(double[] a, int n) {
    Decomposition e = decompose(a, n, true);
    double[] root = new double[n];
    for (int i = 0; i < n; i++) {
      root[i] = Math.sqrt(Math.max(e.values()[i], 0));
    }
    double[] v = e.vectors();
    double[] out = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double sum = 0;
        for (int k = 0; k < n; k++) {
          sum += v[i * n + k] * root[k] * v[j * n + k];
        }
        out[i * n + j] = sum;
        out[j * n + i] = sum;
      }
    }
    return out;
  }

  /**
   * Tr(√a) = Σ √max(λ,0) for a PSD matrix, negative rounding clamped to 0 as in {@link #sqrtPsd}.
   */
  static double traceSqrtPsd(double[] a, int n) {
    double sum = 0;
    for (double lambda : decompose(a, n, false).values()) {
      sum += Math.sqrt(Math.max(lambda, 0));
    }
    return sum;
  }

  /** Row-major product of two n×n matrices. O(n³). */
  static double[] multiply(double[] a, double[] b, int n) {
    double[] out = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < n; k++) {
        double aik = a[i * n + k];
        if (aik == 0) {
          continue;
        }
        for (int j = 0; j < n; j++) {
          out[i * n + j] += aik * b[k * n + j];
        }
      }
    }
    return out;
  }
}
