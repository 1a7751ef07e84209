package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

  @Test
  void identicalSetsAreAtDistanceZero() {
    Features x = gaussianCloud(500, 16, new Random(1));

    FrechetDistance d = FrechetDistance.between(x, x);

    assertThat(d.meanTerm()).isZero();
    // Tr(Σ) is about 16 here; the trace term cancels to rounding.
    assertThat(d.covarianceTerm()).isCloseTo(0, within(1e-9));
  }

  @Test
  void shiftByVectorAddsItsSquaredNormAndNothingElse() {
    Features x = gaussianCloud(300, 4, new Random(2));
    double[] v = {1, -2, 0.5, 3}; // ‖v‖² = 1 + 4 + 0.25 + 9 = 14.25

    FrechetDistance d = FrechetDistance.between(x, shifted(x, v));

    assertThat(d.meanTerm()).isCloseTo(14.25, within(1e-12));
    assertThat(d.covarianceTerm()).isCloseTo(0, within(1e-9));
    assertThat(d.value()).isCloseTo(14.25, within(1e-9));
  }

  @Test
  void diagonalCovariancesGiveTheSumOfSquaredRootDifferences() {
    // ±s_k on each axis k (n = 2d = 6): mean 0, Σ = diag(2 s_k² / 5), off-diagonals exactly 0.
    // So d² = Σ_k (√a_k − √b_k)² = (2/5) Σ_k (s_k − t_k)² = 0.4 · (4 + 0.25 + 1) = 2.1.
    Features real = axisCross(new double[] {3, 1, 2});
    Features generated = axisCross(new double[] {1, 1.5, 1});

    FrechetDistance d = FrechetDistance.between(real, generated);

    assertThat(d.meanTerm()).isZero();
    assertThat(d.covarianceTerm()).isCloseTo(2.1, within(1e-12));
  }

  @Test
  void rotatingBothSetsTheSameWayChangesNothing() {
    // The same diagonal pair as above, both rotated by one orthogonal Q: Σ becomes Q Σ Qᵀ, full
    // and non-commuting with the other's; the distance is invariant, still 2.1.
    double[][] q = {
      {2.0 / 3, -2.0 / 3, 1.0 / 3}, {2.0 / 3, 1.0 / 3, -2.0 / 3}, {1.0 / 3, 2.0 / 3, 2.0 / 3}
    };
    Features real = rotated(axisCross(new double[] {3, 1, 2}), q);
    Features generated = rotated(axisCross(new double[] {1, 1.5, 1}), q);

    assertThat(FrechetDistance.between(real, generated).value()).isCloseTo(2.1, within(1e-12));
  }

  @Test
  void twoDimensionalCaseMatchesTheClosedFormTraceOfAMatrixSquareRoot() {
    // For 2×2 PSD M, Tr √M = √(Tr M + 2√det M); with M = Σ₁^½ Σ₂ Σ₁^½: Tr M = Tr(Σ₁Σ₂),
    // det M = det Σ₁ · det Σ₂. Σ₁ and Σ₂ here are correlated differently, so they do not commute.
    Features real = correlated(400, 0.8, 1.5, new Random(3));
    Features generated = correlated(300, -0.3, 0.7, new Random(4));
    double[] s1 = real.covariance();
    double[] s2 = generated.covariance();
    double traceProduct = s1[0] * s2[0] + s1[1] * s2[2] + s1[2] * s2[1] + s1[3] * s2[3];
    double det1 = s1[0] * s1[3] - s1[1] * s1[2];
    double det2 = s2[0] * s2[3] - s2[1] * s2[2];
    double expected =
        s1[0] + s1[3] + s2[0] + s2[3] - 2 * Math.sqrt(traceProduct + 2 * Math.sqrt(det1 * det2));

    assertThat(FrechetDistance.between(real, generated).covarianceTerm())
        .isCloseTo(expected, within(1e-12));
  }

  @Test
  void matchesNumpyReferenceOnAnIrregularCase() {
    // Reference: numpy (python3 here), x[i][j] = sin(1.3i + 0.7j) + ((i·j) mod 5)/5 for i < 12,
    // j < 4; y[i][j] = 0.5 + cos(0.9i + 1.1j)·(1 + j/4) + ((i² + 3j) mod 7)/7 for i < 10;
    // np.cov(rowvar=False), r = eigh-sqrt(Σ₁) (eigenvalues clipped at 0), trace term =
    // Tr Σ₁ + Tr Σ₂ − 2 Σ √eigvalsh(r Σ₂ r). Both covariances are full rank (smallest eigenvalues
    // 0.0023 and 0.017), so the figure is well conditioned; the non-symmetric route
    // (eigvals(Σ₁Σ₂)) agreed to 5e-15. Printed: mean_term 0.9458249951935269,
    // cov_term 1.5083035749901565, total 2.4541285701836832.
    double[] x = new double[12 * 4];
    for (int i = 0; i < 12; i++) {
      for (int j = 0; j < 4; j++) {
        x[i * 4 + j] = Math.sin(1.3 * i + 0.7 * j) + ((i * j) % 5) / 5.0;
      }
    }
    double[] y = new double[10 * 4];
    for (int i = 0; i < 10; i++) {
      for (int j = 0; j < 4; j++) {
        y[i * 4 + j] =
            0.5 + Math.cos(0.9 * i + 1.1 * j) * (1 + j / 4.0) + ((i * i + 3 * j) % 7) / 7.0;
      }
    }

    FrechetDistance d = FrechetDistance.between(Features.of(x, 4), Features.of(y, 4));

    assertThat(d.meanTerm()).isCloseTo(0.9458249951935269, within(1e-13));
    assertThat(d.covarianceTerm()).isCloseTo(1.5083035749901565, within(1e-12));
    assertThat(d.value()).isCloseTo(2.4541285701836832, within(1e-12));
  }

  @Test
  void scalingAboutTheOriginHasClosedFormAtFullDimension() {
    // Y = s·X: μ₂ = s·μ₁, Σ₂ = s²Σ₁, (Σ₁^½ s²Σ₁ Σ₁^½)^½ = sΣ₁, so
    // d² = (1−s)² (‖μ₁‖² + Tr Σ₁). Exercises the eigen-solver at d = 256 on a full Σ.
    int d = 256;
    Features x = correlatedCloud(600, d, new Random(5));
    double s = 0.6;
    double[] scaled = new double[x.count() * d];
    for (int i = 0; i < x.count(); i++) {
      double[] row = x.row(i);
      for (int j = 0; j < d; j++) {
        scaled[i * d + j] = s * row[j];
      }
    }
    double normMean = 0;
    for (double m : x.mean()) {
      normMean += m * m;
    }
    double expected = (1 - s) * (1 - s) * (normMean + x.totalVariance());

    double actual = FrechetDistance.between(x, Features.of(scaled, d)).value();

    assertThat(actual).isCloseTo(expected, within(1e-9 * expected));
  }

  @Test
  void fewerVectorsThanDimensionsStaysFiniteAndExact() {
    // n = 3 < d = 8: both covariances are rank 2, the square roots see zero eigenvalues. The
    // square root of an eigenvalue known only to ±ε·‖Σ‖ is known to ±√ε·‖Σ‖^½ ≈ 1e-8, so singular
    // cases are exact only to that: hence 1e-7 here, not 1e-12.
    Features x = gaussianCloud(3, 8, new Random(6));
    double[] v = {1, 1, 1, 1, 1, 1, 1, 1};

    FrechetDistance d = FrechetDistance.between(x, shifted(x, v));

    assertThat(d.value()).isCloseTo(8, within(1e-7));
  }

  @Test
  void rejectsMismatchedOrTooSmallSets() {
    Features two = Features.of(new double[] {0, 0, 1, 1}, 2);
    assertThatThrownBy(() -> FrechetDistance.between(two, Features.of(new double[] {0, 1}, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimensions differ: real 2, generated 1");
    assertThatThrownBy(() -> FrechetDistance.between(two, Features.of(new double[] {0, 1}, 2)))
        .hasMessage("each set needs at least 2 vectors for a covariance, got real 2, generated 1");
  }

  static Features gaussianCloud(int n, int d, Random random) {
    double[] values = new double[n * d];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextGaussian() + 0.1 * (i % d);
    }
    return Features.of(values, d);
  }

  /** x = A z + m with a fixed random A: a full, anisotropic covariance. */
  private static Features correlatedCloud(int n, int d, Random random) {
    double[] a = new double[d * d];
    for (int i = 0; i < a.length; i++) {
      a[i] = random.nextGaussian() / Math.sqrt(d);
    }
    double[] values = new double[n * d];
    double[] z = new double[d];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < d; k++) {
        z[k] = random.nextGaussian() * (1 + k % 7);
      }
      for (int j = 0; j < d; j++) {
        double sum = 0.05 * j;
        for (int k = 0; k < d; k++) {
          sum += a[j * d + k] * z[k];
        }
        values[i * d + j] = sum;
      }
    }
    return Features.of(values, d);
  }

  private static Features correlated(int n, double rho, double scale, Random random) {
    double[] values = new double[n * 2];
    for (int i = 0; i < n; i++) {
      double u = random.nextGaussian();
      double w = random.nextGaussian();
      values[2 * i] = u;
      values[2 * i + 1] = scale * (rho * u + Math.sqrt(1 - rho * rho) * w);
    }
    return Features.of(values, 2);
  }

  private static Features shifted(Features x, double[] v) {
    int d = x.dimension();
    double[] values = new double[x.count() * d];
    for (int i = 0; i < x.count(); i++) {
      double[] row = x.row(i);
      for (int j = 0; j < d; j++) {
        values[i * d + j] = row[j] + v[j];
      }
    }
    return Features.of(values, d);
  }

  private static Features axisCross(double[] s) {
    int d = s.length;
    double[] values = new double[2 * d * d];
    for (int k = 0; k < d; k++) {
      values[(2 * k) * d + k] = s[k];
      values[(2 * k + 1) * d + k] = -s[k];
    }
    return Features.of(values, d);
  }

  private static Features rotated(Features x, double[][] q) {
    int d = x.dimension();
    double[] values = new double[x.count() * d];
    for (int i = 0; i < x.count(); i++) {
      double[] row = x.row(i);
      for (int j = 0; j < d; j++) {
        double sum = 0;
        for (int k = 0; k < d; k++) {
          sum += q[j][k] * row[k];
        }
        values[i * d + j] = sum;
      }
    }
    return Features.of(values, d);
  }
}
