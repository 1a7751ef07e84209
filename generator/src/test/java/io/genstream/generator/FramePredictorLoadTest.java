package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A {@code framepred} version through the loader, a lease and the generation engine. */
class FramePredictorLoadTest {

  @Test
  void framepredVersionLoadsAsAFramePredictorThatPredictsTheReference() {
    GenerativeModel loaded = ModelLoader.onnxRuntime(1).load(TinyFramePredictor.published(1, 1f));
    try (ModelRegistry registry = ModelRegistry.of(loaded);
        ModelLease lease = registry.acquire(TinyFramePredictor.NAME, "latest")) {
      FramePredictor predictor = lease.predictor();
      assertThat(predictor.contextFrames()).isEqualTo(2);
      assertThat(predictor.manifest().family()).isEqualTo("framepred");
      // Two streams in one call: [2, 2, 8, 8].
      ImageTensor[] frames = {TinyFramePredictor.frame(0, 3), TinyFramePredictor.frame(0, 4),
          TinyFramePredictor.frame(40, 0), TinyFramePredictor.frame(40, 1)};
      float[] input = new float[4 * 64];
      for (int i = 0; i < 4; i++) {
        System.arraycopy(frames[i].toSymmetricUnit(), 0, input, i * 64, 64);
      }
      float[] out = predictor.predict(input, 2);
      assertThat(out).hasSize(2 * 64);
      assertThat(ImageTensor.fromSymmetricUnit(out, 0, 1, 8, 8).chw())
          .isEqualTo(TinyFramePredictor.reference(frames[0], frames[1], 1f).chw())
          .isEqualTo(TinyFramePredictor.frame(0, 5).chw());
      assertThat(ImageTensor.fromSymmetricUnit(out, 64, 1, 8, 8).chw())
          .isEqualTo(TinyFramePredictor.frame(40, 2).chw());
      assertThatThrownBy(() -> predictor.predict(new float[64], 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("expected 1 x 2 x 1 x 8 x 8 = 128 frame values, got 64");
    }
  }

  @Test
  void generationRequestForAFramePredictorIsRefusedAsInvalid() {
    GenerativeModel loaded = ModelLoader.onnxRuntime(1).load(TinyFramePredictor.published(1, 1f));
    try (ModelRegistry registry = ModelRegistry.of(loaded);
        GenerationEngine engine = new GenerationEngine(registry, EngineOptions.defaults(),
            new SimpleMeterRegistry())) {
      GenerationRequest request =
          new GenerationRequest("r1", TinyFramePredictor.NAME, "latest", 1, 7L, null);
      assertThatThrownBy(() -> engine.generate(request).block(Duration.ofSeconds(20)))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("model 'clips' (version 1, family framepred) predicts video "
              + "frames; send frames to genstream.frames");
    }
  }

  @Test
  void leaseOfAGeneratorIsNotAFramePredictor() {
    try (ModelRegistry registry = ModelRegistry.of(
            ModelLoader.onnxRuntime(1).load(TinyGenerator.published(1, 1f)));
        ModelLease lease = registry.acquire(TinyGenerator.NAME, "latest")) {
      assertThatThrownBy(lease::predictor)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("is not a frame predictor (family cgan, expected framepred)");
    }
  }
}
