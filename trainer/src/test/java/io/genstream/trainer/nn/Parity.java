package io.genstream.trainer.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The parity check every layer owes: a network made of the layer, random parameters, the DJL
 * inference-mode forward pass against ONNX Runtime on the exported graph.
 */
public final class Parity {

  /** Largest difference this project accepts between DJL and ONNX Runtime. */
  public static final double TOLERANCE = 1e-4;

  private Parity() {}

  /** DJL's and ONNX Runtime's outputs for one random input. */
  public record Outputs(float[] djl, float[] onnx, long[] onnxShape) {

    public double maxAbsDifference() {
      double max = 0;
      for (int i = 0; i < djl.length; i++) {
        max = Math.max(max, Math.abs(djl[i] - onnx[i]));
      }
      return max;
    }

    /** Asserts both backends agree within {@link #TOLERANCE}. */
    public Outputs assertMatch() {
      assertThat(onnx).hasSameSizeAs(djl);
      assertThat(maxAbsDifference()).isLessThanOrEqualTo(TOLERANCE);
      return this;
    }
  }

  /**
   * Runs {@code layer} on a random float input of {@code inputShape} (batch first), with a
   * label side input of {@code classes} classes if {@code classes > 0}.
   *
   * @param prepare called with the store before the forward pass (e.g. a few training-mode
   *     passes so running statistics are not trivial); may be null
   */
  public static Outputs check(Layer layer, long[] inputShape, int classes, long seed,
      java.util.function.BiConsumer<ParameterStore, Forward> prepare) throws Exception {
    long[] specShape = inputShape.clone();
    specShape[0] = -1;
    Map<String, io.genstream.core.messages.ModelManifest.TensorSpec> inputs =
        new LinkedHashMap<>();
    inputs.put("x", Network.floats(specShape));
    if (classes > 0) {
      inputs.put("label", Network.int64s(-1));
    }
    Network network = new Network("parity", inputs, layer, Map.of("y", Network.floats(-1)));
    int n = (int) inputShape[0];
    Random random = new Random(seed);
    float[] x = new float[(int) new Shape(inputShape).size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = classes > 0 ? random.nextInt(classes) : 0;
    }
    float[] djl;
    long[] outputShape;
    Map<String, float[]> weights;
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store = new ParameterStore(manager, network.parameters(), random, false);
      Map<String, NDArray> side = new HashMap<>();
      if (classes > 0) {
        float[] oneHot = new float[n * classes];
        for (int i = 0; i < n; i++) {
          oneHot[i * classes + (int) labels[i]] = 1f;
        }
        side.put("label", manager.create(oneHot, new Shape(n, classes)));
      }
      JniUtils.setGradMode(false);
      if (prepare != null) {
        prepare.accept(store, Forward.training(store::get, side));
      }
      NDArray input = manager.create(x, new Shape(inputShape));
      NDArray output = network.forward(Forward.inference(store::get, side), input);
      djl = output.toFloatArray();
      outputShape = output.getShape().getShape();
      outputShape[0] = -1;
      weights = store.snapshot();
    }
    // Declared with the shape DJL produced, so ONNX Runtime's shape inference checks it too.
    byte[] onnx = new Network("parity", inputs, layer, Map.of("y", Network.floats(outputShape)))
        .export(weights);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(onnx, options);
        OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), inputShape);
        OnnxTensor lt = OnnxTensor.createTensor(env, LongBuffer.wrap(labels), new long[] {n})) {
      Map<String, OnnxTensor> feed = new HashMap<>();
      feed.put("x", xt);
      if (classes > 0) {
        feed.put("label", lt);
      }
      try (OrtSession.Result result = session.run(feed)) {
        OnnxTensor y = (OnnxTensor) result.get("y").orElseThrow();
        FloatBuffer buffer = y.getFloatBuffer();
        float[] values = new float[buffer.remaining()];
        buffer.get(values);
        return new Outputs(djl, values, y.getInfo().getShape());
      }
    }
  }

  /** {@link #check} without side input or preparation. */
  public static Outputs check(Layer layer, long... inputShape) throws Exception {
    return check(layer, inputShape, 0, 7, null);
  }
}
