package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FeaturesTest {

  @Test
  void meanAndSampleCovarianceMatchHandComputation() {
    // Rows (1,2), (3,6), (5,4): mean (3,4); centred (−2,−2), (0,2), (2,0);
    // Σ = [[8, 4], [4, 8]] / (n−1 = 2) = [[4, 2], [2, 4]].
    Features f = Features.of(new float[] {1, 2, 3, 6, 5, 4}, 2);

    assertThat(f.count()).isEqualTo(3);
    assertThat(f.mean()).containsExactly(3, 4);
    assertThat(f.covariance()).containsExactly(4, 2, 2, 4);
    assertThat(f.totalVariance()).isEqualTo(8);
  }

  @Test
  void oneVectorHasZeroCovariance() {
    Features f = Features.ofRows(new double[] {1, 2, 3});

    assertThat(f.covariance()).containsOnly(0);
    assertThat(f.totalVariance()).isZero();
  }

  @Test
  void valuesAreCopiedIn() {
    double[] values = {1, 2, 3, 4};
    Features f = Features.of(values, 2);
    values[0] = 100;

    assertThat(f.row(0)).containsExactly(1, 2);
  }

  @Test
  void selectKeepsTheGivenRowsInOrder() {
    Features f = Features.ofRows(new double[] {1, 1}, new double[] {2, 2}, new double[] {3, 3});

    Features picked = f.select(new int[] {2, 0, 2});

    assertThat(picked.count()).isEqualTo(3);
    assertThat(picked.row(0)).containsExactly(3, 3);
    assertThat(picked.row(1)).containsExactly(1, 1);
    assertThat(picked.mean()[0]).isCloseTo(7.0 / 3, within(1e-15));
  }

  @Test
  void rejectsShapesOutsideTheLimitsWithTheValueAndTheRange() {
    assertThatThrownBy(() -> Features.of(new float[257], 257))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("dimension must be 1..256, got 257");
    assertThatThrownBy(() -> Features.of(new float[5], 2))
        .hasMessage("length must be a positive multiple of dimension 2, got 5");
    assertThatThrownBy(() -> Features.of(new float[0], 2))
        .hasMessage("length must be a positive multiple of dimension 2, got 0");
    assertThatThrownBy(() -> Features.of(new float[] {1, Float.NaN}, 1))
        .hasMessage("value 1 is not finite: NaN");
    assertThatThrownBy(() -> Features.of(new double[Features.MAX_COUNT + 1], 1))
        .hasMessage("count must be 1..20000, got 20001");
    assertThatThrownBy(() -> Features.ofRows(new double[] {1, 2}, new double[] {3}))
        .hasMessage("row 1 has 1 values, expected 2");
  }
}
