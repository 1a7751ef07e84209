package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PixelSpreadTest {

  /** {@code n} images of {@code pixels} values, image i filled with {@code values[i % length]}. */
  private static float[] flat(int n, int pixels, float... values) {
    float[] images = new float[n * pixels];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(images, i * pixels, (i + 1) * pixels, values[i % values.length]);
    }
    return images;
  }

  @Test
  void theSpreadIsTheMeanPairwiseL1InUnitsOfThePixelRange() {
    // Black and white alternate: 2 of the 3 pairs differ by the whole range.
    PixelSpread spread = PixelSpread.of(flat(3, 4, -1f, 1f), new int[3], flat(2, 4, 0f),
        new int[2], 1, 4);
    assertThat(spread.real(0)).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(spread.generated(0)).isZero();
    assertThat(spread.ratio(0)).isZero();
  }

  @Test
  void aGeneratorThatIgnoresItsLatentHasNoSpreadInAnyClass() {
    int[] labels = {0, 0, 0, 1, 1, 1};
    float[] real = flat(6, 10, -1f, 0.5f, 0f, 1f, -0.5f, 0.2f);
    float[] identical = flat(6, 10, 0.3f, 0.3f, 0.3f, -0.7f, -0.7f, -0.7f);
    PixelSpread spread = PixelSpread.of(real, labels, identical, labels, 2, 10);
    assertThat(spread.ratio(0)).isZero();
    assertThat(spread.ratio(1)).isZero();
    assertThat(spread.meanRatio()).isZero();
  }

  @Test
  void theWorstClassIsReportedWithItsSpreads() {
    int[] labels = {0, 0, 1, 1, 2, 2};
    float[] real = flat(6, 4, -1f, 1f, -1f, 1f, -1f, 1f); // every class spread 1
    float[] generated = flat(6, 4, -1f, 1f, 0f, 0.2f, -0.5f, 0.5f); // 1, 0.1, 0.5
    PixelSpread spread = PixelSpread.of(real, labels, generated, labels, 3, 4);
    assertThat(spread.worstClass()).isEqualTo(1);
    assertThat(spread.meanRatio()).isCloseTo((1 + 0.1 + 0.5) / 3, within(1e-6));

    Map<String, Double> metrics = new LinkedHashMap<>();
    spread.addTo(metrics, true);
    assertThat(metrics.get(PixelSpread.WORST)).isCloseTo(0.1, within(1e-6));
    assertThat(metrics.get(PixelSpread.WORST_CLASS)).isEqualTo(1.0);
    assertThat(metrics.get(PixelSpread.WORST_GENERATED)).isCloseTo(0.1, within(1e-6));
    assertThat(metrics.get(PixelSpread.WORST_REAL)).isEqualTo(1.0);
    Map<String, Double> unconditional = new LinkedHashMap<>();
    spread.addTo(unconditional, false);
    assertThat(unconditional).doesNotContainKey(PixelSpread.WORST_CLASS)
        .containsKeys(PixelSpread.MEAN, PixelSpread.WORST);
  }

  @Test
  void classesWithFewerThanTwoImagesOrNoRealSpreadAreNotScored() {
    int[] realLabels = {0, 0, 1, 2, 2};
    float[] real = flat(5, 4, -1f, 1f, 0f, 0.5f, 0.5f); // class 1: one image; class 2: no spread
    int[] generatedLabels = {0, 0, 1, 1, 2, 2};
    PixelSpread spread = PixelSpread.of(real, realLabels, flat(6, 4, 0f, 0.5f), generatedLabels,
        4, 4);
    assertThat(spread.ratio(0)).isCloseTo(0.25, within(1e-6));
    assertThat(spread.ratio(1)).isNaN();
    assertThat(spread.ratio(2)).isNaN();
    assertThat(spread.ratio(3)).isNaN();
    assertThat(spread.worstClass()).isZero();

    PixelSpread none = PixelSpread.of(flat(1, 4, 0f), new int[1], flat(2, 4, 0f), new int[2], 1,
        4);
    assertThat(none.scored()).isFalse();
    Map<String, Double> metrics = new LinkedHashMap<>();
    none.addTo(metrics, false);
    assertThat(metrics).isEmpty();
  }

  @Test
  void onlyTheFirstImagesOfAClassAreMeasured() {
    int n = PixelSpread.MAX_IMAGES + 50;
    float[] images = new float[n];
    for (int i = PixelSpread.MAX_IMAGES; i < n; i++) {
      images[i] = 1f; // beyond the cap: would add spread if counted
    }
    PixelSpread spread = PixelSpread.of(images, new int[n], images, new int[n], 1, 1);
    assertThat(spread.real(0)).isZero();
  }

  @Test
  void mismatchedSizesAndLabelsAreRefused() {
    assertThatThrownBy(() -> PixelSpread.of(new float[7], new int[2], new float[8], new int[2],
        1, 4)).hasMessage("real images must be 2 × 4 values, got 7");
    assertThatThrownBy(() -> PixelSpread.of(new float[8], new int[] {0, 3}, new float[8],
        new int[2], 2, 4)).hasMessage("real label 1 must be 0..1, got 3");
  }
}
