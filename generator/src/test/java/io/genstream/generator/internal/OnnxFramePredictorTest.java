package io.genstream.generator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import io.genstream.generator.TinyFramePredictor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxFramePredictorTest {

  private final OrtEnvironment environment = OrtEnvironment.getEnvironment();

  /** Why the loader dispatches on the family: as a generator, the graph fails for good. */
  @Test
  void framepredGraphFailsTheGeneratorContractPermanently() {
    PublishedModel model = TinyFramePredictor.published(1, 1f);
    assertThatThrownBy(() -> OnnxGenerativeModel.load(environment, model, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected exactly one latent input (float [N, latentDim])");
    assertThat(ModelCatalog.isPermanent(new IllegalArgumentException("x"))).isTrue();
  }

  @Test
  void loaderLoadsFramepredVersionsAsPredictors() {
    try (var loaded = new OnnxModelLoader(1).load(TinyFramePredictor.published(1, 1f))) {
      assertThat(loaded).isInstanceOf(FramePredictor.class);
      assertThatThrownBy(() -> loaded.generate(new float[0], null, 1))
          .hasMessageContaining("predicts video frames");
    }
  }

  @Test
  void versionWithoutContextFramesInItsSpecIsInvalid() {
    PublishedModel good = TinyFramePredictor.published(1, 1f);
    ModelManifest m = good.manifest();
    Map<String, Object> spec = new HashMap<>(m.spec());
    spec.remove("contextFrames");
    ModelManifest noK = new ModelManifest(m.name(), 1, 0, m.family(), 1, 8, 8, 0, 0, m.inputs(),
        m.outputs(), m.sha256(), 0, Map.of(), spec, null, null);
    assertThatThrownBy(() -> OnnxFramePredictor.load(environment, new PublishedModel(noK,
        good.onnx()), 1, ExecutionProvider.CPU, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no integer contextFrames");
  }

  @Test
  void graphOfAnotherSizeThanItsManifestIsInvalid() {
    PublishedModel good = TinyFramePredictor.published(1, 1f);
    ModelManifest m = good.manifest();
    ModelManifest wrongK = new ModelManifest(m.name(), 1, 0, m.family(), 1, 8, 8, 0, 0,
        m.inputs(), m.outputs(), m.sha256(), 0, Map.of(), Map.of("contextFrames", 3), null, null);
    assertThatThrownBy(() -> OnnxFramePredictor.load(environment, new PublishedModel(wrongK,
        good.onnx()), 1, ExecutionProvider.CPU, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("frames has contextFrames x channels 2")
        .hasMessageContaining("manifest says 3");
  }
}
