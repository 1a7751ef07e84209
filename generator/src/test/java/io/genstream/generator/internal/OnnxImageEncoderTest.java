package io.genstream.generator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelManifest.GraphSpec;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.generator.ImageEncoder;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.TinyGenerator;
import io.genstream.generator.TinyVae;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The encoder session against its plain-Java reference, and its checks at load time. */
class OnnxImageEncoderTest {

  private static final ModelLoader loader = ModelLoader.onnxRuntime(1);

  @Test
  void encodesABatchAsTheReferenceDoes() {
    ModelManifest manifest = TinyVae.published(1, 1.5f).manifest();
    Random random = new Random(3);
    int n = 5;
    float[] images = new float[n * TinyGenerator.PIXELS];
    long[] labels = new long[n];
    for (int i = 0; i < images.length; i++) {
      images[i] = random.nextFloat() * 2 - 1;
    }
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(TinyGenerator.CLASSES);
    }

    try (ImageEncoder encoder = loader.loadEncoder(manifest, TinyVae.encoderOnnx(1.5f))) {
      ImageEncoder.Encoded encoded = encoder.encode(images, labels, n);

      assertThat(encoded.n()).isEqualTo(n);
      assertThat(encoded.latentDim()).isEqualTo(TinyGenerator.LATENT);
      for (int i = 0; i < n; i++) {
        int offset = i * TinyGenerator.PIXELS;
        assertThat(encoded.mean(i)).containsExactly(
            TinyVae.mean(images, offset, (int) labels[i], 1.5f), within(1e-5f));
        assertThat(encoded.logVar(i)).containsExactly(TinyVae.logVar(images, offset), within(1e-5f));
      }
      assertThat(encoder.toString()).contains("digits-vae/1", "image", "label", "mu", "logvar");
    }
  }

  @Test
  void refusesBadArgumentsAndUseAfterClose() {
    ModelManifest manifest = TinyVae.published(1, 1f).manifest();
    ImageEncoder encoder = loader.loadEncoder(manifest, TinyVae.encoderOnnx(1f));

    assertThatThrownBy(() -> encoder.encode(new float[15], new long[] {0}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 1 x 16 = 16 image values (1x4x4 each), got 15");
    assertThatThrownBy(() -> encoder.encode(new float[16], 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("expected 1 labels for a class-conditional encoder, got none");
    assertThatThrownBy(() -> encoder.encode(new float[16], new long[] {10}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label 10 out of range, valid labels are 0..9");

    encoder.close();
    encoder.close(); // idempotent
    assertThatThrownBy(() -> encoder.encode(new float[16], new long[] {0}, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("model digits-vae/1/encoder is closed");
  }

  @Test
  void aGraphThatDoesNotMatchItsSpecFailsTheLoadAsInvalid() {
    ModelManifest manifest = TinyVae.published(1, 1f).manifest();
    GraphSpec spec = manifest.graphs().get(ImageEncoder.GRAPH);
    // The spec says latentDim 8 where the graph has 4.
    GraphSpec wider = new GraphSpec(spec.sha256(), spec.inputs(),
        Map.of(ImageEncoder.MEAN, new TensorSpec("float", new long[] {-1, 8}),
            ImageEncoder.LOG_VARIANCE, new TensorSpec("float", new long[] {-1, 8})));
    // The spec names outputs the graph does not have.
    GraphSpec renamed = new GraphSpec(spec.sha256(), spec.inputs(),
        Map.of("mean", new TensorSpec("float", new long[] {-1, 4}),
            "logvar", new TensorSpec("float", new long[] {-1, 4})));

    assertThatThrownBy(() -> loader.loadEncoder(withEncoder(manifest, wider, 10),
        TinyVae.encoderOnnx(1f)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model digits-vae/1/encoder does not match its manifest: logvar has shape "
            + "[-1, 4], the spec says [-1, 8]");
    assertThatThrownBy(() -> loader.loadEncoder(withEncoder(manifest, renamed, 10),
        TinyVae.encoderOnnx(1f)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model digits-vae/1/encoder does not match its manifest: graph outputs "
            + "[logvar, mu] do not match the spec's outputs [logvar, mean]");
    // An unconditional model's encoder takes no label.
    assertThatThrownBy(() -> loader.loadEncoder(withEncoder(manifest, spec, 0),
        TinyVae.encoderOnnx(1f)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model digits-vae/1/encoder does not match its manifest: "
            + "expected 1 inputs for a model with numClasses=0");
    assertThatThrownBy(() -> loader.loadEncoder(manifest, new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("model digits-vae/1/encoder: ONNX Runtime cannot load it");
    assertThatThrownBy(() -> loader.loadEncoder(TinyGenerator.published(1, 1f).manifest(),
        TinyVae.encoderOnnx(1f)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("model digits/1/encoder does not match its manifest: its manifest declares "
            + "no encoder graph, only []");
  }

  private static ModelManifest withEncoder(ModelManifest m, GraphSpec encoder, int numClasses) {
    return new ModelManifest(m.name(), m.version(), m.parentVersion(), m.family(), m.channels(),
        m.height(), m.width(), m.latentDim(), numClasses, m.inputs(), m.outputs(), m.sha256(),
        m.createdAtMillis(), m.metrics(), m.spec(), m.specSha256(),
        Map.of(ImageEncoder.GRAPH, encoder));
  }
}
