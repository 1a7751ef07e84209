package io.genstream.trainer.onnx;

import static io.genstream.trainer.onnx.OnnxGraphBuilder.attribute;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.gan.GanConfig;
import io.genstream.trainer.gan.GeneratorWeights;
import java.util.Map;

/**
 * Writes the conditional generator as an ONNX model in inference mode (BatchNorm on its running
 * statistics), the {@code cgan} family contract of {@link ModelManifest}: inputs {@code z} float
 * {@code [N, latentDim]} and {@code label} int64 {@code [N]}, output {@code image} float
 * {@code [N, 1, H, W]} in [-1, 1].
 *
 * <p>The graph mirrors {@code Generator.forward} node for node: Gather → Concat → Gemm → Reshape →
 * BatchNormalization → Relu → Resize → Conv → BatchNormalization → Relu → Resize → Conv → Tanh.
 * Stateless and thread-safe.
 */
public final class CganGeneratorExporter {

  public static final String FAMILY = "cgan";
  public static final String INPUT_Z = "z";
  public static final String INPUT_LABEL = "label";
  public static final String OUTPUT_IMAGE = "image";

  private static final String BATCH = "N";

  /** The ONNX bytes for these weights. */
  public byte[] export(GeneratorWeights weights) {
    GanConfig c = weights.config();
    int s = c.baseSize();
    int side = c.imageSize();
    int c0 = c.generatorWidth0();
    int c1 = c.generatorWidth1();
    OnnxGraphBuilder g = new OnnxGraphBuilder("cgan_generator");
    g.input(INPUT_Z, TensorProto.DataType.FLOAT, BATCH, c.latentDim());
    g.input(INPUT_LABEL, TensorProto.DataType.INT64, BATCH);

    String table = g.initializer(GeneratorWeights.EMBEDDING, weights.get(GeneratorWeights.EMBEDDING),
        c.numClasses(), c.embeddingDim());
    String embedded = g.node("Gather", "embedded", new String[] {table, INPUT_LABEL},
        attribute("axis", 0L)); // [N, E]
    String x = g.node("Concat", "latent_and_label", new String[] {INPUT_Z, embedded},
        attribute("axis", 1L)); // [N, L+E]
    x = g.node("Gemm", "fc", new String[] {x,
        weight(g, weights, GeneratorWeights.FC_WEIGHT, (long) c0 * s * s, c.latentDim() + c.embeddingDim()),
        weight(g, weights, GeneratorWeights.FC_BIAS, (long) c0 * s * s)},
        attribute("transB", 1L)); // [N, C0*s*s]
    String shape = g.initializer("fc_shape", new long[] {-1, c0, s, s}, 4);
    x = g.node("Reshape", "fc_maps", new String[] {x, shape}); // [N, C0, s, s]
    x = batchNormRelu(g, weights, x, "bn0", c0);
    String scales = g.initializer("upsample_scales", new float[] {1f, 1f, 2f, 2f}, 4);
    x = upsample(g, x, scales, "up1"); // [N, C0, 2s, 2s]
    x = conv3x3(g, weights, x, "conv1", c1, c0); // [N, C1, 2s, 2s]
    x = batchNormRelu(g, weights, x, "bn1", c1);
    x = upsample(g, x, scales, "up2"); // [N, C1, 4s, 4s]
    x = conv3x3(g, weights, x, "conv2", 1, c1); // [N, 1, H, W]
    g.node("Tanh", OUTPUT_IMAGE, new String[] {x});
    g.output(OUTPUT_IMAGE, TensorProto.DataType.FLOAT, BATCH, 1, side, side);
    return g.build("genstream-trainer", "0.1").toByteArray();
  }

  /**
   * The manifest of an exported version.
   *
   * @param metrics training figures at export (dLoss, gLoss, step, imagesSeen, …)
   */
  public static ModelManifest manifest(String name, long version, long parentVersion,
      GanConfig config, byte[] onnx, Map<String, Double> metrics, long createdAtMillis) {
    int side = config.imageSize();
    return new ModelManifest(name, version, parentVersion, FAMILY, 1, side, side,
        config.latentDim(), config.numClasses(),
        Map.of(INPUT_Z, new TensorSpec("float", new long[] {-1, config.latentDim()}),
            INPUT_LABEL, new TensorSpec("int64", new long[] {-1})),
        Map.of(OUTPUT_IMAGE, new TensorSpec("float", new long[] {-1, 1, side, side})),
        PublishedModel.sha256(onnx), createdAtMillis, metrics);
  }

  private static String weight(OnnxGraphBuilder g, GeneratorWeights w, String name, long... shape) {
    return g.initializer(name, w.get(name), shape);
  }

  private static String batchNormRelu(OnnxGraphBuilder g, GeneratorWeights w, String x,
      String layer, int channels) {
    // Inference-mode BatchNormalization: one output, y = (x - mean) / sqrt(var + eps) * γ + β.
    String normalised = g.node("BatchNormalization", layer, new String[] {x,
            weight(g, w, layer + ".weight", channels),
            weight(g, w, layer + ".bias", channels),
            weight(g, w, layer + ".running_mean", channels),
            weight(g, w, layer + ".running_var", channels)},
        attribute("epsilon", 1e-5f));
    return g.node("Relu", layer + "_relu", new String[] {normalised});
  }

  private static String upsample(OnnxGraphBuilder g, String x, String scales, String name) {
    // PyTorch's interpolate(mode="nearest") picks floor(out * in / out_size): asymmetric + floor.
    return g.node("Resize", name, new String[] {x, "", scales},
        attribute("mode", "nearest"),
        attribute("coordinate_transformation_mode", "asymmetric"),
        attribute("nearest_mode", "floor"));
  }

  private static String conv3x3(OnnxGraphBuilder g, GeneratorWeights w, String x, String layer,
      int out, int in) {
    return g.node("Conv", layer, new String[] {x,
            weight(g, w, layer + ".weight", out, in, 3, 3),
            weight(g, w, layer + ".bias", out)},
        attribute("kernel_shape", 3L, 3L),
        attribute("pads", 1L, 1L, 1L, 1L),
        attribute("strides", 1L, 1L));
  }
}
