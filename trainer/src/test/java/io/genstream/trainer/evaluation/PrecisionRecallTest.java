package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PrecisionRecallTest {

  @Test
  void oneDimensionalCaseMatchesHandComputation() {
    // Real {0, 1, 3, 7, 12}, k = 1: radii 1, 1, 2, 4, 5.
    // Generated {2, 10, 11.5, −0.5}: 2 ∈ ball(1), 10 ∈ ball(7), 11.5 ∈ ball(12), −0.5 ∈ ball(0)
    //   → precision 4/4.
    // Generated radii (k = 1): −0.5→2.5, 2→2.5, 10→1.5, 11.5→1.5.
    // Real 0 (0.5 from −0.5), 1 and 3 (1 from 2), 12 (0.5 from 11.5) inside; 7 is 3 from 10 > 1.5
    //   and 5 from 2 > 2.5 → recall 4/5.
    Features real = oneD(0, 1, 3, 7, 12);
    Features generated = oneD(2, 10, 11.5, -0.5);

    PrecisionRecall pr = PrecisionRecall.between(real, generated, 1);

    assertThat(pr.precision()).isEqualTo(1.0);
    assertThat(pr.recall()).isEqualTo(0.8);
    assertThat(pr.k()).isEqualTo(1);
  }

  @Test
  void pointOnTheBallsSurfaceIsInside() {
    // Real {0, 1, 2, 3}, k = 1: all radii 1. Generated 4 and −1 lie exactly 1 from an end point
    // (inside, ≤ as in the paper's code); 5 and −3 lie 2 away (outside) → precision 1/2.
    PrecisionRecall pr = PrecisionRecall.between(oneD(0, 1, 2, 3), oneD(4, 5, -1, -3), 1);

    assertThat(pr.precision()).isEqualTo(0.5);
  }

  @Test
  void generatedSubsetOfRealHasFullPrecision() {
    Features real = clusters(4, 25, new Random(1));
    int[] everyThird = new int[33];
    for (int i = 0; i < everyThird.length; i++) {
      everyThird[i] = 3 * i;
    }

    PrecisionRecall pr = PrecisionRecall.between(real, real.select(everyThird));

    assertThat(pr.precision()).isEqualTo(1.0);
    assertThat(pr.k()).isEqualTo(PrecisionRecall.DEFAULT_K);
  }

  @Test
  void generatorCoveringHalfTheClustersHasRecallOneHalf() {
    // Four tight clusters (σ = 0.1) 100 apart; the generator reproduces clusters 0 and 1 only.
    // Its balls (radii ≈ 0.1) cover exactly the real points of those clusters.
    Features real = clusters(4, 25, new Random(2));
    int[] firstHalf = new int[50];
    for (int i = 0; i < firstHalf.length; i++) {
      firstHalf[i] = i;
    }

    PrecisionRecall pr = PrecisionRecall.between(real, real.select(firstHalf));

    assertThat(pr.precision()).isEqualTo(1.0);
    assertThat(pr.recall()).isEqualTo(0.5);
  }

  @Test
  void collapsedGeneratorRecallsOnlyTheRealPointItCopies() {
    // All generated samples equal real point 0: generated radii are 0, so of the real points
    // only that one is inside → recall 1/100, while precision stays 1.
    Features real = clusters(4, 25, new Random(3));

    PrecisionRecall pr = PrecisionRecall.between(real, real.select(new int[10]));

    assertThat(pr.precision()).isEqualTo(1.0);
    assertThat(pr.recall()).isEqualTo(0.01);
  }

  @Test
  void matchesNumpyBruteForceReference() {
    // Reference: numpy brute force (python3 here), real[i] = (3 sin 1.7i, 2 cos 2.3i), i < 40;
    // generated[i] = (3 sin 1.1i + 1, 2 cos 0.7i), i < 30; radius = np.sort(distances)[:, k]
    // (column 0 is the point itself), inside = any(d ≤ radius). Printed:
    //   k = 3: precision 22/30 = 0.7333…, recall 39/40 = 0.975
    //   k = 1: precision  8/30 = 0.2666…, recall 31/40 = 0.775
    double[] r = new double[40 * 2];
    for (int i = 0; i < 40; i++) {
      r[2 * i] = 3 * Math.sin(1.7 * i);
      r[2 * i + 1] = 2 * Math.cos(2.3 * i);
    }
    double[] g = new double[30 * 2];
    for (int i = 0; i < 30; i++) {
      g[2 * i] = 3 * Math.sin(1.1 * i) + 1;
      g[2 * i + 1] = 2 * Math.cos(0.7 * i);
    }
    Features real = Features.of(r, 2);
    Features generated = Features.of(g, 2);

    PrecisionRecall k3 = PrecisionRecall.between(real, generated);
    PrecisionRecall k1 = PrecisionRecall.between(real, generated, 1);

    assertThat(k3.precision()).isEqualTo(22.0 / 30);
    assertThat(k3.recall()).isEqualTo(39.0 / 40);
    assertThat(k1.precision()).isEqualTo(8.0 / 30);
    assertThat(k1.recall()).isEqualTo(31.0 / 40);
  }

  @Test
  void rejectsSetsWithoutAKthNeighbour() {
    assertThatThrownBy(() -> PrecisionRecall.between(oneD(0, 1, 2), oneD(0, 1, 2, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("k must be ≥ 1 and below both counts, got k 3, real 3, generated 4");
    assertThatThrownBy(() -> PrecisionRecall.between(oneD(0, 1), oneD(0, 1), 0))
        .hasMessage("k must be ≥ 1 and below both counts, got k 0, real 2, generated 2");
  }

  private static Features oneD(double... values) {
    return Features.of(values, 1);
  }

  /** {@code count} clusters of {@code size} points each in 4-D, centres 100 apart, σ = 0.1. */
  private static Features clusters(int count, int size, Random random) {
    int d = 4;
    double[] values = new double[count * size * d];
    for (int c = 0; c < count; c++) {
      for (int i = 0; i < size; i++) {
        int base = (c * size + i) * d;
        for (int j = 0; j < d; j++) {
          values[base + j] = (j == c % d ? 100.0 * (c + 1) : 0) + 0.1 * random.nextGaussian();
        }
      }
    }
    return Features.of(values, d);
  }
}
