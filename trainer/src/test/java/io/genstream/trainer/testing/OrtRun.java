package io.genstream.trainer.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs any exported graph with ONNX Runtime: named float or int64 inputs, every output back. */
public final class OrtRun {

  private OrtRun() {}

  /** A float or int64 input tensor. */
  public record Input(float[] floats, long[] longs, long[] shape) {
    public static Input of(float[] values, long... shape) {
      return new Input(values, null, shape);
    }

    public static Input of(long[] values, long... shape) {
      return new Input(null, values, shape);
    }
  }

  /** Each output's values, by name, in the graph's order. */
  public static Map<String, float[]> run(byte[] onnx, Map<String, Input> inputs) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Map<String, OnnxTensor> feed = new HashMap<>();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(onnx, options)) {
      for (Map.Entry<String, Input> entry : inputs.entrySet()) {
        Input in = entry.getValue();
        feed.put(entry.getKey(), in.floats() != null
            ? OnnxTensor.createTensor(env, FloatBuffer.wrap(in.floats()), in.shape())
            : OnnxTensor.createTensor(env, LongBuffer.wrap(in.longs()), in.shape()));
      }
      try (OrtSession.Result result = session.run(feed)) {
        Map<String, float[]> outputs = new LinkedHashMap<>();
        for (String name : List.copyOf(session.getOutputNames())) {
          FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
          float[] values = new float[buffer.remaining()];
          buffer.get(values);
          outputs.put(name, values);
        }
        return outputs;
      }
    } finally {
      feed.values().forEach(OnnxTensor::close);
    }
  }

  /** Largest absolute difference of two equally long arrays. */
  public static double maxAbsDifference(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
    }
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    return max;
  }
}
