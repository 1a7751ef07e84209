package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class StabilityTest {

  @Test
  void relativeDifferenceHasItsDefiningValues() {
    assertThat(Stability.relativeDifference(100, 99)).isCloseTo(0.01, within(1e-15));
    assertThat(Stability.relativeDifference(99, 100)).isCloseTo(0.01, within(1e-15));
    assertThat(Stability.relativeDifference(0, 0)).isZero();
    assertThat(Stability.relativeDifference(1, -1)).isEqualTo(2);
    assertThat(Stability.withinTarget(100, 99.5)).isTrue();
    assertThat(Stability.withinTarget(100, 99)).isFalse();
    assertThatThrownBy(() -> Stability.relativeDifference(Double.NaN, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("figures must be finite, got NaN and 1.0");
  }

  @Test
  void evaluatingTheSameInputsTwiceGivesIdenticalFigures() {
    // The whole chain on baseline samples: fit, sample with a seed, score; run it twice from
    // fresh copies of the inputs. Every figure must be bit-identical, so any difference between
    // two evaluations of one version comes from what was sampled, never from the metrics.
    Evaluated first = evaluate(7);
    Evaluated second = evaluate(7);

    assertThat(second.frechet()).isEqualTo(first.frechet());
    assertThat(second.precisionRecall()).isEqualTo(first.precisionRecall());
    assertThat(second.diversity()).isEqualTo(first.diversity());
    assertThat(second.consistency()).isEqualTo(first.consistency());
    assertThat(Stability.relativeDifference(first.frechet().value(), second.frechet().value()))
        .isZero();
  }

  @Test
  void anotherSamplingSeedChangesTheFigures() {
    // The counterpart: the figures do depend on the samples, so the equality above is not
    // vacuous.
    assertThat(evaluate(8).frechet()).isNotEqualTo(evaluate(7).frechet());
  }

  private record Evaluated(
      FrechetDistance frechet,
      PrecisionRecall precisionRecall,
      Diversity diversity,
      ClassConsistency consistency) {}

  private static Evaluated evaluate(long seed) {
    int pixels = 12;
    int n = 300;
    Random data = new Random(1);
    float[] images = new float[n * pixels];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
      for (int p = 0; p < pixels; p++) {
        images[i * pixels + p] = (float) (labels[i] + Math.sin(p) * data.nextGaussian());
      }
    }
    GaussianBaseline baseline = GaussianBaseline.fit(images.clone(), labels.clone(), pixels, 3);
    float[] samples = baseline.sample(labels, new Random(seed));
    Features real = Features.of(images, pixels);
    Features generated = Features.of(samples, pixels);
    float[] scores = new float[n * 3];
    for (int i = 0; i < n; i++) {
      float mean = 0;
      for (int p = 0; p < pixels; p++) {
        mean += samples[i * pixels + p] / pixels;
      }
      for (int c = 0; c < 3; c++) {
        scores[i * 3 + c] = -Math.abs(mean - c);
      }
    }
    return new Evaluated(
        FrechetDistance.between(real, generated),
        PrecisionRecall.between(real, generated),
        Diversity.of(real, labels, generated, labels, 3),
        ClassConsistency.of(labels, scores, 3));
  }
}
