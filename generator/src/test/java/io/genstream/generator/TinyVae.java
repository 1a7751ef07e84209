package io.genstream.generator;

import static io.genstream.generator.TinyGenerator.CLASSES;
import static io.genstream.generator.TinyGenerator.LATENT;
import static io.genstream.generator.TinyGenerator.PIXELS;
import static io.genstream.generator.TinyGenerator.SIDE;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelManifest.GraphSpec;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.core.messages.PublishedModel;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A tiny class-conditional VAE as the trainer publishes one: {@link TinyGenerator}'s graph as
 * the decoder, and an encoder built here as an ONNX graph, with its plain-Java reference:
 *
 * <pre>
 * image [N,1,4,4] ─ Reshape [N,16] ─┬─ Gemm(Wm [4,16], bm [4], transB=1) ─┐
 *                                   │                                    Add ─► mu [N,4]
 * label [N] ─ Gather(Em [10,4]) ────┼────────────────────────────────────┘
 *                                   └─ Gemm(Wl [4,16], bl [4], transB=1) ───► logvar [N,4]
 * </pre>
 *
 * <p>Weights: {@code Wm[j][p] = scale · 0.1 · ((p + j) mod 5 − 2)}, {@code bm[j] = 0.05 · j},
 * {@code Em[c][j] = 0.02 · (c − j)}, {@code Wl[j][p] = 0.05 · ((p · j) mod 3 − 1)},
 * {@code bl[j] = −1 + 0.1 · j}. {@code scale} tells versions apart, as in TinyGenerator.
 */
public final class TinyVae {

  public static final String NAME = "digits-vae";

  private TinyVae() {}

  /** The encoder's mean for one image ({@code 16} values in [-1, 1] from {@code offset}). */
  public static float[] mean(float[] image, int offset, int label, float scale) {
    float[] mu = new float[LATENT];
    for (int j = 0; j < LATENT; j++) {
      double h = meanBias(j);
      for (int p = 0; p < PIXELS; p++) {
        h += (double) image[offset + p] * meanWeight(j, p, scale);
      }
      mu[j] = (float) (h + meanEmbedding(label, j));
    }
    return mu;
  }

  /** The encoder's log-variance for one image. */
  public static float[] logVar(float[] image, int offset) {
    float[] logVar = new float[LATENT];
    for (int j = 0; j < LATENT; j++) {
      double h = logVarBias(j);
      for (int p = 0; p < PIXELS; p++) {
        h += (double) image[offset + p] * logVarWeight(j, p);
      }
      logVar[j] = (float) h;
    }
    return logVar;
  }

  /**
   * Version {@code version}: the decoder's bytes with a manifest of family {@code vae} that
   * declares the encoder graph (its SHA-256 and contract), as the trainer's exporter writes it.
   */
  public static PublishedModel published(long version, float scale) {
    return published(NAME, version, scale);
  }

  public static PublishedModel published(String name, long version, float scale) {
    byte[] decoder = TinyGenerator.onnx(scale);
    GraphSpec encoder = new GraphSpec(PublishedModel.sha256(encoderOnnx(scale)),
        Map.of("image", new TensorSpec("float", new long[] {-1, 1, SIDE, SIDE}),
            "label", new TensorSpec("int64", new long[] {-1})),
        Map.of(ImageEncoder.MEAN, new TensorSpec("float", new long[] {-1, LATENT}),
            ImageEncoder.LOG_VARIANCE, new TensorSpec("float", new long[] {-1, LATENT})));
    ModelManifest manifest = new ModelManifest(name, version, version - 1, "vae", 1, SIDE, SIDE,
        LATENT, CLASSES,
        Map.of("z", new TensorSpec("float", new long[] {-1, LATENT}),
            "label", new TensorSpec("int64", new long[] {-1})),
        Map.of("image", new TensorSpec("float", new long[] {-1, 1, SIDE, SIDE})),
        PublishedModel.sha256(decoder), 1_000L * version, Map.of("loss", 1.0), null, null,
        Map.of(ImageEncoder.GRAPH, encoder));
    return new PublishedModel(manifest, decoder);
  }

