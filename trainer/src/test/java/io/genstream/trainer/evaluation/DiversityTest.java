package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class DiversityTest {

  @Test
  void smallCaseMatchesHandComputation() {
    // Real {0, 2}: Σ(x−x̄)²/(n−1) = (1 + 1)/1 = 2. Generated {0, 1}: (0.25 + 0.25)/1 = 0.5.
    // ratio = √(0.5 / 2) = 0.5.
    Diversity d =
        Diversity.of(Features.of(new double[] {0, 2}, 1), Features.of(new double[] {0, 1}, 1));

    assertThat(d.ratio()).isEqualTo(0.5);
    assertThat(d.perClass()).containsExactly(0.5);
  }

  @Test
  void collapsedGeneratorScoresZero() {
    Features real = cloud(200, 6, 1.0, new Random(1));
    double[] same = new double[50 * 6];
    for (int i = 0; i < same.length; i++) {
      same[i] = 0.25 * (i % 6);
    }

    assertThat(Diversity.of(real, Features.of(same, 6)).ratio()).isZero();
  }

  @Test
  void sameSetScoresExactlyOne() {
    Features real = cloud(200, 6, 1.0, new Random(2));

    assertThat(Diversity.of(real, real).ratio()).isEqualTo(1.0);
  }

  @Test
  void sameDistributionScoresAboutOne() {
    // Two independent samples of N(0, I₈) with 4000 vectors each: Tr Σ̂ has relative standard
    // error √(2/(8·4000)) ≈ 0.008, the ratio of roots about 0.006; 0.03 is five of those.
    Features real = cloud(4000, 8, 1.0, new Random(3));
    Features generated = cloud(4000, 8, 1.0, new Random(4));

    assertThat(Diversity.of(real, generated).ratio()).isCloseTo(1.0, within(0.03));
  }

  @Test
  void halfTheSpreadAboutTheCentroidScoresOneHalf() {
    Features real = cloud(300, 5, 2.0, new Random(5));
    double[] mean = real.mean();
    double[] half = new double[300 * 5];
    for (int i = 0; i < 300; i++) {
      double[] row = real.row(i);
      for (int j = 0; j < 5; j++) {
        half[i * 5 + j] = mean[j] + 0.5 * (row[j] - mean[j]);
      }
    }

    assertThat(Diversity.of(real, Features.of(half, 5)).ratio()).isCloseTo(0.5, within(1e-12));
  }

  @Test
  void averagesOverClassesAndSkipsClassesItCannotScore() {
    // Class 0: generated is a copy of real (1). Class 1: generated collapsed (0).
    // Class 2: only one generated vector (not scored, NaN). Mean of scored classes = 0.5.
    Features real = Features.of(new double[] {0, 0, 2, 0, 10, 10, 12, 10, 20, 20, 21, 20}, 2);
    int[] realLabels = {0, 0, 1, 1, 2, 2};
    Features generated = Features.of(new double[] {0, 0, 2, 0, 11, 10, 11, 10, 20, 20}, 2);
    int[] generatedLabels = {0, 0, 1, 1, 2};

    Diversity d = Diversity.of(real, realLabels, generated, generatedLabels, 3);

    assertThat(d.perClass()).containsExactly(1.0, 0.0, Double.NaN);
    assertThat(d.ratio()).isEqualTo(0.5);
  }

  @Test
  void rejectsInputsWithNoScorableClassOrBadLabels() {
    Features one = Features.of(new double[] {1, 2}, 1);
    assertThatThrownBy(() -> Diversity.of(Features.of(new double[] {3, 3}, 1), one))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no class has ≥ 2 real vectors with spread > 0 and ≥ 2 generated vectors");
    assertThatThrownBy(() -> Diversity.of(one, new int[] {0, 5}, one, new int[] {0, 0}, 2))
        .hasMessage("real label 1 must be 0..1, got 5");
    assertThatThrownBy(() -> Diversity.of(one, new int[] {0}, one, new int[] {0, 0}, 2))
        .hasMessage("real labels must be 2, one per vector, got 1");
  }

  private static Features cloud(int n, int d, double sigma, Random random) {
    double[] values = new double[n * d];
    for (int i = 0; i < values.length; i++) {
      values[i] = sigma * random.nextGaussian() + (i % d);
    }
    return Features.of(values, d);
  }
}
