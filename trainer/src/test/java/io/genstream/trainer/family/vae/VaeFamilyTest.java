package io.genstream.trainer.family.vae;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.ModelSpec.Family;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.family.TrainingState;
import io.genstream.trainer.testing.ExactResume;
import io.genstream.trainer.testing.OnnxChecker;
import io.genstream.trainer.testing.OrtRun;
import io.genstream.trainer.testing.TestBatches;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VaeFamilyTest {

  /** Tiny widths: mechanics, not image quality. */
  static ModelSpec tiny(String... settings) {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("generatorWidths", "16,8");
    overrides.put("discriminatorWidths", "8,16");
    overrides.put("batchSize", "8");
    for (int i = 0; i < settings.length; i += 2) {
      overrides.put(settings[i], settings[i + 1]);
    }
    return ModelSpec.defaults(Family.VAE).with(overrides);
  }

  static VaeFamily create(ModelSpec spec, TrainingState state) {
    return (VaeFamily) ModelFamily.create(spec, state);
  }

  static List<StepResult> train(ModelFamily model, TestBatches data, int steps) {
    List<StepResult> results = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      results.add(model.step(data.next(model.imagesPerStep())));
    }
    return results;
  }

  static long[] labels(ModelSpec spec, int n) {
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = spec.conditional() ? (i * 3) % spec.numClasses() : 0;
    }
    return labels;
  }

  /** The exported decoder run by ONNX Runtime against the family's own DJL sampling. */
  static double decoderParity(VaeFamily model, Exported exported, int n) throws Exception {
    ModelSpec spec = model.spec();
    float[] z = new float[n * spec.latentDim()];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) Math.sin(i * 0.37) * 1.5f;
    }
    long[] labels = labels(spec, n);
    float[] djl = model.sample(z, labels);
    Map<String, OrtRun.Input> inputs = new LinkedHashMap<>();
    inputs.put("z", OrtRun.Input.of(z, n, spec.latentDim()));
    if (spec.conditional()) {
      inputs.put("label", OrtRun.Input.of(labels, n));
    }
    float[] onnx = OrtRun.run(exported.generator().onnx(), inputs).get("image");
    assertThat(onnx).hasSize(n * spec.pixelsPerImage());
    return OrtRun.maxAbsDifference(djl, onnx);
  }

  /** The exported encoder's mu and logvar against {@link VaeFamily#encode}, on real images. */
  static double encoderParity(VaeFamily model, Exported exported, Batch images, int n)
      throws Exception {
    ModelSpec spec = model.spec();
    float[] x = new float[n * spec.pixelsPerImage()];
    System.arraycopy(images.images(), 0, x, 0, x.length);
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = images.labels()[i];
    }
    float[][] djl = model.encode(x, labels);
    Map<String, OrtRun.Input> inputs = new LinkedHashMap<>();
    inputs.put("image", OrtRun.Input.of(x, n, spec.channels(), spec.imageSize(),
        spec.imageSize()));
    if (spec.conditional()) {
      inputs.put("label", OrtRun.Input.of(labels, n));
    }
    Exported.Graph encoder = exported.extras().get(0);
    Map<String, float[]> onnx = OrtRun.run(encoder.onnx(), inputs);
    assertThat(onnx.keySet()).containsExactly("mu", "logvar");
    assertThat(onnx.get("mu")).hasSize(n * spec.latentDim());
    assertThat(onnx.get("logvar")).hasSize(n * spec.latentDim());
    return Math.max(OrtRun.maxAbsDifference(djl[0], onnx.get("mu")),
        OrtRun.maxAbsDifference(djl[1], onnx.get("logvar")));
  }

  private static double mean(List<StepResult> steps, String metric) {
    return steps.stream().mapToDouble(s -> s.metric(metric)).average().orElseThrow();
  }

  @Test
  void trainsWithFiniteElboTermsAndTheLossFalls() {
    ModelSpec spec = tiny();
    try (VaeFamily model = create(spec, null)) {
      assertThat(model.imagesPerStep()).isEqualTo(8);
      List<StepResult> steps = train(model, new TestBatches(spec, 1), 30);
      assertThat(steps).extracting(StepResult::step).startsWith(1L, 2L, 3L).endsWith(30L);
      for (StepResult s : steps) {
        assertThat(s.images()).isEqualTo(8);
        assertThat(s.metrics().keySet()).containsExactly("loss", "recon", "kl");
        assertThat(s.metrics().values()).allMatch(Float::isFinite);
        assertThat(s.metric("recon")).isPositive();
        assertThat(s.metric("kl")).isGreaterThanOrEqualTo(0f);
        assertThat(s.metric("loss")).isCloseTo(s.metric("recon") + s.metric("kl"),
            org.assertj.core.data.Percentage.withPercentage(1e-3));
      }
      double first = mean(steps.subList(0, 5), "loss");
      double last = mean(steps.subList(25, 30), "loss");
      System.out.printf("vae loss: first 5 mean %.1f, last 5 mean %.1f (recon %.1f → %.1f, "
          + "kl %.2f → %.2f)%n", first, last, mean(steps.subList(0, 5), "recon"),
          mean(steps.subList(25, 30), "recon"), mean(steps.subList(0, 5), "kl"),
          mean(steps.subList(25, 30), "kl"));
      assertThat(last).isLessThan(0.8 * first);
    }
  }

  @Test
  void theKlWeightScalesTheKlTerm() {
    ModelSpec spec = tiny("klWeight", "4");
    try (VaeFamily model = create(spec, null)) {
      for (StepResult s : train(model, new TestBatches(spec, 1), 2)) {
        assertThat(s.metric("loss")).isCloseTo(s.metric("recon") + 4 * s.metric("kl"),
            org.assertj.core.data.Percentage.withPercentage(1e-3));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"plain", "ema", "conditional", "conditional+ema"})
  void theExportedDecoderAndEncoderComputeWhatTheFamilyComputes(String variant)
      throws Exception {
    ModelSpec spec = tiny("emaDecay", variant.contains("ema") ? "0.9" : "0",
        "numClasses", variant.startsWith("conditional") ? "10" : "0");
    try (VaeFamily model = create(spec, null)) {
      TestBatches data = new TestBatches(spec, 2);
      train(model, data, 2);
      Exported exported = model.export();
      assertThat(exported.graphs()).extracting(Exported.Graph::name)
          .containsExactly(Exported.GENERATOR, VaeFamily.ENCODER);
      List<String> side = spec.conditional() ? List.of("label") : List.of();
      assertThat(exported.generator().inputs().keySet()).containsExactly(
          concat("z", side));
      assertThat(exported.generator().outputs().keySet()).containsExactly("image");
      Exported.Graph encoder = exported.extras().get(0);
      assertThat(encoder.inputs().keySet()).containsExactly(concat("image", side));
      assertThat(encoder.outputs().keySet()).containsExactly("mu", "logvar");
      if (variant.contains("ema")) {
        TrainingState state = model.state();
        assertThat(state.part("generator.ema").get("fc.weight"))
            .isNotEqualTo(state.part("generator").get("fc.weight"));
        assertThat(state.part("encoder.ema").get("fc.weight"))
            .isNotEqualTo(state.part("encoder").get("fc.weight"));
      }
      double decoder = decoderParity(model, exported, 5);
      double enc = encoderParity(model, exported, data.next(6), 6);
      System.out.printf("vae %s parity: decoder %.2e, encoder %.2e%n", variant, decoder, enc);
      assertThat(decoder).isLessThanOrEqualTo(1e-4);
      assertThat(enc).isLessThanOrEqualTo(1e-4);
    }
  }

  private static String[] concat(String first, List<String> rest) {
    List<String> all = new ArrayList<>();
    all.add(first);
    all.addAll(rest);
    return all.toArray(String[]::new);
  }

  @Test
  void encoderParametersHaveStableNames() {
    ModelSpec spec = tiny("numClasses", "10");
    try (VaeFamily model = create(spec, null)) {
      assertThat(model.state().part("encoder").keySet()).containsExactly("conv1.weight",
          "conv1.bias", "conv2.weight", "conv2.bias", "embedding.weight", "fc.weight",
          "fc.bias");
      assertThat(model.state().part("encoder").get("fc.weight"))
          .hasSize(2 * spec.latentDim() * (16 * 7 * 7 + spec.embeddingDim()));
      assertThat(model.parameterCounts()).containsOnlyKeys("generator", "encoder");
    }
  }

  @Test
  void aThreeChannelThirtyTwoPixelModelTrainsAndExports() throws Exception {
    ModelSpec spec = tiny("imageSize", "32", "channels", "3", "generatorWidths", "16,8,8",
        "discriminatorWidths", "8,8,16", "batchNormCalibration", "2");
    try (VaeFamily model = create(spec, null)) {
      TestBatches data = new TestBatches(spec, 3);
      train(model, data, 2).forEach(
          s -> assertThat(s.metrics().values()).allMatch(Float::isFinite));
      Exported exported = model.export();
      assertThat(exported.generator().outputs().get("image").shape())
          .containsExactly(-1, 3, 32, 32);
      assertThat(decoderParity(model, exported, 3)).isLessThanOrEqualTo(1e-4);
      assertThat(encoderParity(model, exported, data.next(3), 3)).isLessThanOrEqualTo(1e-4);
    }
  }

  @Test
  void sameSeedAndDataGiveTheSameLosses() {
    ModelSpec spec = tiny();
    assertThat(losses(spec)).isEqualTo(losses(spec));
    assertThat(losses(spec)).isNotEqualTo(losses(spec.with(Map.of("seed", "7"))));
  }

  private static List<Map<String, Float>> losses(ModelSpec spec) {
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      return train(model, new TestBatches(spec, 4), 2).stream().map(StepResult::metrics).toList();
    }
  }

  @Test
  void trainingTwoNStepsStraightEqualsNStepsRestoreAndNSteps() {
    // Conditional with EMA: every tensor kind of the state (embeddings, EMA, Adam moments).
    ModelSpec spec = tiny("emaDecay", "0.9", "numClasses", "10");
    int n = 3;
    List<Batch> batches = new ArrayList<>();
    TestBatches data = new TestBatches(spec, 5);
    for (int i = 0; i < 2 * n; i++) {
      batches.add(data.next(spec.batchSize()));
    }
    assertThat(ExactResume.assertResumesExactly(spec, batches).tensors().keySet())
        .anyMatch(k -> k.startsWith("generator.optimizer/m."))
        .anyMatch(k -> k.startsWith("encoder.optimizer/m."))
        .anyMatch(k -> k.startsWith("generator.ema/"))
        .anyMatch(k -> k.startsWith("encoder.ema/"));
  }

  @Test
  void aStateOfAnotherArchitectureIsRefusedNamingTheParameter() {
    ModelSpec small = tiny();
    TrainingState state;
    try (ModelFamily model = ModelFamily.create(small, null)) {
      state = model.state();
    }
    ModelSpec wider = small.with(Map.of("discriminatorWidths", "8,32"));
    assertThatThrownBy(() -> ModelFamily.create(wider, state))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("conv2.weight");
  }

  @Test
  void aBatchOfTheWrongSizeIsRefused() {
    ModelSpec spec = tiny();
    try (VaeFamily model = create(spec, null)) {
      assertThatThrownBy(() -> model.step(new TestBatches(spec, 1).next(7)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("8 examples");
      assertThatThrownBy(() -> model.encode(new float[10], new long[] {0}))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void nativeMemoryStaysFlatOverManySteps() {
    ModelSpec spec = tiny("emaDecay", "0.9", "numClasses", "10", "batchNormCalibration", "2");
    try (VaeFamily model = create(spec, null)) {
      TestBatches data = new TestBatches(spec, 6);
      train(model, data, 1);
      model.export();
      int before = model.nativeArrayCount();
      train(model, data, 30);
      model.export();
      model.sample(new float[spec.latentDim()], new long[] {1});
      Batch one = data.next(1);
      model.encode(one.images(), new long[] {one.labels()[0]});
      assertThat(model.nativeArrayCount()).isEqualTo(before);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void bothGraphsPassTheOnnxChecker(boolean conditional) throws Exception {
    Assumptions.assumeTrue(OnnxChecker.available(), "python3 with onnx is not installed");
    ModelSpec spec = tiny("numClasses", conditional ? "10" : "0");
    try (VaeFamily model = create(spec, null)) {
      for (Exported.Graph graph : model.export().graphs()) {
        OnnxChecker.check(graph.onnx());
      }
    }
  }
}
