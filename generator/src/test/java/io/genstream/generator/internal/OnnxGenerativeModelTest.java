package io.genstream.generator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.genstream.core.image.GrayImage;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.TinyGenerator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxGenerativeModelTest {

  private static final ModelLoader loader = ModelLoader.onnxRuntime(1);
  private static GenerativeModel model;

  @BeforeAll
  static void load() {
    model = loader.load(TinyGenerator.published(1, 1f));
  }

  @AfterAll
  static void close() {
    model.close();
  }

  @Test
  void matchesHandComputedValues() {
    // z = 0, label 3: pixel j = tanh(b[j] + embedding[3][j]) = tanh(0.01 j + 0.1 (3 - j)).
    // z = 1, label 3, pixel 0: W row 0 sums to 0.05 (1+2+3+4) = 0.5, so tanh(0.5 + 0.3) = tanh(0.8).
    float[] z = {0, 0, 0, 0, 1, 1, 1, 1};
    float[] out = model.generate(z, new long[] {3, 3}, 2);

    assertThat(out).hasSize(2 * 16);
    assertThat(out[0]).isCloseTo(0.291313f, within(1e-5f)); // tanh(0.3)
    assertThat(out[1]).isCloseTo(0.206966f, within(1e-5f)); // tanh(0.01 + 0.2) = tanh(0.21)
    assertThat(out[15]).isCloseTo(-0.781806f, within(1e-5f)); // tanh(0.15 - 1.2) = tanh(-1.05)
    assertThat(out[16]).isCloseTo(0.664037f, within(1e-5f)); // tanh(0.8)
  }

  @Test
  void matchesThePlainJavaReferenceOnRandomLatents() {
    Random random = new Random(7);
    int n = 64;
    float[] z = new float[n * TinyGenerator.LATENT];
    long[] labels = new long[n];
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < n; i++) {
      labels[i] = random.nextInt(TinyGenerator.CLASSES);
    }

    float[] out = model.generate(z, labels, n);

    assertThat(out).hasSize(n * TinyGenerator.PIXELS);
    for (int i = 0; i < n; i++) {
      float[] expected = TinyGenerator.reference(z, i * TinyGenerator.LATENT, (int) labels[i], 1f);
      for (int j = 0; j < TinyGenerator.PIXELS; j++) {
        assertThat(out[i * TinyGenerator.PIXELS + j]).isCloseTo(expected[j], within(1e-5f))
            .isBetween(-1f, 1f);
      }
    }
  }

  @Test
  void convertsToFourByFourGrayImages() {
    List<GrayImage> images = model.generateImages(new float[] {0, 0, 0, 0}, new long[] {3}, 1);

    assertThat(images).hasSize(1);
    assertThat(images.get(0).width()).isEqualTo(4);
    assertThat(images.get(0).height()).isEqualTo(4);
    // (tanh(0.3) + 1) * 127.5 = 164.6 -> 165
    assertThat(images.get(0).get(0, 0)).isEqualTo(165);
  }

  @Test
  void rejectsLabelsOutOfRangeAndWrongLengths() {
    assertThatThrownBy(() -> model.generate(new float[4], new long[] {10}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("label 10 out of range, valid labels are 0..9");
    assertThatThrownBy(() -> model.generate(new float[5], new long[] {1}, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 1 x 4 = 4 latent values, got 5");
  }

  @Test
  void refusesAGraphThatDoesNotMatchItsManifest() {
    PublishedModel good = TinyGenerator.published(2, 1f);
    ModelManifest m = good.manifest();
    ModelManifest wrongLatent = new ModelManifest(m.name(), m.version(), m.parentVersion(),
        m.family(), m.channels(), m.height(), m.width(), 8, m.numClasses(), m.inputs(),
        m.outputs(), m.sha256(), m.createdAtMillis(), m.metrics());
    ModelManifest wrongNames = new ModelManifest(m.name(), m.version(), m.parentVersion(),
        m.family(), m.channels(), m.height(), m.width(), m.latentDim(), m.numClasses(),
        Map.of("noise", m.inputs().get("z"), "label", m.inputs().get("label")),
        m.outputs(), m.sha256(), m.createdAtMillis(), m.metrics());

    assertThatThrownBy(() -> loader.load(new PublishedModel(wrongLatent, good.onnx())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("z has latentDim 4").hasMessageContaining("manifest says 8");
    assertThatThrownBy(() -> loader.load(new PublishedModel(wrongNames, good.onnx())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("graph inputs [label, z] do not match manifest inputs [label, noise]");
    ModelManifest noHash = new ModelManifest(m.name(), m.version(), m.parentVersion(),
        m.family(), m.channels(), m.height(), m.width(), m.latentDim(), m.numClasses(),
        m.inputs(), m.outputs(), null, m.createdAtMillis(), m.metrics());
    assertThatThrownBy(() -> loader.load(new PublishedModel(noHash, "not onnx".getBytes())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ONNX Runtime cannot load it");
  }

  @Test
  void refusesToRunAfterClose() {
    GenerativeModel closed = loader.load(TinyGenerator.published(3, 1f));
    closed.close();
    closed.close(); // idempotent

    assertThatThrownBy(() -> closed.generate(new float[4], new long[] {0}, 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
