package io.genstream.generator;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.core.messages.PublishedModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * A tiny class-conditional "generator" built as an ONNX graph in the test, and its plain-Java
 * reference:
 *
 * <pre>
 * z [N,4] ─ Gemm(W [16,4], b [16], transB=1) ─┐
 *                                             Add ─ Tanh ─ Reshape [N,1,4,4] ─► image
 * label [N] ─ Gather(embedding [10,16]) ──────┘
 * </pre>
 *
 * <p>Weights: {@code W[j][k] = scale · 0.05 · (k+1) · (j even ? 1 : -1)},
 * {@code embedding[c][j] = 0.1 · (c - j)}, {@code b[j] = 0.01 · j}. {@code scale} tells versions
 * apart.
 */
public final class TinyGenerator {

  public static final String NAME = "digits";
  public static final int LATENT = 4;
  public static final int CLASSES = 10;
  public static final int SIDE = 4;
  public static final int PIXELS = SIDE * SIDE;

  private TinyGenerator() {}

  public static float weight(int j, int k, float scale) {
    return scale * 0.05f * (k + 1) * (j % 2 == 0 ? 1 : -1);
  }

  public static float embedding(int c, int j) {
    return 0.1f * (c - j);
  }

  public static float bias(int j) {
    return 0.01f * j;
  }

  /** The reference: what the graph computes for one image, {@code [16]} pixels in [-1, 1]. */
  public static float[] reference(float[] z, int zOffset, int label, float scale) {
    float[] out = new float[PIXELS];
    for (int j = 0; j < PIXELS; j++) {
      double h = bias(j);
      for (int k = 0; k < LATENT; k++) {
        h += (double) z[zOffset + k] * weight(j, k, scale);
      }
      out[j] = (float) Math.tanh(h + embedding(label, j));
    }
    return out;
  }

  /** Version {@code version} of the model, published with a manifest and its SHA-256. */
  public static PublishedModel published(long version, float scale) {
    byte[] onnx = onnx(scale);
    ModelManifest manifest = new ModelManifest(NAME, version, version - 1, "cgan", 1, SIDE, SIDE,
        LATENT, CLASSES,
        Map.of("z", new TensorSpec("float", new long[] {-1, LATENT}),
            "label", new TensorSpec("int64", new long[] {-1})),
        Map.of("image", new TensorSpec("float", new long[] {-1, 1, SIDE, SIDE})),
        PublishedModel.sha256(onnx), System.currentTimeMillis(), Map.of("lossG", 0.7));
    return new PublishedModel(manifest, onnx);
  }

  /** The graph's bytes: opset 17, IR version 8, FLOAT weights as little-endian raw data. */
  public static byte[] onnx(float scale) {
    float[] w = new float[PIXELS * LATENT];
    for (int j = 0; j < PIXELS; j++) {
      for (int k = 0; k < LATENT; k++) {
        w[j * LATENT + k] = weight(j, k, scale);
      }
    }
    float[] emb = new float[CLASSES * PIXELS];
    for (int c = 0; c < CLASSES; c++) {
      for (int j = 0; j < PIXELS; j++) {
        emb[c * PIXELS + j] = embedding(c, j);
      }
    }
    float[] b = new float[PIXELS];
    for (int j = 0; j < PIXELS; j++) {
      b[j] = bias(j);
    }
    GraphProto graph = GraphProto.newBuilder()
        .setName("tiny_cgan")
        .addInput(tensor("z", TensorProto.DataType.FLOAT, "N", LATENT))
        .addInput(tensor("label", TensorProto.DataType.INT64, "N"))
        .addOutput(tensor("image", TensorProto.DataType.FLOAT, "N", 1, SIDE, SIDE))
        .addInitializer(floats("W", w, PIXELS, LATENT))
        .addInitializer(floats("b", b, PIXELS))
        .addInitializer(floats("embedding", emb, CLASSES, PIXELS))
        .addInitializer(longs("shape", new long[] {-1, 1, SIDE, SIDE}))
        .addNode(node("Gather", new String[] {"embedding", "label"}, "e"))
        .addNode(node("Gemm", new String[] {"z", "W", "b"}, "h").toBuilder()
            .addAttribute(AttributeProto.newBuilder().setName("transB")
                .setType(AttributeProto.AttributeType.INT).setI(1)))
        .addNode(node("Add", new String[] {"h", "e"}, "s"))
        .addNode(node("Tanh", new String[] {"s"}, "t"))
        .addNode(node("Reshape", new String[] {"t", "shape"}, "image"))
        .build();
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("genstream-generator-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  static NodeProto node(String op, String[] inputs, String output) {
    NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
    for (String input : inputs) {
      node.addInput(input);
    }
    return node.build();
  }

  /** A tensor value info; a {@code String} dimension is symbolic, an {@code Integer} fixed. */
  static ValueInfoProto tensor(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object dim : dims) {
      TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
      if (dim instanceof String param) {
        d.setDimParam(param);
      } else {
        d.setDimValue((Integer) dim);
      }
      shape.addDim(d);
    }
    return ValueInfoProto.newBuilder().setName(name)
        .setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

  static TensorProto floats(String name, float[] values, long... dims) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    TensorProto.Builder t = TensorProto.newBuilder().setName(name)
        .setDataType(TensorProto.DataType.FLOAT.getNumber()).setRawData(ByteString.copyFrom(raw.array()));
    for (long dim : dims) {
      t.addDims(dim);
    }
    return t.build();
  }

  static TensorProto longs(String name, long[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    raw.asLongBuffer().put(values);
    return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
        .addDims(values.length).setRawData(ByteString.copyFrom(raw.array())).build();
  }
}
