package io.genstream.trainer.family.framepred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.ModelSpec.Family;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.family.TrainingState;
import io.genstream.trainer.testing.ExactResume;
import io.genstream.trainer.testing.OrtRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FramePredictionFamilyTest {

  static final int SIZE = 16;
  static final int K = 2; // context frames
  static final int PIXELS = SIZE * SIZE;

  /** Tiny widths on 16×16 grey clips of K+1 frames: mechanics and a quick learning check. */
  static ModelSpec tiny(String... settings) {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("imageSize", String.valueOf(SIZE));
    overrides.put("channels", "1");
    overrides.put("contextFrames", String.valueOf(K));
    overrides.put("generatorWidths", "16,16");
    overrides.put("discriminatorWidths", "8,16");
    overrides.put("batchSize", "16");
    for (int i = 0; i < settings.length; i += 2) {
      overrides.put(settings[i], settings[i + 1]);
    }
    return ModelSpec.defaults(Family.FRAMEPRED).with(overrides);
  }

  static List<StepResult> train(ModelFamily model, MovingSquares data, int steps) {
    List<StepResult> results = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      results.add(model.step(data.batch(model.imagesPerStep(), K + 1)));
    }
    return results;
  }

  /** Frames {@code from..from+count-1} of each clip of {@code frames} frames. */
  static float[] frames(float[] clips, int n, int frames, int from, int count) {
    float[] out = new float[n * count * PIXELS];
    for (int i = 0; i < n; i++) {
      System.arraycopy(clips, (i * frames + from) * PIXELS, out, i * count * PIXELS,
          count * PIXELS);
    }
    return out;
  }

  static double meanSquaredError(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += (a[i] - b[i]) * (double) (a[i] - b[i]);
    }
    return sum / a.length;
  }

  @Test
  void gradientDifferenceIsZeroForTheTargetItselfAndPositiveForABlurredOne() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      // By hand: target [[-1, 1], [-1, 1]], prediction all 0: |∂x t| = 2 on both rows, |∂x p| = 0,
      // ∂y is 0 for both, so GDL = mean(2, 2) + mean(0, 0) = 2.
      NDArray t = manager.create(new float[] {-1, 1, -1, 1}, new Shape(1, 1, 2, 2));
      assertThat(FramePredictionFamily.gradientDifferenceLoss(t.zerosLike(), t).getFloat())
          .isEqualTo(2f);

      float[] frame = frames(new MovingSquares(SIZE, 3).clips(4, K + 1), 4, K + 1, K, 1);
      float[] blurred = boxBlur(frame, 4);
      NDArray target = manager.create(frame, new Shape(4, 1, SIZE, SIZE));
      NDArray blur = manager.create(blurred, new Shape(4, 1, SIZE, SIZE));
      assertThat(FramePredictionFamily.gradientDifferenceLoss(target, target).getFloat())
          .isEqualTo(0f);
      float gdl = FramePredictionFamily.gradientDifferenceLoss(blur, target).getFloat();
      assertThat(gdl).isGreaterThan(0.05f);
      // Symmetric in its arguments, and a constant offset changes no gradient.
      assertThat(FramePredictionFamily.gradientDifferenceLoss(target, blur).getFloat())
          .isEqualTo(gdl);
      assertThat(FramePredictionFamily.gradientDifferenceLoss(target.sub(0.3f), target)
          .getFloat()).isLessThan(1e-6f);
    }
  }

  /** 3×3 box blur with edge clamping, per image of {@code n}. */
  private static float[] boxBlur(float[] images, int n) {
    float[] out = new float[images.length];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < SIZE; y++) {
        for (int x = 0; x < SIZE; x++) {
          float sum = 0;
          for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
              int yy = Math.max(0, Math.min(SIZE - 1, y + dy));
              int xx = Math.max(0, Math.min(SIZE - 1, x + dx));
              sum += images[i * PIXELS + yy * SIZE + xx];
            }
          }
          out[i * PIXELS + y * SIZE + x] = sum / 9;
        }
      }
    }
    return out;
  }

  @Test
  void trainingBeatsRepeatingTheLastFrameOnHeldOutClips() {
    ModelSpec spec = tiny("generatorLearningRate", "0.003");
    int heldOut = 64;
    float[] clips = new MovingSquares(SIZE, 99).clips(heldOut, K + 1);
    float[] context = frames(clips, heldOut, K + 1, 0, K);
    float[] target = frames(clips, heldOut, K + 1, K, 1);
    double baseline = meanSquaredError(frames(clips, heldOut, K + 1, K - 1, 1), target);
    try (FramePredictionFamily model = new FramePredictionFamily(spec)) {
      double before = meanSquaredError(model.predict(context, heldOut), target);
      long start = System.nanoTime();
      List<StepResult> steps = train(model, new MovingSquares(SIZE, 1), 60);
      double seconds = (System.nanoTime() - start) / 1e9;
      double after = meanSquaredError(model.predict(context, heldOut), target);
      System.out.printf("framepred: held-out L2 %.4f before, %.4f after 60 steps (%.1f s); "
              + "repeat-last-frame %.4f; train loss %.4f -> %.4f%n", before, after, seconds,
          baseline, steps.get(0).metric("loss"), steps.get(59).metric("loss"));
      assertThat(after).isLessThan(baseline);
      assertThat(steps.get(59).metric("loss")).isLessThan(steps.get(0).metric("loss") * 0.8f);
    }
  }

  @Test
  void theExportedGraphComputesWhatPredictDoesWithTheEmaWeights() throws Exception {
    ModelSpec spec = tiny("emaDecay", "0.9", "generatorWidths", "8,8", "batchSize", "4");
    try (ModelFamily created = ModelFamily.create(spec, null)) {
      assertThat(created).isInstanceOf(FramePredictionFamily.class);
      FramePredictionFamily model = (FramePredictionFamily) created;
      train(model, new MovingSquares(SIZE, 4), 4);
      TrainingState state = model.state();
      assertThat(state.part("generator.ema").get("out.weight"))
          .isNotEqualTo(state.part("generator").get("out.weight"));

      Exported exported = model.export();
      assertThat(exported.graphs()).hasSize(1);
      Exported.Graph graph = exported.generator();
      assertThat(graph.name()).isEqualTo(Exported.GENERATOR);
      assertThat(graph.inputs()).containsOnlyKeys(FramePredictionFamily.FRAMES);
      assertThat(graph.inputs().get(FramePredictionFamily.FRAMES).shape())
          .containsExactly(-1, K, SIZE, SIZE);
      assertThat(graph.outputs()).containsOnlyKeys(FramePredictionFamily.FRAME);
      assertThat(graph.outputs().get(FramePredictionFamily.FRAME).shape())
          .containsExactly(-1, 1, SIZE, SIZE);

      // Clips of the video (mostly ±1, so many outputs sit on the clip), and smooth frames
      // inside (-1, 1) whose outputs are not clipped.
      int n = 5;
      float[] squares = frames(new MovingSquares(SIZE, 5).clips(n, K + 1), n, K + 1, 0, K);
      float[] smooth = new float[n * K * PIXELS];
      for (int i = 0; i < smooth.length; i++) {
        smooth[i] = 0.8f * (float) Math.sin(i * 0.07 + Math.cos(i * 0.013));
      }
      for (float[] context : List.of(squares, smooth)) {
        float[] djl = model.predict(context, n);
        float[] onnx = OrtRun.run(graph.onnx(), Map.of(FramePredictionFamily.FRAMES,
            OrtRun.Input.of(context, n, K, SIZE, SIZE))).get(FramePredictionFamily.FRAME);
        assertThat(onnx).hasSize(n * PIXELS);
        double parity = OrtRun.maxAbsDifference(djl, onnx);
        System.out.printf("framepred: export parity (EMA weights) max |DJL - ORT| = %.2e%n",
            parity);
        assertThat(parity).isLessThanOrEqualTo(1e-4);
        for (float v : djl) {
          assertThat(v).isBetween(-1f, 1f);
        }
      }
      assertThatThrownBy(() -> model.sample(new float[spec.latentDim()], new long[] {0}))
          .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("rollout");
    }
  }

  @Test
  void theExportedGraphPassesTheOnnxChecker() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        io.genstream.trainer.testing.OnnxChecker.available(),
        "python3 with onnx is not installed (apt-get install python3-onnx)");
    ModelSpec spec = tiny("emaDecay", "0.9", "generatorWidths", "8,8", "batchSize", "4");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      io.genstream.trainer.testing.OnnxChecker.check(model.export().generator().onnx());
    }
  }

  @Test
  void rolloutFeedsPredictionsBackAndStartsWithPredict() {
    ModelSpec spec = tiny("generatorWidths", "8,8", "batchSize", "4");
    try (FramePredictionFamily model = new FramePredictionFamily(spec)) {
      train(model, new MovingSquares(SIZE, 6), 3);
      int n = 3;
      float[] context = frames(new MovingSquares(SIZE, 7).clips(n, K + 1), n, K + 1, 0, K);
      float[] strip = model.rollout(context, n, 3);
      assertThat(strip).hasSize(n * 3 * PIXELS);
      float[] first = model.predict(context, n);
      assertThat(frames(strip, n, 3, 0, 1)).containsExactly(first);
      // The second frame is the prediction from (newest context frame, first prediction).
      float[] window = new float[n * K * PIXELS];
      for (int i = 0; i < n; i++) {
        System.arraycopy(context, (i * K + 1) * PIXELS, window, i * K * PIXELS, PIXELS);
        System.arraycopy(first, i * PIXELS, window, (i * K + 1) * PIXELS, PIXELS);
      }
      assertThat(frames(strip, n, 3, 1, 1)).containsExactly(model.predict(window, n));
      assertThatThrownBy(() -> model.rollout(context, n, 0))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> model.predict(new float[PIXELS], 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("context");
    }
  }

  @Test
  void trainingTwoNStepsStraightEqualsNStepsRestoreAndNSteps() {
    ModelSpec spec = tiny("emaDecay", "0.9", "adversarial", "0.01", "generatorWidths", "8,8",
        "batchSize", "4");
    int n = 3;
    List<Batch> batches = new ArrayList<>();
    MovingSquares data = new MovingSquares(SIZE, 8);
    for (int i = 0; i < 2 * n; i++) {
      batches.add(data.batch(spec.batchSize(), K + 1));
    }
    assertThat(ExactResume.assertResumesExactly(spec, batches).tensors().keySet())
        .anyMatch(k -> k.startsWith("generator.optimizer/m."))
        .anyMatch(k -> k.startsWith("generator.ema/"))
        .anyMatch(k -> k.startsWith("discriminator/"));
  }

  @Test
  void anAdversarialTermTrainsWithFiniteMetrics() {
    for (String objective : List.of("nonsaturating", "hinge")) {
      ModelSpec spec = tiny("adversarial", "0.01", "objective", objective,
          "generatorWidths", "8,8", "batchSize", "4");
      try (FramePredictionFamily model = new FramePredictionFamily(spec)) {
        assertThat(model.parameterCounts()).containsOnlyKeys("generator", "discriminator");
        List<StepResult> steps = train(model, new MovingSquares(SIZE, 9), 3);
        assertThat(steps).extracting(StepResult::step).containsExactly(1L, 2L, 3L);
        for (StepResult step : steps) {
          assertThat(step.images()).isEqualTo(4);
          assertThat(step.metrics().keySet())
              .containsExactly("loss", "l2", "gdl", "dLoss", "adv");
          assertThat(step.metrics().values()).allMatch(Float::isFinite);
          assertThat(step.metric("loss")).isCloseTo(step.metric("l2")
              + spec.gradientDifference() * step.metric("gdl")
              + spec.adversarial() * step.metric("adv"), org.assertj.core.data.Offset.offset(1e-4f));
        }
      }
    }
    try (FramePredictionFamily plain = new FramePredictionFamily(
        tiny("generatorWidths", "8,8", "batchSize", "4"))) {
      assertThat(plain.parameterCounts()).containsOnlyKeys("generator");
      assertThat(train(plain, new MovingSquares(SIZE, 9), 1).get(0).metrics().keySet())
          .containsExactly("loss", "l2", "gdl");
    }
  }

  @Test
  void nativeMemoryStaysFlatOverManyStepsAndExports() {
    ModelSpec spec = tiny("emaDecay", "0.9", "adversarial", "0.01", "generatorWidths", "8,8",
        "batchSize", "4");
    try (FramePredictionFamily model = new FramePredictionFamily(spec)) {
      MovingSquares data = new MovingSquares(SIZE, 10);
      float[] context = frames(data.clips(2, K + 1), 2, K + 1, 0, K);
      train(model, data, 3);
      model.export();
      model.rollout(context, 2, 2);
      int before = model.nativeArrayCount();
      train(model, data, 30);
      model.export();
      model.predict(context, 2);
      model.rollout(context, 2, 2);
      assertThat(model.nativeArrayCount()).isEqualTo(before);
    }
  }

  @Test
  void aBatchOfTheWrongShapeIsRefused() {
    try (FramePredictionFamily model = new FramePredictionFamily(
        tiny("generatorWidths", "8,8", "batchSize", "4"))) {
      // Frames rather than clips: K+1 times too few values.
      assertThatThrownBy(() -> model.step(new Batch(new float[4 * PIXELS], new int[4])))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("values");
      assertThatThrownBy(() -> model.step(new MovingSquares(SIZE, 1).batch(3, K + 1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4 examples");
    }
  }

  @Test
  void otherImageSizesAndColourUseTheFirstTwoWidths() throws Exception {
    ModelSpec spec = ModelSpec.defaults(Family.FRAMEPRED).with(Map.of("imageSize", "32",
        "channels", "3", "contextFrames", "3", "generatorWidths", "8,8,4",
        "discriminatorWidths", "4,4,4", "batchSize", "2", "adversarial", "0.01"));
    try (FramePredictionFamily model = new FramePredictionFamily(spec)) {
      float[] clips = new float[2 * 4 * 3 * 32 * 32];
      for (int i = 0; i < clips.length; i++) {
        clips[i] = (float) Math.sin(i * 0.013);
      }
      assertThat(model.step(new Batch(clips, new int[2])).metrics().values())
          .allMatch(Float::isFinite);
      float[] context = java.util.Arrays.copyOf(clips, 3 * 3 * 32 * 32);
      float[] onnx = OrtRun.run(model.export().generator().onnx(), Map.of(
          FramePredictionFamily.FRAMES, OrtRun.Input.of(context, 1, 9, 32, 32)))
          .get(FramePredictionFamily.FRAME);
      assertThat(OrtRun.maxAbsDifference(model.predict(context, 1), onnx))
          .isLessThanOrEqualTo(1e-4);
    }
  }
}
