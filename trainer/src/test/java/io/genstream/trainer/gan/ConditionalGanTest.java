package io.genstream.trainer.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.trainer.testing.TestDigits;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionalGanTest {

  /** Tiny widths: these tests check mechanics, not image quality. */
  static final GanConfig TINY = GanConfig.digits().withWidths(16, 8, 8, 16).withBatchSize(16);

  static BatchSource digits(long seed) {
    TestDigits digits = new TestDigits(seed, 28);
    return size -> {
      float[] images = new float[size * 784];
      int[] labels = new int[size];
      for (int i = 0; i < size; i++) {
        labels[i] = digits.random().nextInt(10);
        digits.renderInto(labels[i], images, i * 784);
      }
      return new BatchSource.Batch(images, labels);
    };
  }

  @Test
  void sameSeedAndDataGiveTheSameLosses() {
    List<Float> first = losses(TINY, 3);
    List<Float> second = losses(TINY, 3);
    List<Float> otherSeed = losses(TINY.withSeed(7), 3);

    assertThat(first).isEqualTo(second);
    assertThat(first).isNotEqualTo(otherSeed);
  }

  @Test
  void aModelRestoredFromItsStateGeneratesWhatTheOriginalDidAndTrainsOn() {
    BatchSource source = digits(4);
    float[] z = new float[3 * 64];
    for (int i = 0; i < z.length; i++) {
      z[i] = (i % 7 - 3) / 3f;
    }
    long[] labels = {1, 5, 8};
    try (ConditionalGan original = new ConditionalGan(TINY)) {
      for (int i = 0; i < 3; i++) {
        BatchSource.Batch batch = source.next(16);
        original.step(batch.images(), batch.labels());
      }
      GanState state = original.state();

      try (ConditionalGan restored = new ConditionalGan(TINY, state)) {
        assertThat(restored.steps()).isEqualTo(3);
        assertThat(restored.generate(z, labels)).containsExactly(original.generate(z, labels));
        BatchSource.Batch batch = source.next(16);
        assertThat(restored.step(batch.images(), batch.labels()).step()).isEqualTo(4);
        assertThat(restored.generate(z, labels)).isNotEqualTo(original.generate(z, labels));
      }
    }
  }

  @Test
  void aStateOfAnotherArchitectureIsRefusedWithTheParameterThatDiffers() {
    GanState state;
    try (ConditionalGan gan = new ConditionalGan(TINY)) {
      state = gan.state();
    }
    assertThatThrownBy(() -> new ConditionalGan(TINY.withWidths(16, 8, 8, 32), state))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("another architecture");
  }

  @Test
  void nativeMemoryStaysFlatOverManySteps() {
    BatchSource source = digits(1);
    try (ConditionalGan gan = new ConditionalGan(TINY)) {
      BatchSource.Batch batch = source.next(16);
      gan.step(batch.images(), batch.labels());
      int arraysAfterFirstStep = gan.nativeArrayCount();
      for (int i = 0; i < 30; i++) {
        gan.step(batch.images(), batch.labels());
        gan.generate(new float[2 * 64], new long[] {0, 9});
      }
      assertThat(gan.nativeArrayCount()).isEqualTo(arraysAfterFirstStep);
      assertThat(gan.steps()).isEqualTo(31);
    }
  }

  @Test
  void runReturnsCountsLossesAndWeightsAndCallsTheListenerEveryStep() {
    List<TrainingProgress> seen = new ArrayList<>();

    TrainingResult result = GanTraining.run(TINY, digits(2), 4, seen::add);

    assertThat(result.steps()).isEqualTo(4);
    assertThat(result.imagesSeen()).isEqualTo(64);
    assertThat(result.imagesPerSecond()).isPositive();
    assertThat(result.lastStep().discriminatorLoss()).isFinite().isPositive();
    assertThat(result.lastStep().generatorLoss()).isFinite().isPositive();
    assertThat(seen).extracting(TrainingProgress::step).containsExactly(1L, 2L, 3L, 4L);
    assertThat(seen.get(3).imagesSeen()).isEqualTo(64);
    assertThat(result.generator().get(GeneratorWeights.CONV2_WEIGHT)).hasSize(8 * 9);
  }

  @Test
  void generatesImagesInTanhRangeWithTheConfiguredShape() {
    try (ConditionalGan gan = new ConditionalGan(TINY)) {
      float[] images = gan.generate(new float[3 * 64], new long[] {0, 5, 9});

      assertThat(images).hasSize(3 * 28 * 28);
      for (float v : images) {
        assertThat(v).isBetween(-1f, 1f);
      }
    }
  }

  @Test
  void rejectsBadInputsWithMessagesNamingTheValue() {
    try (ConditionalGan gan = new ConditionalGan(TINY)) {
      assertThatThrownBy(() -> gan.generate(new float[64], new long[] {10}))
          .hasMessageContaining("label must be 0..9, got 10");
      assertThatThrownBy(() -> gan.step(new float[784], new int[] {1}))
          .hasMessageContaining("at least 2 images");
      assertThatThrownBy(() -> gan.step(new float[784], new int[] {1, 2}))
          .hasMessageContaining("expected 2 images of 784 pixels");
    }
  }

  @Test
  void closedModelRefusesWork() {
    ConditionalGan gan = new ConditionalGan(TINY);
    gan.close();
    gan.close(); // idempotent

    assertThatThrownBy(() -> gan.generate(new float[64], new long[] {1}))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }

  @Test
  void configRejectsOutOfRangeValues() {
    GanConfig d = GanConfig.digits();
    assertThatThrownBy(() -> d.withBatchSize(1)).hasMessage("batchSize must be 2..4096, got 1");
    assertThatThrownBy(() -> new GanConfig(30, 64, 10, 16, 8, 8, 8, 8, 16, 2e-4f, 2e-4f, 0.5f,
        0.999f, 1, 10, 0)).hasMessageContaining("imageSize must be a multiple of 4");
    assertThatThrownBy(() -> new GanConfig(28, 64, 10, 16, 8, 8, 8, 8, 16, 0f, 2e-4f, 0.5f,
        0.999f, 1, 10, 0)).hasMessageContaining("generatorLearningRate must be in (0, 1), got 0.0");
  }

  @Test
  void trains32PixelImagesToo() {
    GanConfig config = new GanConfig(32, 16, 3, 4, 8, 8, 8, 8, 4, 2e-4f, 2e-4f, 0.5f, 0.999f,
        1, 10, 1);
    try (ConditionalGan gan = new ConditionalGan(config)) {
      StepResult result = gan.step(new float[4 * 32 * 32], new int[] {0, 1, 2, 0});
      assertThat(result.discriminatorLoss()).isFinite();
      gan.recalibrateBatchNorm(2);
      assertThat(gan.generate(new float[16], new long[] {2})).hasSize(32 * 32);
    }
  }

  @Test
  void twoModelsTrainOnTwoThreadsAtOnceAndStayDeterministic() throws Exception {
    List<Float> alone = losses(TINY, 3);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = pool.submit(() -> losses(TINY, 3));
      var second = pool.submit(() -> losses(TINY.withSeed(9), 3));

      assertThat(first.get()).isEqualTo(alone);
      assertThat(second.get()).hasSize(6).allMatch(Float::isFinite);
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Float> losses(GanConfig config, int steps) {
    BatchSource source = digits(5);
    List<Float> losses = new ArrayList<>();
    try (ConditionalGan gan = new ConditionalGan(config)) {
      for (int i = 0; i < steps; i++) {
        BatchSource.Batch batch = source.next(config.batchSize());
        StepResult r = gan.step(batch.images(), batch.labels());
        losses.add(r.discriminatorLoss());
        losses.add(r.generatorLoss());
      }
    }
    return losses;
  }
}