  /** The encoder's record for {@code model} (which must have been made with the same scale). */
  public static ProducerRecord<String, byte[]> encoderRecord(PublishedModel model, float scale,
      String topic) {
    return PublishedModel.extraGraphRecord(model.manifest(), ImageEncoder.GRAPH,
        encoderOnnx(scale), topic, "test");
  }

  /** The encoder graph's bytes: opset 17, IR version 8. */
  public static byte[] encoderOnnx(float scale) {
    float[] wm = new float[LATENT * PIXELS];
    float[] wl = new float[LATENT * PIXELS];
    for (int j = 0; j < LATENT; j++) {
      for (int p = 0; p < PIXELS; p++) {
        wm[j * PIXELS + p] = meanWeight(j, p, scale);
        wl[j * PIXELS + p] = logVarWeight(j, p);
      }
    }
    float[] bm = new float[LATENT];
    float[] bl = new float[LATENT];
    for (int j = 0; j < LATENT; j++) {
      bm[j] = meanBias(j);
      bl[j] = logVarBias(j);
    }
    float[] em = new float[CLASSES * LATENT];
    for (int c = 0; c < CLASSES; c++) {
      for (int j = 0; j < LATENT; j++) {
        em[c * LATENT + j] = meanEmbedding(c, j);
      }
    }
    GraphProto graph = GraphProto.newBuilder()
        .setName("tiny_vae_encoder")
        .addInput(TinyGenerator.tensor("image", TensorProto.DataType.FLOAT, "N", 1, SIDE, SIDE))
        .addInput(TinyGenerator.tensor("label", TensorProto.DataType.INT64, "N"))
        .addOutput(TinyGenerator.tensor(ImageEncoder.MEAN, TensorProto.DataType.FLOAT, "N", LATENT))
        .addOutput(TinyGenerator.tensor(ImageEncoder.LOG_VARIANCE, TensorProto.DataType.FLOAT, "N",
            LATENT))
        .addInitializer(TinyGenerator.floats("Wm", wm, LATENT, PIXELS))
        .addInitializer(TinyGenerator.floats("bm", bm, LATENT))
        .addInitializer(TinyGenerator.floats("Wl", wl, LATENT, PIXELS))
        .addInitializer(TinyGenerator.floats("bl", bl, LATENT))
        .addInitializer(TinyGenerator.floats("Em", em, CLASSES, LATENT))
        .addInitializer(TinyGenerator.longs("flat", new long[] {-1, PIXELS}))
        .addNode(TinyGenerator.node("Reshape", new String[] {"image", "flat"}, "x"))
        .addNode(gemm("x", "Wm", "bm", "hm"))
        .addNode(TinyGenerator.node("Gather", new String[] {"Em", "label"}, "e"))
        .addNode(TinyGenerator.node("Add", new String[] {"hm", "e"}, ImageEncoder.MEAN))
        .addNode(gemm("x", "Wl", "bl", ImageEncoder.LOG_VARIANCE))
        .build();
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("genstream-generator-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  private static NodeProto gemm(String x, String w, String b, String out) {
    return TinyGenerator.node("Gemm", new String[] {x, w, b}, out).toBuilder()
        .addAttribute(AttributeProto.newBuilder().setName("transB")
            .setType(AttributeProto.AttributeType.INT).setI(1))
        .build();
  }

  private static float meanWeight(int j, int p, float scale) {
    return scale * 0.1f * ((p + j) % 5 - 2);
  }

  private static float meanBias(int j) {
    return 0.05f * j;
  }

  private static float meanEmbedding(int c, int j) {
    return 0.02f * (c - j);
  }

  private static float logVarWeight(int j, int p) {
    return 0.05f * ((p * j) % 3 - 1);
  }

  private static float logVarBias(int j) {
    return -1f + 0.1f * j;
  }
}
