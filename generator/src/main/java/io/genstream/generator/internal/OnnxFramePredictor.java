package io.genstream.generator.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link FramePredictor} over one {@link OrtSession}.
 *
 * <p>It is also a {@link GenerativeModel} only so that the registry (whose sessions, leases and
 * hot swap are typed by that interface) can hold it like any other version; its
 * {@link #generate} refuses with {@link FramePredictor#refusal}, an invalid request. Leases hand
 * it out through {@link io.genstream.generator.ModelLease#predictor()}.
 *
 * <p>Owns its session and the options it was built with, closing them in that order; a read
 * lock keeps {@link #close()} from freeing the session under a running inference. Graph names
 * come from the graph: the one float input of rank 4 is the stacked context, the output named
 * {@code frame} (or the one float output of rank 4) the prediction; fixed dimensions are
 * checked against the manifest at load time, so a mismatch fails the load (for good).
 */
public final class OnnxFramePredictor implements FramePredictor, GenerativeModel {

  private final ModelManifest manifest;
  private final int contextFrames;
  private final ExecutionProvider provider;
  private final OrtEnvironment environment;
  private final OnnxSessions.Opened opened;
  private final String framesInput;
  private final String frameOutput;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private OnnxFramePredictor(ModelManifest manifest, OrtEnvironment environment,
      OnnxSessions.Opened opened, ExecutionProvider provider) throws OrtException {
    this.manifest = manifest;
    this.environment = environment;
    this.opened = opened;
    this.provider = provider;
    this.contextFrames = FramePredictor.contextFrames(manifest);
    Map<String, NodeInfo> inputs = opened.session().getInputInfo();
    Map<String, NodeInfo> outputs = opened.session().getOutputInfo();
    if (inputs.size() != 1) {
      throw mismatch("expected one input (frames float [N, k*C, H, W]), graph has "
          + OnnxSessions.describe(inputs));
    }
    this.framesInput = single(inputs, "frames input (float [N, k*C, H, W])");
    this.frameOutput = outputs.containsKey("frame") ? "frame"
        : single(outputs, "frame output (float [N, C, H, W])");
    NodeInfo in = inputs.get(framesInput);
    checkDim(in, 1, (long) contextFrames * manifest.channels(), "contextFrames x channels");
    checkDim(in, 2, manifest.height(), "height");
    checkDim(in, 3, manifest.width(), "width");
    NodeInfo out = outputs.get(frameOutput);
    checkDim(out, 1, manifest.channels(), "channels");
    checkDim(out, 2, manifest.height(), "height");
    checkDim(out, 3, manifest.width(), "width");
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
    String subject = "model " + PublishedModel.key(manifest);
    OnnxSessions.Opened opened = OnnxSessions.open(environment, model.onnx(), subject,
        intraOpThreads, provider, deviceId);
    try {
      return new OnnxFramePredictor(manifest, environment, opened, provider);
    } catch (OrtException | RuntimeException e) {
      opened.close();
      throw OnnxSessions.loadFailure(subject, e);
    }
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
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("model " + PublishedModel.key(manifest) + " is closed");
      }
      long[] shape = {n, (long) contextFrames * c, manifest.height(), manifest.width()};
      try (OnnxTensor input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(frames), shape);
          OrtSession.Result result = opened.session().run(Map.of(framesInput, input))) {
        OnnxValue value = result.get(frameOutput).orElseThrow();
        FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
        float[] out = new float[n * c * plane];
        if (buffer.remaining() != out.length) {
          throw new IllegalStateException("model " + PublishedModel.key(manifest) + " returned "
              + buffer.remaining() + " values, expected " + out.length);
        }
        buffer.get(out);
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("model " + PublishedModel.key(manifest)
          + ": inference failed: " + e.getMessage(), e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Always refuses: a frame predictor has no latent to generate from. */
  @Override
  public float[] generate(float[] latents, long[] labels, int n) {
    throw FramePredictor.refusal(manifest);
  }

  /** Closes the session, then its options; waits for running inferences. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        opened.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "OnnxFramePredictor[" + PublishedModel.key(manifest) + " on " + provider + ", k="
        + contextFrames + ", " + framesInput + " -> " + frameOutput + "]";
  }

  private String single(Map<String, NodeInfo> nodes, String role) {
    List<String> found = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (node.getInfo() instanceof TensorInfo info && info.type == OnnxJavaType.FLOAT
          && info.getShape().length == 4) {
        found.add(node.getName());
      }
    }
    if (found.size() != 1) {
      throw mismatch("expected exactly one " + role + ", graph has " + OnnxSessions.describe(nodes));
    }
    return found.get(0);
  }

  private void checkDim(NodeInfo node, int axis, long expected, String field) {
    long[] shape = ((TensorInfo) node.getInfo()).getShape();
    if (shape.length != 4) {
      throw mismatch(node.getName() + " has rank " + shape.length + ", expected 4");
    }
    // -1: a symbolic dimension; only fixed sizes can be checked before running.
    if (shape[axis] >= 0 && shape[axis] != expected) {
      throw mismatch(node.getName() + " has " + field + " " + shape[axis] + " (shape "
          + Arrays.toString(shape) + "), manifest says " + expected);
    }
  }

  private IllegalArgumentException mismatch(String detail) {
    return new IllegalArgumentException("model " + PublishedModel.key(manifest)
        + " does not match its manifest: " + detail);
  }
}
