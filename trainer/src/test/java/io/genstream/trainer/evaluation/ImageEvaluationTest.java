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
import java.time.Duration;
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
      new EvaluationOptions(5, 400, 200, 60,
          new EvaluationOptions.Freeze(0.9, 100, 600, Duration.ZERO, 50, 5, 0.005));
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
      evaluation.learn(batch.images(), batch.labels()); // checks held-out accuracy every 50
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
  void anEvaluatorOnDataItCannotMasterFreezesAtItsPlateauLongBeforeItsBudget() {
    // Noise with random labels: nothing to learn, held-out accuracy stays about chance (0.1).
    EvaluationOptions hopeless = new EvaluationOptions(5, 200, 100, 10,
        new EvaluationOptions.Freeze(0.98, 50, 3000, Duration.ZERO, 10, 5, 0.005));
    Random random = new Random(8);
    try (ImageEvaluation noise = new ImageEvaluation(SPEC, hopeless)) {
      for (int i = 0; i < 200; i++) {
        noise.holdOut(new RealImage(random.nextInt(10), noiseImage(random)));
      }
      int steps = 0;
      while (!noise.frozen() && steps < 3000) {
        float[] images = new float[16 * 784];
        int[] labels = new int[16];
        for (int i = 0; i < 16; i++) {
          System.arraycopy(noiseImage(random), 0, images, i * 784, 784);
          labels[i] = random.nextInt(10);
        }
        noise.learn(images, labels);
        steps++;
      }
      assertThat(noise.frozen()).isTrue();
      assertThat(steps).isLessThan(1000);
      assertThat(noise.frozenBecause()).contains("accuracy plateaued at 0.", "over the last 5 "
          + "checks");
      assertThat(noise.evaluate(realDigits(20)).get("evaluatorAccuracy")).isLessThan(0.3);
    }
  }

  private static float[] noiseImage(Random random) {
    float[] pixels = new float[784];
    for (int p = 0; p < pixels.length; p++) {
      pixels[p] = random.nextFloat() * 2 - 1;
    }
    return pixels;
  }

  @Test
  void aCollapsedGeneratorIsRejected() {
    Map<String, Double> collapsed = evaluation.evaluate(ignoresZ());
    assertThat(collapsed.get("diversity")).isLessThan(0.05);
    assertThat(collapsed.get(PixelSpread.WORST)).isZero();

    Promotion promotion = newPromotion();
    Promotion.Judgement judgement = promotion.judge(1, collapsed);
    assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.REJECTED);
    assertThat(judgement.verdict().reason()).matches(
        "collapsed: class \\d spread 0\\.000 vs 0\\.\\d{3} real \\(0\\.000 < 0\\.25\\)");
    assertThat(judgement.next().best()).isZero();
  }

  @Test
  void aCollapsedGeneratorIsRejectedBeforeTheEvaluatorFreezesAndNeverBecomesBest() {
    try (ImageEvaluation learning = withHeldOutDigits()) {
      Map<String, Double> collapsed = learning.evaluate(ignoresZ());
      assertThat(learning.frozen()).isFalse();
      assertThat(collapsed).doesNotContainKeys("fd", "diversity");

      Promotion promotion = newPromotion();
      Promotion.Judgement judgement = promotion.judge(1, collapsed);
      promotion.accept(judgement);
      assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.REJECTED);
      assertThat(judgement.verdict().reason()).startsWith("collapsed: class ");

      // Once frozen, a healthy version is best and a collapsed one still cannot replace it,
      // even with an fd made better than best's.
      promotion.accept(promotion.judge(2, evaluation.evaluate(realDigits(15))));
      assertThat(promotion.best()).isEqualTo(2);
      Map<String, Double> later = new java.util.HashMap<>(evaluation.evaluate(ignoresZ()));
      later.put("fd", promotion.status().bestValue() / 10);
      Promotion.Judgement again = promotion.judge(3, later);
      promotion.accept(again);
      assertThat(again.verdict().status()).isEqualTo(ModelStatus.REJECTED);
      assertThat(promotion.best()).isEqualTo(2);
    }
  }

  @Test
  void aHealthyGeneratorPassesTheCollapseCheckBeforeAndAfterTheFreeze() {
    try (ImageEvaluation learning = withHeldOutDigits()) {
      Map<String, Double> before = learning.evaluate(realDigits(16));
      assertThat(before.get(PixelSpread.WORST)).isBetween(0.8, 1.25);
      assertThat(before.get(PixelSpread.MEAN)).isBetween(0.85, 1.15);
      Promotion.Judgement judgement = newPromotion().judge(1, before);
      assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.CANDIDATE);
      assertThat(judgement.verdict().reason()).contains("not judged: no fd yet",
          "not collapsed: pixel spread");
    }
    Map<String, Double> after = evaluation.evaluate(realDigits(17));
    assertThat(after.get(PixelSpread.WORST)).isBetween(0.8, 1.25);
    assertThat(newPromotion().judge(1, after).isBest()).isTrue();
  }

  @Test
  void anUnconditionalGeneratorIsJudgedOverAllItsImages() {
    ModelSpec dcgan = ModelSpec.defaults(ModelSpec.Family.DCGAN);
    try (ImageEvaluation unlabelled = new ImageEvaluation(dcgan, OPTIONS)) {
      TestBatches batches = new TestBatches(dcgan, 4);
      for (int i = 0; i < 5; i++) {
        Batch held = batches.next(40);
        for (int j = 0; j < 40; j++) {
          unlabelled.holdOut(image(held, j));
        }
      }
      Map<String, Double> collapsed = unlabelled.evaluate(ignoresZ().as(dcgan));
      Random pick = new Random(18);
      TestDigits digits = new TestDigits(19, 28);
      Map<String, Double> varied = unlabelled.evaluate(new Drawing(
          (label, pixels) -> digits.renderInto(pick.nextInt(10), pixels, 0), 0).as(dcgan));
      Promotion promotion = newPromotion();
      Promotion.Judgement rejected = promotion.judge(1, collapsed);
      assertThat(rejected.verdict().status()).isEqualTo(ModelStatus.REJECTED);
      assertThat(rejected.verdict().reason()).startsWith("collapsed: spread 0.000 vs 0.");
      assertThat(collapsed).doesNotContainKey(PixelSpread.WORST_CLASS);
      assertThat(varied.get(PixelSpread.WORST)).isGreaterThan(0.8);
    }
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
  void aDivergedGeneratorIsRejectedInsteadOfStoppingTheEvaluation() {
    Map<String, Double> nan = evaluation.evaluate(new Drawing((label, pixels) -> {
      realDigitsOnce(label, pixels);
      if (label == 3) {
        pixels[100] = Float.NaN;
      }
    }, 0));
    assertThat(nan.get(ImageEvaluation.NON_FINITE_IMAGES)).isEqualTo(60.0); // class 3's
    assertThat(nan).doesNotContainKeys("fd", PixelSpread.WORST);
    Promotion.Judgement judgement = newPromotion().judge(1, nan);
    assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.REJECTED);
    assertThat(judgement.verdict().reason())
        .isEqualTo("diverged: 60 generated images have NaN or infinite values");
  }

  private static final TestDigits ONCE = new TestDigits(21, 28);

  private static void realDigitsOnce(int label, float[] pixels) {
    ONCE.renderInto(label, pixels, 0);
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

  private static Promotion newPromotion() {
    return new Promotion(PromotionRules.defaults(), "fd", ModelStatus.none("digits", "fd"));
  }

  /** A fresh evaluation (its evaluator untrained) holding out 400 real digits. */
  private static ImageEvaluation withHeldOutDigits() {
    ImageEvaluation fresh = new ImageEvaluation(SPEC, OPTIONS);
    TestBatches batches = new TestBatches(SPEC, 6);
    for (int i = 0; i < 10; i++) {
      Batch held = batches.next(40);
      for (int j = 0; j < 40; j++) {
        fresh.holdOut(image(held, j));
      }
    }
    return fresh;
  }

  /** A generator that ignores z: every sample of a class is the same image. */
  private static Drawing ignoresZ() {
    TestDigits digits = new TestDigits(12, 28);
    float[][] one = new float[10][784];
    for (int c = 0; c < 10; c++) {
      digits.renderInto(c, one[c], 0);
    }
    return new Drawing((label, pixels) -> System.arraycopy(one[label], 0, pixels, 0, 784), 0);
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
  private record Drawing(BiConsumer<Integer, float[]> draw, long steps, ModelSpec spec)
      implements ModelFamily {

    Drawing(BiConsumer<Integer, float[]> draw, long steps) {
      this(draw, steps, SPEC);
    }

    /** The same drawing, as a model of {@code other} (same image size). */
    Drawing as(ModelSpec other) {
      return new Drawing(draw, steps, other);
    }

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
