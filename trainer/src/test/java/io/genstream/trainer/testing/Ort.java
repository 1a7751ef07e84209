package io.genstream.trainer.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Map;

/** Runs an exported cgan generator with ONNX Runtime, as the generator service will. */
public final class Ort {

  private Ort() {}

  /** Output {@code image} and its shape, for inputs {@code z [N, L]} and {@code label [N]}. */
  public record Output(float[] values, long[] shape) {}

  public static Output run(byte[] onnx, float[] z, long[] labels) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(onnx, options)) {
      return run(env, session, z, labels);
    }
  }

  public static Output run(OrtEnvironment env, OrtSession session, float[] z, long[] labels)
      throws OrtException {
    int n = labels.length;
    try (OnnxTensor zt = OnnxTensor.createTensor(env, FloatBuffer.wrap(z),
            new long[] {n, z.length / n});
        OnnxTensor lt = OnnxTensor.createTensor(env, LongBuffer.wrap(labels), new long[] {n});
        OrtSession.Result result = session.run(Map.of("z", zt, "label", lt))) {
      OnnxTensor image = (OnnxTensor) result.get("image").orElseThrow();
      FloatBuffer buffer = image.getFloatBuffer();
      float[] values = new float[buffer.remaining()];
      buffer.get(values);
      return new Output(values, image.getInfo().getShape());
    }
  }
}
