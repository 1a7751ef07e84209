package io.genstream.trainer.family.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.trainer.TrainerCheckpoint;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GanFamilyTest {

  /** Tiny widths: mechanics, not image quality. */
  static ModelSpec tiny(Family family, String... settings) {
    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("generatorWidths", "16,8");
    overrides.put("discriminatorWidths", "8,16");
    overrides.put("batchSize", "8");
    overrides.put("batchNormCalibration", "2");
    for (int i = 0; i < settings.length; i += 2) {
      overrides.put(settings[i], settings[i + 1]);
    }
    return ModelSpec.defaults(family).with(overrides);
  }

  static List<StepResult> train(ModelFamily model, TestBatches data, int steps) {
    List<StepResult> results = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      results.add(model.step(data.next(model.imagesPerStep())));
    }
    return results;
  }

  /** The exported generator run by ONNX Runtime against the family's own DJL sampling. */
  static double exportParity(ModelFamily model, int n) throws Exception {
    ModelSpec spec = model.spec();
    float[] z = new float[n * spec.latentDim()];
    long[] labels = new long[n];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) Math.sin(i * 0.37) * 1.5f;
    }
    for (int i = 0; i < n; i++) {
      labels[i] = spec.conditional() ? i % spec.numClasses() : 0;
    }
    Exported exported = model.export();
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

  @ParameterizedTest
  @ValueSource(strings = {"nonsaturating", "lsgan", "hinge", "wgan", "wgan-gp", "ragan"})
  void everyObjectiveTrainsAndExportsWhatItComputes(String objective) throws Exception {
    ModelSpec spec = tiny(Family.CGAN, "objective", objective,
        "nCritic", objective.equals("wgan") ? "2" : "1",
        "optimizer", objective.equals("wgan") ? "rmsprop" : "adam");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      List<StepResult> steps = train(model, new TestBatches(spec, 1), 3);
      assertThat(steps).extracting(StepResult::step).containsExactly(1L, 2L, 3L);
      steps.forEach(s -> assertThat(s.metrics().values()).allMatch(Float::isFinite));
      assertThat(exportParity(model, 5)).isLessThanOrEqualTo(1e-4);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cgan", "dcgan"})
  void exportedGeneratorsPassTheOnnxChecker(String family) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(OnnxChecker.available(),
        "python3 with onnx is not installed (apt-get install python3-onnx)");
    ModelSpec spec = tiny(Family.valueOf(family.toUpperCase()), "spectralNorm", "true",
        "selfAttention", "true", "emaDecay", "0.9", "upsampling", "pixelshuffle");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      train(model, new TestBatches(spec, 9), 1);
      OnnxChecker.check(model.export().generator().onnx());
    }
  }

  @Test
  void wganGpKeepsNativeMemoryFlatAndGivesTheCriticAPenaltyGradient() {
    ModelSpec spec = tiny(Family.DCGAN, "objective", "wgan-gp", "nCritic", "2",
        "beta1", "0", "beta2", "0.9");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      TestBatches data = new TestBatches(spec, 10);
      train(model, data, 3);
      int before = model.nativeArrayCount();
      List<StepResult> steps = train(model, data, 20);
      assertThat(model.nativeArrayCount()).isEqualTo(before);
      steps.forEach(s -> assertThat(s.metrics().values()).allMatch(Float::isFinite));
    }
    // With the penalty's weight at 0 the critic's loss is plain WGAN: the penalty term counts.
    ModelSpec noPenalty = spec.with(Map.of("gradientPenalty", "0"));
    float withPenalty = losses(spec).get(0).get("dLoss");
    float without = losses(noPenalty).get(0).get("dLoss");
    assertThat(withPenalty).isGreaterThan(without);
  }

  @Test
  void wganClipsEveryDiscriminatorWeight() {
    ModelSpec spec = tiny(Family.DCGAN, "objective", "wgan", "clip", "0.005");
    try (GanFamily model = new GanFamily(spec)) {
      train(model, new TestBatches(spec, 1), 2);
      model.state().part("discriminator").forEach((name, values) -> {
        if (!name.contains("running")) {
          for (float v : values) {
            assertThat(Math.abs(v)).as(name).isLessThanOrEqualTo(0.005f + 1e-7f);
          }
        }
      });
    }
  }

  @Test
  void dcganStabilisersTrainAndTheEmaWeightsAreWhatIsExported() throws Exception {
    ModelSpec spec = tiny(Family.DCGAN, "emaDecay", "0.9", "labelSmoothing", "0.1",
        "featureMatching", "1", "modeSeeking", "0.5", "upsampling", "pixelshuffle");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      train(model, new TestBatches(spec, 2), 3);
      TrainingState state = model.state();
      assertThat(state.part("generator.ema").get("fc.weight"))
          .isNotEqualTo(state.part("generator").get("fc.weight"));
      assertThat(exportParity(model, 4)).isLessThanOrEqualTo(1e-4);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cgan", "dcgan"})
  void spectralNormMinibatchStddevAndSelfAttentionTrainAndExport(String family) throws Exception {
    ModelSpec spec = tiny(Family.valueOf(family.toUpperCase()), "spectralNorm", "true",
        "minibatchStddev", "true", "selfAttention", "true", "objective", "hinge");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      List<StepResult> steps = train(model, new TestBatches(spec, 8), 3);
      steps.forEach(s -> assertThat(s.metrics().values()).allMatch(Float::isFinite));
      assertThat(model.state().part("discriminator")).containsKey("conv1.weight_u")
          .containsKey("attention.gamma");
      assertThat(exportParity(model, 4)).isLessThanOrEqualTo(1e-4);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 32, 64})
  void imagesOfOneAndThreeChannelsAndSeveralSizesExport(int size) throws Exception {
    ModelSpec spec = tiny(Family.CGAN, "imageSize", String.valueOf(size),
        "channels", size == 32 ? "3" : "1",
        "generatorWidths", size == 16 ? "8,8" : size == 32 ? "8,8,8" : "8,8,8,8",
        "discriminatorWidths", size == 16 ? "8,8" : size == 32 ? "8,8,8" : "8,8,8,8",
        "upsampling", size == 64 ? "bilinear" : "nearest");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      train(model, new TestBatches(spec, 3), 2);
      assertThat(exportParity(model, 3)).isLessThanOrEqualTo(1e-4);
    }
  }

  @Test
  void sameSeedAndDataGiveTheSameLosses() {
    ModelSpec spec = tiny(Family.CGAN);
    assertThat(losses(spec)).isEqualTo(losses(spec));
    assertThat(losses(spec)).isNotEqualTo(losses(spec.with(Map.of("seed", "7"))));
  }

  private static List<Map<String, Float>> losses(ModelSpec spec) {
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      return train(model, new TestBatches(spec, 4), 3).stream().map(StepResult::metrics).toList();
    }
  }

  @Test
  void trainingTwoNStepsStraightEqualsNStepsRestoreAndNSteps() {
    ModelSpec spec = tiny(Family.CGAN, "emaDecay", "0.9");
    int n = 3;
    List<Batch> batches = new ArrayList<>();
    TestBatches data = new TestBatches(spec, 5);
    for (int i = 0; i < 2 * n; i++) {
      batches.add(data.next(spec.batchSize()));
    }
    assertThat(ExactResume.assertResumesExactly(spec, batches).tensors().keySet())
        .anyMatch(k -> k.startsWith("generator.optimizer/m."))
        .anyMatch(k -> k.startsWith("generator.ema/"));
  }

  @Test
  void aStateOfAnotherArchitectureIsRefusedNamingTheParameter() {
    ModelSpec small = tiny(Family.CGAN);
    TrainingState state;
    try (ModelFamily model = ModelFamily.create(small, null)) {
      state = model.state();
    }
    ModelSpec wider = small.with(Map.of("generatorWidths", "32,8"));
    assertThatThrownBy(() -> ModelFamily.create(wider, state))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fc.weight");
  }

  @Test
  void nativeMemoryStaysFlatOverManySteps() {
    ModelSpec spec = tiny(Family.CGAN, "emaDecay", "0.9", "featureMatching", "1");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      TestBatches data = new TestBatches(spec, 6);
      train(model, data, 3);
      model.export();
      int before = model.nativeArrayCount();
      train(model, data, 30);
      model.export();
      model.sample(new float[spec.latentDim()], new long[] {1});
      assertThat(model.nativeArrayCount()).isEqualTo(before);
    }
  }
  @ParameterizedTest
  @ValueSource(strings = {"cgan", "dcgan"})
  void trainsWithEveryAugmentationWithoutNanAndReportsPAndRt(String family) throws Exception {
    ModelSpec spec = tiny(Family.valueOf(family.toUpperCase()),
        "augment", "color,translation,cutout", "augmentProbability", "0.5");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      List<StepResult> steps = train(model, new TestBatches(spec, 11), 4);
      steps.forEach(s -> assertThat(s.metrics().values()).allMatch(Float::isFinite));
      assertThat(steps).allSatisfy(s -> assertThat(s.metric("p")).isEqualTo(0.5f));
      assertThat(steps.get(3).metric("r_t")).isBetween(-1f, 1f);
      assertThat(exportParity(model, 4)).isLessThanOrEqualTo(1e-4);
    }
  }

  @Test
  void augmentationChangesWhatDSeesButNotTheExportedGraph() {
    ModelSpec plain = tiny(Family.CGAN);
    ModelSpec augmented = tiny(Family.CGAN, "augment", "translation,cutout,color",
        "augmentProbability", "1", "r1Gamma", "1");
    try (ModelFamily a = ModelFamily.create(plain, null);
        ModelFamily b = ModelFamily.create(augmented, null)) {
      // Fresh models of the same seed: the same generator, node for node and weight for weight.
      assertThat(b.export().generator().onnx()).isEqualTo(a.export().generator().onnx());
      TestBatches data = new TestBatches(plain, 12);
      Batch batch = data.next(plain.batchSize());
      // Same z, labels and weights: only D's view of the images differs.
      assertThat(b.step(batch).metric("D(x)")).isNotEqualTo(a.step(batch).metric("D(x)"));
    }
  }

  @Test
  void adaptiveAugmentationResumesExactlyWithItsP() {
    // adaImages 100: one interval (4 updates of 8 images) moves p by 0.32.
    ModelSpec spec = tiny(Family.CGAN, "augment", "translation,cutout", "adaImages", "100");
    List<Batch> batches = new ArrayList<>();
    TestBatches data = new TestBatches(spec, 13);
    for (int i = 0; i < 10; i++) { // resumes mid-interval, after 5 D updates
      batches.add(data.next(spec.batchSize()));
    }
    assertThat(ExactResume.assertResumesExactly(spec, batches).tensors())
        .containsKey("augment/probability");

    // A checkpoint's p is the p a restarted trainer trains with.
    TrainingState state;
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      train(model, data, 1);
      state = model.state();
    }
    Map<String, float[]> tensors = new LinkedHashMap<>(state.tensors());
    tensors.put("augment/probability", new float[] {0.7f, 0.9f, 1f});
    TrainingState edited = new TrainingState(spec, state.steps(), tensors, state.counters());
    // Through the checkpoint's bytes, as a restarted trainer reads it.
    TrainingState read = TrainerCheckpoint.fromBytes(
        new TrainerCheckpoint("digits", 1, 8, edited).toBytes()).state();
    assertThat(read.spec()).isEqualTo(spec);
    try (ModelFamily model = ModelFamily.create(spec, read)) {
      StepResult next = model.step(data.next(spec.batchSize())); // 2 of 4 updates: no change
      assertThat(next.metric("p")).isEqualTo(0.7f);
      assertThat(next.metric("r_t")).isEqualTo(0.9f);
      assertThat(model.state().tensors().get("augment/probability")[0]).isEqualTo(0.7f);
    }
  }

  @Test
  void r1AddsAPositivePenaltyLazilyAndKeepsNativeMemoryFlat() {
    ModelSpec spec = tiny(Family.CGAN, "r1Gamma", "5", "r1Every", "2",
        "augment", "translation", "augmentProbability", "1");
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      TestBatches data = new TestBatches(spec, 14);
      List<StepResult> first = train(model, data, 3);
      assertThat(first.get(0).metric("r1")).isZero(); // step 1: not an R1 step
      assertThat(first.get(1).metric("r1")).isPositive().isFinite();
      int before = model.nativeArrayCount();
      List<StepResult> steps = train(model, data, 20);
      assertThat(model.nativeArrayCount()).isEqualTo(before);
      steps.forEach(s -> assertThat(s.metrics().values()).allMatch(Float::isFinite));
    }
    // Step 1's D loss is the plain loss plus the penalty: same weights, data and draws.
    ModelSpec everyStep = spec.with(Map.of("r1Every", "1"));
    List<Map<String, Float>> with = losses(everyStep);
    List<Map<String, Float>> without = losses(everyStep.with(Map.of("r1Gamma", "0")));
    assertThat(with.get(0).get("dLoss") - without.get(0).get("dLoss"))
        .isCloseTo(with.get(0).get("r1"), org.assertj.core.api.Assertions.within(1e-4f))
        .isPositive();
  }
}
