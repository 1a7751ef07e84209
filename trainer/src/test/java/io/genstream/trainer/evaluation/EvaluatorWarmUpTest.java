package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A real (tiny) evaluator warmed up against scripted held-out accuracies and a scripted clock, so
 * each freeze happens at a step known in advance.
 */
class EvaluatorWarmUpTest {

  private static final Evaluator.Settings TINY = Evaluator.Settings.of(1, 8, 2, 5);
  private static final long SECOND = 1_000_000_000L;

  private static EvaluationOptions.Freeze freeze(int maxSteps, Duration maxTime, int checkEvery,
      int plateauChecks) {
    return new EvaluationOptions.Freeze(0.99, 0, maxSteps, maxTime, checkEvery, plateauChecks,
        0.005);
  }

  /** Held-out accuracies in turn, measured over both classes; the last one repeats. */
  private static Supplier<EvaluatorWarmUp.Measured> scripted(double... accuracies) {
    AtomicInteger next = new AtomicInteger();
    return () -> new EvaluatorWarmUp.Measured(
        accuracies[Math.min(next.getAndIncrement(), accuracies.length - 1)], 2);
  }

  /** Batch {@code i} of 8 random 8×8 images with random labels: the same for every caller. */
  private static void step(EvaluatorWarmUp warmUp, int i) {
    Random random = new Random(100 + i);
    float[] images = new float[8 * 64];
    int[] labels = new int[8];
    for (int j = 0; j < images.length; j++) {
      images[j] = random.nextFloat() * 2 - 1;
    }
    for (int j = 0; j < labels.length; j++) {
      labels[j] = random.nextInt(2);
    }
    warmUp.learn(images, labels);
  }

  @Test
  void aPlateauFreezesItWithTheWeightsOfItsMostAccurateCheck() {
    try (Evaluator evaluator = new Evaluator(TINY); Evaluator twin = new Evaluator(TINY)) {
      // Checks at steps 2, 4, 6, 8: the best is at step 4, then two checks without improvement.
      EvaluatorWarmUp warmUp = new EvaluatorWarmUp(evaluator,
          new FreezeRule(freeze(1000, Duration.ZERO, 2, 2), 0.99),
          scripted(0.5, 0.9, 0.6, 0.6), 2, () -> 0);
      for (int i = 0; i < 8; i++) {
        assertThat(warmUp.frozen()).as("before step " + (i + 1)).isFalse();
        step(warmUp, i);
      }
      assertThat(warmUp.frozen()).isTrue();
      assertThat(warmUp.reason()).isEqualTo("accuracy plateaued at 0.900 over the last 2 checks;"
          + " keeps its weights of step 4 (accuracy 0.900)");
      assertThat(evaluator.steps()).isEqualTo(4);

      // Same weights as an evaluator trained on the first four batches only.
      EvaluatorWarmUp twinWarmUp = new EvaluatorWarmUp(twin,
          new FreezeRule(freeze(1000, Duration.ZERO, 1000, 2), 0.99), () -> null, 2, () -> 0);
      for (int i = 0; i < 4; i++) {
        step(twinWarmUp, i);
      }
      float[] probe = new float[64];
      java.util.Arrays.fill(probe, 0.25f);
      assertThat(evaluator.features(probe).row(0)).containsExactly(twin.features(probe).row(0));

      step(warmUp, 8); // frozen: no more learning
      assertThat(evaluator.steps()).isEqualTo(4);
    }
  }

  @Test
  void theStepBudgetFreezesItWhateverItsAccuracy() {
    try (Evaluator evaluator = new Evaluator(TINY)) {
      // Still improving at every check: only the budget can stop it.
      EvaluatorWarmUp warmUp = new EvaluatorWarmUp(evaluator,
          new FreezeRule(freeze(5, Duration.ZERO, 2, 2), 0.99),
          scripted(0.5, 0.6, 0.7, 0.8), 2, () -> 0);
      for (int i = 0; i < 4; i++) {
        step(warmUp, i);
      }
      assertThat(warmUp.frozen()).isFalse();
      step(warmUp, 4);
      assertThat(warmUp.frozen()).isTrue();
      assertThat(warmUp.reason()).isEqualTo("step budget of 5 steps spent (accuracy 0.700)");
      assertThat(evaluator.steps()).isEqualTo(5);
    }
  }

  @Test
  void theTimeBudgetFreezesItCountedFromItsFirstStep() {
    try (Evaluator evaluator = new Evaluator(TINY)) {
      AtomicLong clock = new AtomicLong(1000 * SECOND);
      EvaluatorWarmUp warmUp = new EvaluatorWarmUp(evaluator,
          new FreezeRule(freeze(1000, Duration.ofSeconds(30), 2, 2), 0.99),
          () -> null, 2, clock::get); // too few held out: no accuracy at all
      step(warmUp, 0);
      clock.addAndGet(29 * SECOND);
      step(warmUp, 1);
      assertThat(warmUp.frozen()).isFalse();
      clock.addAndGet(SECOND);
      step(warmUp, 2);
      assertThat(warmUp.frozen()).isTrue();
      assertThat(warmUp.reason()).isEqualTo("time budget of 30 s spent");
      assertThat(evaluator.steps()).isEqualTo(3);
    }
  }
}
