package io.genstream.trainer.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.gan.ConditionalGan;
import io.genstream.trainer.gan.GanConfig;
import io.genstream.trainer.testing.Ort;
import io.genstream.trainer.testing.TestDigits;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CganGeneratorExporterTest {

  private static final GanConfig CONFIG = GanConfig.digits().withWidths(32, 16, 16, 32);
  private static ConditionalGan gan;
  private static byte[] onnx;

  /** A model a few steps into training, so BatchNorm running statistics are not 0/1. */
  @BeforeAll
  static void trainAFewSteps() {
    gan = new ConditionalGan(CONFIG);
    TestDigits digits = new TestDigits(3, CONFIG.imageSize());
    int n = CONFIG.batchSize();
    int pixels = CONFIG.imageSize() * CONFIG.imageSize();
    for (int step = 0; step < 5; step++) {
      float[] images = new float[n * pixels];
      int[] labels = new int[n];
      for (int i = 0; i < n; i++) {
        labels[i] = digits.random().nextInt(10);
        digits.renderInto(labels[i], images, i * pixels);
      }
      gan.step(images, labels);
    }
    onnx = new CganGeneratorExporter().export(gan.generatorWeights());
  }

  @AfterAll
  static void close() {
    gan.close();
  }

  @Test
  void exportedGeneratorMatchesDjlWithin1e4() throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(onnx, options)) {
      for (int n : new int[] {1, 16}) {
        Random random = new Random(n);
        float[] z = new float[n * CONFIG.latentDim()];
        for (int i = 0; i < z.length; i++) {
          z[i] = (float) random.nextGaussian();
        }
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
          labels[i] = random.nextInt(10);
        }
        float[] expected = gan.generate(z, labels);
        Ort.Output output = Ort.run(env, session, z, labels);
        float[] actual = output.values();

        assertThat(output.shape()).containsExactly(n, 1, 28, 28);
        assertThat(actual).hasSize(n * 28 * 28).hasSameSizeAs(expected);
        float maxDiff = 0;
        for (int i = 0; i < expected.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        assertThat(maxDiff).as("max |ONNX - DJL| at batch %d", n).isLessThanOrEqualTo(1e-4f);
        // Not a constant image: the comparison means something.
        assertThat(actual[0]).isNotCloseTo(actual[300], within(1e-6f));
      }
    }
  }

  @Test
  void exportedBatchNormUsesTrainedRunningStatistics() {
    float[] mean = gan.generatorWeights().get("bn0.running_mean");
    assertThat(mean).isNotEqualTo(new float[mean.length]);
  }

  @Test
  void writesOpset17IrVersion8WithSymbolicBatch() throws Exception {
    ModelProto model = ModelProto.parseFrom(onnx);

    assertThat(model.getIrVersion()).isEqualTo(8);
    assertThat(model.getOpsetImport(0).getVersion()).isEqualTo(17);
    assertThat(model.getGraph().getInput(0).getName()).isEqualTo("z");
    assertThat(model.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0)
        .getDimParam()).isEqualTo("N");
    assertThat(model.getGraph().getInput(1).getName()).isEqualTo("label");
    assertThat(model.getGraph().getOutput(0).getName()).isEqualTo("image");
    assertThat(model.getGraph().getNodeList()).extracting(n -> n.getOpType()).containsExactly(
        "Gather", "Concat", "Gemm", "Reshape", "BatchNormalization", "Relu", "Resize", "Conv",
        "BatchNormalization", "Relu", "Resize", "Conv", "Tanh");
  }

  @Test
  void manifestDescribesTheCganContractAndHashesTheBytes() {
    ModelManifest manifest = CganGeneratorExporter.manifest("digits", 3, 2, CONFIG, onnx,
        Map.of("step", 5.0), 1L);

    assertThat(manifest.family()).isEqualTo("cgan");
    assertThat(manifest.sha256()).isEqualTo(PublishedModel.sha256(onnx));
    assertThat(manifest.inputs().get("z").shape()).containsExactly(-1, 64);
    assertThat(manifest.inputs().get("label").type()).isEqualTo("int64");
    assertThat(manifest.outputs().get("image").shape()).containsExactly(-1, 1, 28, 28);
    assertThat(new PublishedModel(manifest, onnx).manifest().numClasses()).isEqualTo(10);
  }

}
