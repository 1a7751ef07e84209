package io.genstream.generator;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.core.messages.PublishedModel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tiny {@code framepred} version built as an ONNX graph in the test, with its plain-Java
 * reference: two gray 8×8 frames in, the next out, by linear extrapolation.
 *
 * <pre>
 * frames [N,2,8,8] ─ Conv(W [1,2,1,1] = [-a, 1+a], no bias) ─ Clip(-1, 1) ─► frame [N,1,8,8]
 * </pre>
 *
 * <p>That is {@code clip(last + a·(last - previous))}: with {@code a = 1} a brightness ramp is
 * continued exactly, so the model beats copy-last on ramps; {@code a} tells versions apart.
 */
public final class TinyFramePredictor {

  public static final String NAME = "clips";
  public static final int K = 2;
  public static final int SIDE = 8;

  private TinyFramePredictor() {}

  /** The reference prediction from the two newest frames (8-bit), as 8-bit. */
  public static ImageTensor reference(ImageTensor previous, ImageTensor last, float a) {
    float[] p = previous.toSymmetricUnit();
    float[] l = last.toSymmetricUnit();
    float[] out = new float[l.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(-1f, Math.min(1f, -a * p[i] + (1 + a) * l[i]));
    }
    return ImageTensor.fromSymmetricUnit(out, 0, 1, SIDE, SIDE);
  }

  /** Version {@code version}, extrapolating by {@code a}. */
  public static PublishedModel published(long version, float a) {
    byte[] onnx = onnx(a);
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("family", "framepred");
    spec.put("contextFrames", K);
    spec.put("channels", 1);
    spec.put("imageSize", SIDE);
    ModelManifest manifest = new ModelManifest(NAME, version, version - 1, "framepred", 1, SIDE,
        SIDE, 0, 0,
        Map.of("frames", new TensorSpec("float", new long[] {-1, K, SIDE, SIDE})),
        Map.of("frame", new TensorSpec("float", new long[] {-1, 1, SIDE, SIDE})),
        PublishedModel.sha256(onnx), System.currentTimeMillis(), Map.of("mse", 0.01), spec,
        null, null);
    return new PublishedModel(manifest, onnx);
  }

  /** The graph's bytes: opset 17, IR version 8. */
  public static byte[] onnx(float a) {
    GraphProto graph = GraphProto.newBuilder()
        .setName("tiny_framepred")
        .addInput(TinyGenerator.tensor("frames", TensorProto.DataType.FLOAT, "N", K, SIDE, SIDE))
        .addOutput(TinyGenerator.tensor("frame", TensorProto.DataType.FLOAT, "N", 1, SIDE, SIDE))
        .addInitializer(TinyGenerator.floats("W", new float[] {-a, 1 + a}, 1, K, 1, 1))
        .addInitializer(TinyGenerator.floats("lo", new float[] {-1f}))
        .addInitializer(TinyGenerator.floats("hi", new float[] {1f}))
        .addNode(TinyGenerator.node("Conv", new String[] {"frames", "W"}, "d"))
        .addNode(TinyGenerator.node("Clip", new String[] {"d", "lo", "hi"}, "frame"))
        .build();
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .setProducerName("genstream-generator-test")
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  /**
   * Frame {@code t} of a test stream: a gray ramp over x and y that brightens by 8 per frame
   * ({@code offset} tells streams apart); valid for {@code t} up to about 20.
   */
  public static ImageTensor frame(int offset, long t) {
    byte[] pixels = new byte[SIDE * SIDE];
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        pixels[y * SIDE + x] = (byte) Math.min(255, 10 + offset + 8 * t + 5 * x + 3 * y);
      }
    }
    return new ImageTensor(1, SIDE, SIDE, pixels);
  }
}
