package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.messages.ModelStatus;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.family.TrainingState;
import io.genstream.trainer.promotion.Promotion;
import io.genstream.trainer.promotion.PromotionRules;
import io.genstream.trainer.testing.TestBatches;
import io.genstream.trainer.testing.TestDigits;
import java.util.Map;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The judge against generators whose quality is known by construction: one that draws real
 * digits (as good as the data), one that ignores z (collapsed), one that draws noise and one
 * that draws the wrong class. The evaluator itself is trained for real on rendered digits.
 */
class ImageEvaluationTest {

  private static final ModelSpec SPEC = ModelSpec.defaults(ModelSpec.Family.CGAN);
  private static final EvaluationOptions OPTIONS =
      new EvaluationOptions(5, 400, 200, 60, 0.9, 100, 600);
  private static ImageEvaluation evaluation;

  @BeforeAll
  static void trainTheEvaluatorOnRealDigits() {
    evaluation = new ImageEvaluation(SPEC, OPTIONS);
    TestBatches batches = new TestBatches(SPEC, 3);
    for (int i = 0; i < 10; i++) { // held out: 400 images
      Batch held = batches.next(40);
      for (int j = 0; j < 40; j++) {
        evaluation.holdOut(image(held, j));
      }
    }
    for (int step = 0; step < 600 && !evaluation.frozen(); step++) {
      Batch batch = batches.next(64);
      for (int j = 0; j < 64; j++) {
        evaluation.sawTraining(image(batch, j));
      }
      evaluation.learn(batch.images(), batch.labels());
      if (step % 50 == 49) {
        evaluation.evaluate(new Drawing((label, pixels) -> {}, 0)); // lets it freeze when ready
      }
    }
    assertThat(evaluation.frozen()).isTrue();
  }

  @AfterAll
  static void close() {
    evaluation.close();
  }

  @Test
  void aGeneratorAsGoodAsTheDataScoresLikeTheData() {
    Map<String, Double> real = evaluation.evaluate(realDigits(11));
    assertThat(real.get("evaluatorAccuracy")).isGreaterThanOrEqualTo(0.9);
    assertThat(real.get("classConsistency")).isGreaterThanOrEqualTo(0.9);
    assertThat(real.get("diversity")).isBetween(0.8, 1.25);
    assertThat(real.get("precision")).isGreaterThan(0.7);
    assertThat(real.get("recall")).isGreaterThan(0.7);
    assertThat(real).containsKeys("baselineFd", "baselinePrecision", "baselineRecall",
        "baselineDiversity", "baselineClassConsistency");
    // Real digits beat per-class Gaussians in pixel space, which blur the strokes.
    assertThat(real.get("fd")).isLessThan(real.get("baselineFd"));
  }

  @Test
  void aCollapsedGeneratorIsRejected() {
    TestDigits digits = new TestDigits(12, 28);
    float[][] one = new float[10][784];
    for (int c = 0; c < 10; c++) {
      digits.renderInto(c, one[c], 0);
    }
    // Ignores z: every sample of a class is the same image.
    Map<String, Double> collapsed = evaluation.evaluate(
        new Drawing((label, pixels) -> System.arraycopy(one[label], 0, pixels, 0, 784), 0));
    assertThat(collapsed.get("diversity")).isLessThan(0.05);

    Promotion promotion = new Promotion(PromotionRules.defaults(), "fd",
        ModelStatus.none("digits", "fd"));
    Promotion.Judgement judgement = promotion.judge(1, collapsed);
    assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.REJECTED);
    assertThat(judgement.next().best()).isZero();
  }

  @Test
  void aWorseVersionDoesNotBecomeBest() {
    Promotion promotion = new Promotion(PromotionRules.defaults(), "fd",
        ModelStatus.none("digits", "fd"));
    promotion.accept(promotion.judge(1, evaluation.evaluate(realDigits(13))));
    Random random = new Random(5);
    Map<String, Double> noisy = evaluation.evaluate(new Drawing((label, pixels) -> {
      new TestDigits(label * 7L + random.nextInt(1000), 28).renderInto(label, pixels, 0);
      for (int i = 0; i < pixels.length; i++) {
        pixels[i] = Math.max(-1f, Math.min(1f, pixels[i] + (float) random.nextGaussian() * 0.6f));
      }
    }, 0));
    Promotion.Judgement worse = promotion.judge(2, noisy);

    assertThat(noisy.get("fd")).isGreaterThan(promotion.status().bestValue());
    assertThat(worse.isBest()).isFalse();
    assertThat(worse.next().best()).isEqualTo(1);
  }

  @Test
  void aGeneratorThatDrawsTheWrongClassIsCaught() {
    Map<String, Double> shifted = evaluation.evaluate(new Drawing(
        (label, pixels) -> new TestDigits(label * 31L + 1, 28).renderInto((label + 1) % 10,
            pixels, 0), 0));
    assertThat(shifted.get("classConsistency")).isLessThan(0.2);
  }

  @Test
  void twoEvaluationsOfTheSameVersionAgree() {
    Map<String, Double> first = evaluation.evaluate(realDigits(14));
    Map<String, Double> second = evaluation.evaluate(realDigits(14));
    for (String metric : new String[] {"fd", "precision", "recall", "diversity",
        "classConsistency"}) {
      assertThat(Stability.withinTarget(first.get(metric), second.get(metric)))
          .as(metric).isTrue();
    }
  }

  @Test
  void checkpointsCarryTheFrozenEvaluator() {
    Map<String, float[]> tensors = new java.util.LinkedHashMap<>();
    Map<String, Long> counters = new java.util.HashMap<>();
    evaluation.save(tensors, counters);
    try (ImageEvaluation restored = new ImageEvaluation(SPEC, OPTIONS)) {
      assertThat(restored.restore(new TrainingState(SPEC, 1, tensors, counters))).isTrue();
      assertThat(restored.frozen()).isTrue();
      assertThat(restored.restore(new TrainingState(SPEC, 1, Map.of(), Map.of()))).isFalse();
    }
  }

  /** A generator of real digits, a different rendering per call: the data's own quality. */
  private static Drawing realDigits(long seed) {
    TestDigits digits = new TestDigits(seed, 28);
    return new Drawing((label, pixels) -> digits.renderInto(label, pixels, 0), 0);
  }

  private static RealImage image(Batch batch, int i) {
    float[] pixels = new float[784];
    System.arraycopy(batch.images(), i * 784, pixels, 0, 784);
    return new RealImage(batch.labels()[i], pixels);
  }

  /** A stand-in model family whose samples a function draws, one 28×28 image per label. */
  private record Drawing(BiConsumer<Integer, float[]> draw, long steps) implements ModelFamily {

    @Override
    public float[] sample(float[] latents, long[] labels) {
      float[] images = new float[labels.length * 784];
      float[] one = new float[784];
      for (int i = 0; i < labels.length; i++) {
        draw.accept((int) labels[i], one);
        System.arraycopy(one, 0, images, i * 784, 784);
      }
      return images;
    }

    @Override
    public ModelSpec spec() {
      return SPEC;
    }

    @Override
    public int imagesPerStep() {
      return SPEC.batchSize();
    }

    @Override
    public StepResult step(Batch batch) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Exported export() {
      throw new UnsupportedOperationException();
    }

    @Override
    public TrainingState state() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void restore(TrainingState state) {
      throw new UnsupportedOperationException();
    }

    @Override
    public Map<String, Long> parameterCounts() {
      return Map.of();
    }

    @Override
    public int nativeArrayCount() {
      return 0;
    }

    @Override
    public void close() {}
  }
}
