package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.genstream.trainer.evaluation.Evaluator.Settings;
import io.genstream.trainer.testing.TestDigits;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EvaluatorTest {

  private static final int SIZE = 28;
  private static final int PIXELS = SIZE * SIZE;
  private static final int BATCH = 64;

  /** Rendered digits in [-1, 1] with their labels, cycling 0..9 in a shuffled order. */
  record Digits(float[] images, int[] labels) {
    static Digits render(TestDigits source, int n) {
      float[] images = new float[n * PIXELS];
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = source.random().nextInt(10);
        source.renderInto(labels[i], images, i * PIXELS);
      }
      return new Digits(images, labels);
    }

    int count() {
      return labels.length;
    }

    Digits range(int from, int to) {
      return new Digits(Arrays.copyOfRange(images, from * PIXELS, to * PIXELS),
          Arrays.copyOfRange(labels, from, to));
    }
  }

  private static Settings digits(long seed) {
    return Settings.of(1, SIZE, 10, seed);
  }

  /** Trains on {@code steps} fresh batches from {@code stream}; returns the last loss. */
  private static float train(Evaluator evaluator, TestDigits stream, int steps) {
    float loss = Float.NaN;
    for (int i = 0; i < steps; i++) {
      Digits batch = Digits.render(stream, BATCH);
      loss = evaluator.train(batch.images(), batch.labels());
    }
    return loss;
  }

  private static void assertSameFeatures(Features a, Features b) {
    assertThat(a.count()).isEqualTo(b.count());
    for (int i = 0; i < a.count(); i++) {
      assertThat(a.row(i)).as("feature row %d", i).containsExactly(b.row(i));
    }
  }

  @Test
  void learnsToTellTheDigitsApart() {
    Digits heldOut = Digits.render(new TestDigits(1001, SIZE), 500);
    try (Evaluator evaluator = new Evaluator(digits(1))) {
      double untrained = evaluator.accuracy(heldOut.images(), heldOut.labels());
      TestDigits stream = new TestDigits(1, SIZE);
      long start = System.nanoTime();
      float firstLoss = train(evaluator, stream, 1);
      float lastLoss = train(evaluator, stream, 249);
      double millisPerStep = (System.nanoTime() - start) / 1e6 / 250;
      float[] thousand = Digits.render(new TestDigits(5, SIZE), 1000).images();
      long extract = System.nanoTime();
      Features features = evaluator.features(thousand);
      double featureMillis = (System.nanoTime() - extract) / 1e6;
      double accuracy = evaluator.accuracy(heldOut.images(), heldOut.labels());
      System.out.printf("evaluator: held-out accuracy %.3f (untrained %.3f), loss %.3f → %.3f, "
          + "%.1f ms per step of %d (incl. rendering), features of %d in %.0f ms%n",
          accuracy, untrained, firstLoss, lastLoss, millisPerStep, BATCH, features.count(),
          featureMillis);
      assertThat(untrained).isLessThan(0.3);
      assertThat(lastLoss).isLessThan(firstLoss / 4);
      assertThat(accuracy).isGreaterThanOrEqualTo(0.9);
      assertThat(evaluator.steps()).isEqualTo(250);
      // Its predictions are what ClassConsistency scores: held-out real digits score as accuracy.
      float[] probabilities = evaluator.probabilities(heldOut.images());
      assertThat(ClassConsistency.of(heldOut.labels(), probabilities, 10).overall())
          .isEqualTo(accuracy);
    }
  }

  @Test
  void featuresAreDeterministicShapedAndDoNotDependOnTheBatch() {
    Digits data = Digits.render(new TestDigits(3, SIZE), 300); // more than one chunk of 256
    try (Evaluator evaluator = new Evaluator(digits(3))) {
      train(evaluator, new TestDigits(4, SIZE), 5);
      Features all = evaluator.features(data.images());
      assertThat(all.count()).isEqualTo(300);
      assertThat(all.dimension()).isEqualTo(64);
      assertSameFeatures(evaluator.features(data.images()), all);
      Features tail = evaluator.features(data.range(250, 300).images());
      assertSameFeatures(tail, all.select(IntStream.range(250, 300).toArray()));
      assertThat(all.totalVariance()).as("features vary across images").isPositive();
      for (int i = 0; i < all.count(); i++) {
        assertThat(Arrays.stream(all.row(i)).min().orElseThrow()).as("ReLU features")
            .isGreaterThanOrEqualTo(0);
      }

      float[] probabilities = evaluator.probabilities(data.images());
      assertThat(probabilities).hasSize(300 * 10);
      for (int i = 0; i < 300; i++) {
        double sum = 0;
        for (int c = 0; c < 10; c++) {
          float p = probabilities[i * 10 + c];
          assertThat(p).isBetween(0f, 1f);
          sum += p;
        }
        assertThat(sum).as("row %d", i).isCloseTo(1.0, within(1e-5));
      }
    }
  }

  @Test
  void theSameSeedAndDataGiveIdenticalFeaturesAndAnotherSeedOthers() {
    Digits probe = Digits.render(new TestDigits(9, SIZE), 40);
    try (Evaluator a = new Evaluator(digits(7));
        Evaluator b = new Evaluator(digits(7));
        Evaluator c = new Evaluator(digits(8))) {
      float lossA = train(a, new TestDigits(2, SIZE), 5);
      float lossB = train(b, new TestDigits(2, SIZE), 5);
      float lossC = train(c, new TestDigits(2, SIZE), 5);
      assertThat(lossB).isEqualTo(lossA);
      assertSameFeatures(b.features(probe.images()), a.features(probe.images()));
      assertThat(lossC).isNotEqualTo(lossA);
      assertThat(c.features(probe.images()).row(0)).isNotEqualTo(a.features(probe.images())
          .row(0));
    }
  }

  @Test
  void learnsTheRotationOfUnlabelledImages() {
    float[] heldOut = Digits.render(new TestDigits(2002, SIZE), 200).images();
    try (Evaluator evaluator = new Evaluator(Settings.of(1, SIZE, 0, 5))) {
      double untrained = evaluator.rotationAccuracy(heldOut);
      TestDigits stream = new TestDigits(6, SIZE);
      for (int i = 0; i < 150; i++) {
        evaluator.train(Digits.render(stream, BATCH).images(), null);
      }
      double accuracy = evaluator.rotationAccuracy(heldOut);
      System.out.printf("evaluator: held-out rotation accuracy %.3f (untrained %.3f)%n",
          accuracy, untrained);
      assertThat(untrained).isLessThan(0.4);
      assertThat(accuracy).isGreaterThan(0.7);
      assertThat(evaluator.features(heldOut).dimension()).isEqualTo(64);
      assertThatThrownBy(() -> evaluator.probabilities(heldOut))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("no classes");
    }
  }

  @ParameterizedTest(name = "classes {0}")
  @ValueSource(ints = {10, 0})
  void aRestoredEvaluatorGivesTheSameFeaturesAndContinuesIdentically(int classes) {
    Digits probe = Digits.render(new TestDigits(11, SIZE), 20);
    Digits next = Digits.render(new TestDigits(12, SIZE), BATCH);
    try (Evaluator original = new Evaluator(Settings.of(1, SIZE, classes, 1));
        Evaluator restored = new Evaluator(Settings.of(1, SIZE, classes, 1))) {
      train(original, new TestDigits(13, SIZE), 4);
      Map<String, float[]> state = original.state();
      assertThat(state).containsKeys("weights/conv1.weight", "optimizer/m.conv1.weight");
      restored.restore(state, original.steps());
      assertThat(restored.steps()).isEqualTo(4);
      assertSameFeatures(restored.features(probe.images()), original.features(probe.images()));

      float loss = original.train(next.images(), next.labels());
      assertThat(restored.train(next.images(), next.labels())).isEqualTo(loss);
      assertSameFeatures(restored.features(probe.images()), original.features(probe.images()));
      // isEqualTo compares arrays element-wise in O(n); containsExactly is far slower on 200k.
      assertThat(restored.state().get("optimizer/v.features.weight"))
          .isEqualTo(original.state().get("optimizer/v.features.weight"));
    }
  }

  @Test
  void aStateThatDoesNotFitIsRefusedNamingTheTensor() {
    try (Evaluator small = new Evaluator(new Settings(1, SIZE, 10, 32, 1e-3f, 1));
        Evaluator evaluator = new Evaluator(digits(1))) {
      train(small, new TestDigits(1, SIZE), 1);
      Map<String, float[]> foreign = small.state();
      assertThatThrownBy(() -> evaluator.restore(foreign, 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("features.weight");

      Map<String, float[]> state = new LinkedHashMap<>(evaluator.state());
      Map<String, float[]> unknown = new LinkedHashMap<>(state);
      unknown.put("weights/extra", new float[1]);
      assertThatThrownBy(() -> evaluator.restore(unknown, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extra");
      Map<String, float[]> missing = new LinkedHashMap<>(state);
      missing.remove("weights/conv2.bias");
      assertThatThrownBy(() -> evaluator.restore(missing, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("conv2.bias");
      assertThatThrownBy(() -> evaluator.restore(state, 3))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("optimizer");
      assertThat(evaluator.steps()).isZero();
    }
  }

  @Test
  void nativeMemoryStaysFlatOverManyCalls() {
    try (Evaluator evaluator = new Evaluator(digits(2))) {
      Digits batch = Digits.render(new TestDigits(2, SIZE), BATCH);
      evaluator.train(batch.images(), batch.labels()); // creates the Adam moments
      int before = evaluator.nativeArrayCount();
      for (int i = 0; i < 50; i++) {
        evaluator.train(batch.images(), batch.labels());
        evaluator.features(batch.images());
        evaluator.accuracy(batch.images(), batch.labels());
      }
      evaluator.restore(evaluator.state(), evaluator.steps());
      assertThat(evaluator.nativeArrayCount()).isEqualTo(before);
    }
  }

  @Test
  void badInputsAreRefusedWithAClearMessage() {
    try (Evaluator evaluator = new Evaluator(digits(1))) {
      Digits batch = Digits.render(new TestDigits(1, SIZE), 4);
      assertThatThrownBy(() -> evaluator.train(new float[PIXELS + 1], new int[1]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("784");
      assertThatThrownBy(() -> evaluator.features(new float[0]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("784");
      assertThatThrownBy(() -> evaluator.train(batch.images(), new int[3]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 labels");
      assertThatThrownBy(() -> evaluator.train(batch.images(), new int[] {0, 1, 10, 2}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("label 2 must be 0..9, got 10");
      assertThatThrownBy(() -> evaluator.accuracy(batch.images(), new int[] {0, -1, 0, 0}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
      float[] withNaN = batch.images().clone();
      withNaN[5] = Float.NaN;
      assertThatThrownBy(() -> evaluator.train(withNaN, batch.labels()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not finite");
      assertThatThrownBy(() -> evaluator.rotationAccuracy(batch.images()))
          .isInstanceOf(IllegalStateException.class);
      assertThat(evaluator.steps()).as("refused calls do not step").isZero();
    }
    assertThatThrownBy(() -> Settings.of(2, SIZE, 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("channels");
    assertThatThrownBy(() -> Settings.of(1, 300, 10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("imageSize");
    assertThatThrownBy(() -> Settings.of(1, SIZE, 1, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("classes");
    assertThatThrownBy(() -> new Settings(1, SIZE, 10, 4, 1e-3f, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("featureDim");
    assertThatThrownBy(() -> new Settings(1, SIZE, 10, 64, 0f, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learningRate");
  }

  @Test
  void oddAndSmallImageSizesWorkAndAClosedEvaluatorRefusesCalls() {
    Evaluator evaluator = new Evaluator(Settings.of(3, 9, 2, 1)); // 9 → 4 → 2
    float[] images = new float[2 * 3 * 9 * 9];
    evaluator.train(images, new int[] {0, 1});
    assertThat(evaluator.features(images).count()).isEqualTo(2);
    evaluator.close();
    assertThatThrownBy(() -> evaluator.features(images))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    evaluator.close(); // idempotent
  }
}
