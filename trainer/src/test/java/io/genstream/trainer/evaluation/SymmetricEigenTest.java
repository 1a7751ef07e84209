package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

  @Test
  void twoByTwoHasClosedFormEigenvalues() {
    // [[2, 1], [1, 2]]: eigenvalues 1 and 3, eigenvectors (1,−1)/√2 and (1,1)/√2.
    double[] values = SymmetricEigen.decompose(new double[] {2, 1, 1, 2}, 2, true).values();
    Arrays.sort(values);

    assertThat(values[0]).isCloseTo(1, within(1e-15));
    assertThat(values[1]).isCloseTo(3, within(1e-15));
  }

  @Test
  void decompositionReconstructsTheMatrixWithOrthonormalVectors() {
    int n = 40;
    double[] a = randomSymmetric(n, new Random(7));

    SymmetricEigen.Decomposition e = SymmetricEigen.decompose(a, n, true);
    double[] v = e.vectors();

    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double rebuilt = 0;
        double gram = 0;
        for (int k = 0; k < n; k++) {
          rebuilt += v[i * n + k] * e.values()[k] * v[j * n + k];
          gram += v[k * n + i] * v[k * n + j];
        }
        assertThat(rebuilt).isCloseTo(a[i * n + j], within(1e-12));
        assertThat(gram).isCloseTo(i == j ? 1 : 0, within(1e-13));
      }
    }
  }

  @Test
  void squareRootSquaresBackToAPsdMatrix() {
    int n = 30;
    // B·Bᵀ with B 30×10 is PSD of rank 10: twenty eigenvalues are 0 up to rounding (some
    // slightly negative), which the square root must clamp rather than turn into NaN.
    Random random = new Random(11);
    double[] b = new double[n * 10];
    for (int i = 0; i < b.length; i++) {
      b[i] = random.nextGaussian();
    }
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        for (int k = 0; k < 10; k++) {
          a[i * n + j] += b[i * 10 + k] * b[j * 10 + k];
        }
      }
    }

    double[] root = SymmetricEigen.sqrtPsd(a, n);
    double[] squared = SymmetricEigen.multiply(root, root, n);

    for (int i = 0; i < n * n; i++) {
      assertThat(root[i]).isNotNaN();
      assertThat(squared[i]).isCloseTo(a[i], within(1e-10));
    }
  }

  @Test
  void traceOfSquareRootIsTheSumOfRootEigenvalues() {
    // diag(4, 9, 16) rotated by 90° in the first plane: still eigenvalues 4, 9, 16 → 2+3+4 = 9.
    double[] a = {9, 0, 0, 0, 4, 0, 0, 0, 16};

    assertThat(SymmetricEigen.traceSqrtPsd(a, 3)).isCloseTo(9, within(1e-15));
  }

  private static double[] randomSymmetric(int n, Random random) {
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) {
        double x = random.nextGaussian();
        a[i * n + j] = x;
        a[j * n + i] = x;
      }
    }
    return a;
  }
}
