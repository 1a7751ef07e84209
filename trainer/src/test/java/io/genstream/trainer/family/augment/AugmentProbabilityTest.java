package io.genstream.trainer.family.augment;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.ModelSpec.Family;
import io.genstream.trainer.family.TrainingState;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AugmentProbabilityTest {

  private static final int BATCH = 50;
  private static final int RAMP = 1000; // one interval of 4 × 50 images moves p by 0.2

  /** Made-up scores of D on a batch of reals: {@code positive} of them above 0. */
  private static float[] scores(int positive) {
    float[] values = new float[BATCH];
    Arrays.fill(values, -3f);
    Arrays.fill(values, 0, positive, 2f);
    return values;
  }

  private static void interval(AugmentProbability ada, int positive) {
    for (int i = 0; i < AugmentProbability.INTERVAL; i++) {
      ada.observe(scores(positive));
    }
  }

  @Test
  void adaptivePRisesWhileDIsSureOfTheRealsAndStopsAtOne() {
    AugmentProbability ada = new AugmentProbability(true, 0f, 0.6f, RAMP, 0f);
    for (int i = 0; i < AugmentProbability.INTERVAL - 1; i++) {
      ada.observe(scores(45));
    }
    assertThat(ada.p()).isZero(); // adjusted only at the end of an interval
    ada.observe(scores(45));
    assertThat(ada.overfitting()).isEqualTo(0.8f); // (45 − 5) / 50
    assertThat(ada.p()).isEqualTo(0.2f);
    interval(ada, 45);
    assertThat(ada.p()).isCloseTo(0.4f, org.assertj.core.api.Assertions.within(1e-6f));
    for (int i = 0; i < 10; i++) {
      interval(ada, 50);
    }
    assertThat(ada.overfitting()).isEqualTo(1f);
    assertThat(ada.p()).isEqualTo(1f);
  }

  @Test
  void adaptivePFallsWhenDIsUnsureAndStopsAtZero() {
    AugmentProbability ada = new AugmentProbability(true, 0.5f, 0.6f, RAMP, 0f);
    interval(ada, 35); // r_t = 0.4 < 0.6
    assertThat(ada.overfitting()).isEqualTo(0.4f);
    assertThat(ada.p()).isCloseTo(0.3f, org.assertj.core.api.Assertions.within(1e-6f));
    for (int i = 0; i < 5; i++) {
      interval(ada, 10);
    }
    assertThat(ada.p()).isZero();
  }

  @Test
  void theDecisionBoundaryIsTheObjectivesAndAFixedPNeverMoves() {
    // Least squares: D calls an image real above ½.
    AugmentProbability fixed = new AugmentProbability(false, 0.3f, 0.6f, RAMP, 0.5f);
    float[] values = new float[BATCH];
    Arrays.fill(values, 0.4f); // below ½: D calls every real image fake
    for (int i = 0; i < AugmentProbability.INTERVAL; i++) {
      fixed.observe(values);
    }
    assertThat(fixed.overfitting()).isEqualTo(-1f);
    assertThat(fixed.p()).isEqualTo(0.3f);
    interval(fixed, 50);
    assertThat(fixed.overfitting()).isEqualTo(1f);
    assertThat(fixed.p()).isEqualTo(0.3f);
  }

  @Test
  void rtIsFiniteBeforeTheFirstIntervalEnds() {
    AugmentProbability ada = new AugmentProbability(true, 0f, 0.6f, RAMP, 0f);
    assertThat(ada.overfitting()).isZero();
    ada.observe(scores(40));
    assertThat(ada.overfitting()).isEqualTo(0.6f);
  }

  @Test
  void aRestoredControllerContinuesWithTheSamePAndInterval() {
    ModelSpec spec = ModelSpec.defaults(Family.CGAN)
        .with(Map.of("augment", "translation", "adaImages", String.valueOf(RAMP)));
    AugmentProbability original = new AugmentProbability(spec, 0f);
    interval(original, 50);
    interval(original, 48);
    original.observe(scores(30)); // an interval in progress
    Map<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, Long> counters = new HashMap<>();
    original.save(tensors, counters);
    assertThat(original.p()).isGreaterThan(0.3f);

    AugmentProbability restored = new AugmentProbability(spec, 0f);
    restored.restore(new TrainingState(spec, 3, tensors, counters));
    assertThat(restored.p()).isEqualTo(original.p());
    assertThat(restored.overfitting()).isEqualTo(original.overfitting());
    for (int i = 0; i < 3; i++) {
      original.observe(scores(20));
      restored.observe(scores(20));
    }
    assertThat(restored.p()).isEqualTo(original.p());
    assertThat(restored.overfitting()).isEqualTo(original.overfitting());

    // A fixed p is the configured one, whatever the checkpoint held.
    AugmentProbability fixed = new AugmentProbability(
        spec.with(Map.of("augmentProbability", "0.25")), 0f);
    fixed.restore(new TrainingState(spec, 3, tensors, counters));
    assertThat(fixed.p()).isEqualTo(0.25f);
  }
}
