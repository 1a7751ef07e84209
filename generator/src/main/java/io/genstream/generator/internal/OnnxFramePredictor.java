package io.genstream.generator.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * A {@link FramePredictor} over one {@link OrtSession}.
 *
 * <p>It is also a {@link GenerativeModel} only so that the registry (whose sessions, leases and
 * hot swap are typed by that interface) can hold it like any other version; its
 * {@link #generate} refuses with {@link FramePredictor#refusal}, an invalid request. Leases hand
 * it out through {@link io.genstream.generator.ModelLease#predictor()}.
 *
 * <p>Owns its {@link GuardedSession}. Graph names
 * come from the graph: the one float input of rank 4 is the stacked context, the output named
 * {@code frame} (or the one float output of rank 4) the prediction; fixed dimensions are
 * checked against the manifest at load time, so a mismatch fails the load (for good).
 */
public final class OnnxFramePredictor implements FramePredictor, GenerativeModel {

  private final ModelManifest manifest;
  private final int contextFrames;
  private final ExecutionProvider provider;
  private final OrtEnvironment environment;
  private final GuardedSession session;
  private final String framesInput;
  private final String frameOutput;

  private OnnxFramePredictor(ModelManifest manifest, OrtEnvironment environment,
      GuardedSession session, ExecutionProvider provider) throws OrtException {
    this.manifest = manifest;
    this.environment = environment;
    this.session = session;
    this.provider = provider;
    this.contextFrames = FramePredictor.contextFrames(manifest);
    Map<String, NodeInfo> inputs = session.inputs();
    Map<String, NodeInfo> outputs = session.outputs();
    if (inputs.size() != 1) {
      throw session.mismatch("expected one input (frames float [N, k*C, H, W]), graph has "
          + OnnxSessions.describe(inputs));
    }
    this.framesInput = session.single(inputs, OnnxJavaType.FLOAT, 4,
        "frames input (float [N, k*C, H, W])");
    this.frameOutput = outputs.containsKey("frame") ? "frame"
        : session.single(outputs, OnnxJavaType.FLOAT, 4, "frame output (float [N, C, H, W])");
    NodeInfo in = inputs.get(framesInput);
    session.checkDim(in, 1, (long) contextFrames * manifest.channels(),
        "contextFrames x channels");
    session.checkDim(in, 2, manifest.height(), "height");
    session.checkDim(in, 3, manifest.width(), "width");
    NodeInfo out = outputs.get(frameOutput);
    session.checkDim(out, 1, manifest.channels(), "channels");
    session.checkDim(out, 2, manifest.height(), "height");
    session.checkDim(out, 3, manifest.width(), "width");
  }

  /**
   * Builds a session from a {@code framepred} version's bytes on {@code provider}.
   *
   * @throws OnnxSessions.ProviderUnavailableException if the provider cannot be added
   * @throws IllegalArgumentException if the bytes are invalid or do not match the manifest
   *     (permanent)
   * @throws IllegalStateException if ONNX Runtime failed for another reason (may pass)
   */
  static OnnxFramePredictor load(OrtEnvironment environment, PublishedModel model,
      int intraOpThreads, ExecutionProvider provider, int deviceId) {
    ModelManifest manifest = model.manifest();
    return GuardedSession.load(environment, model.onnx(), "model " + PublishedModel.key(manifest),
        intraOpThreads, provider, deviceId,
        session -> new OnnxFramePredictor(manifest, environment, session, provider));
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public int contextFrames() {
    return contextFrames;
  }

  @Override
  public ExecutionProvider executionProvider() {
    return provider;
  }

  @Override
  public float[] predict(float[] frames, int n) {
    int c = manifest.channels();
    int plane = manifest.height() * manifest.width();
    if (n < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + n);
    }
    long expected = (long) n * contextFrames * c * plane;
    if (frames.length != expected) {
      throw new IllegalArgumentException("expected " + n + " x " + contextFrames + " x " + c
          + " x " + manifest.height() + " x " + manifest.width() + " = " + expected
          + " frame values, got " + frames.length);
    }
    long[] shape = {n, (long) contextFrames * c, manifest.height(), manifest.width()};
    return session.run(ort -> {
      try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(frames), shape);
          OrtSession.Result result = ort.run(Map.of(framesInput, input))) {
        OnnxValue value = result.get(frameOutput).orElseThrow();
        FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
        float[] out = new float[n * c * plane];
        if (buffer.remaining() != out.length) {
          throw new IllegalStateException(session.subject() + " returned " + buffer.remaining()
              + " values, expected " + out.length);
        }
        buffer.get(out);
        return out;
      }
    });
  }

  /** Always refuses: a frame predictor has no latent to generate from. */
  @Override
  public float[] generate(float[] latents, long[] labels, int n) {
    throw FramePredictor.refusal(manifest);
  }

  /** Closes the session, then its options; waits for running inferences. Idempotent. */
  @Override
  public void close() {
    session.close();
  }

  @Override
  public String toString() {
    return "OnnxFramePredictor[" + PublishedModel.key(manifest) + " on " + provider + ", k="
        + contextFrames + ", " + framesInput + " -> " + frameOutput + "]";
  }
}
