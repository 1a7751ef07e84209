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
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link GenerativeModel} over one {@link OrtSession}.
 *
 * <p>Owns its session and the {@link OrtSession.SessionOptions} it was built with (ONNX Runtime
 * requires the options to outlive the session), closing them in that order. Input and output
 * names come from the graph: the one float input of rank 2 is the latent, the one int64 input
 * of rank 1 the label, the one float output of rank 4 the image; they are checked against the
 * manifest at load time so that a mismatch fails the load, not a request.
 *
 * <p>{@link #generate} is safe from several threads; a read lock keeps {@link #close()} from
 * freeing the session under a running inference (the registry's leases should already
 * guarantee that; the lock makes a misuse an exception instead of a native crash).
 */
public final class OnnxGenerativeModel implements GenerativeModel {

  private final ModelManifest manifest;
  private final ExecutionProvider provider;
  private final OrtEnvironment environment;
  private final OrtSession.SessionOptions options;
  private final OrtSession session;
  private final String latentInput;
  private final String labelInput;
  private final String imageOutput;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private OnnxGenerativeModel(ModelManifest manifest, OrtEnvironment environment,
      OrtSession.SessionOptions options, OrtSession session, ExecutionProvider provider)
      throws OrtException {
    this.manifest = manifest;
    this.provider = provider;
    this.environment = environment;
    this.options = options;
    this.session = session;
    Map<String, NodeInfo> inputs = session.getInputInfo();
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    checkNamesMatchManifest("inputs", inputs.keySet(), manifest.inputs().keySet());
    checkNamesMatchManifest("outputs", outputs.keySet(), manifest.outputs().keySet());
    this.latentInput = single(inputs, OnnxJavaType.FLOAT, 2, "latent input (float [N, latentDim])");
    this.labelInput = manifest.conditional()
        ? single(inputs, OnnxJavaType.INT64, 1, "label input (int64 [N])")
        : null;
    int expectedInputs = manifest.conditional() ? 2 : 1;
    if (inputs.size() != expectedInputs) {
      throw mismatch("expected " + expectedInputs + " inputs for a model with numClasses="
          + manifest.numClasses() + ", graph has " + OnnxSessions.describe(inputs));
    }
    this.imageOutput = outputs.size() == 1 || !outputs.containsKey("image")
        ? single(outputs, OnnxJavaType.FLOAT, 4, "image output (float [N, C, H, W])")
        : "image";
    checkDim(inputs.get(latentInput), 1, manifest.latentDim(), "latentDim");
    NodeInfo image = outputs.get(imageOutput);
    checkDim(image, 1, manifest.channels(), "channels");
    checkDim(image, 2, manifest.height(), "height");
    checkDim(image, 3, manifest.width(), "width");
  }

  /**
   * Builds a session from the model's bytes.
   *
   * @throws IllegalArgumentException if ONNX Runtime rejects the bytes as an invalid model, or
   *     the graph does not match the manifest: loading it again will fail again
   * @throws IllegalStateException if ONNX Runtime failed for another reason (out of memory, a
   *     provider or engine error): a later attempt may succeed
   */
  static OnnxGenerativeModel load(OrtEnvironment environment, PublishedModel model, int intraOpThreads) {
    return load(environment, model, intraOpThreads, ExecutionProvider.CPU, 0);
  }

  /**
   * Builds a session on {@code provider}.
   *
   * @throws OnnxSessions.ProviderUnavailableException if the provider cannot be added to the session's
   *     options (nothing was loaded; the caller may fall back to the CPU)
   * @throws IllegalArgumentException as {@link #load(OrtEnvironment, PublishedModel, int)}
   * @throws IllegalStateException as {@link #load(OrtEnvironment, PublishedModel, int)}
   */
  static OnnxGenerativeModel load(OrtEnvironment environment, PublishedModel model, int intraOpThreads,
      ExecutionProvider provider, int deviceId) {
    ModelManifest manifest = model.manifest();
    String subject = "model " + PublishedModel.key(manifest);
    OnnxSessions.Opened opened = OnnxSessions.open(environment, model.onnx(), subject,
        intraOpThreads, provider, deviceId);
    try {
      return new OnnxGenerativeModel(manifest, environment, opened.options(), opened.session(),
          provider);
    } catch (OrtException | RuntimeException e) {
      opened.close();
      throw OnnxSessions.loadFailure(subject, e);
    }
  }

  @Override
  public ExecutionProvider executionProvider() {
    return provider;
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public float[] generate(float[] latents, long[] labels, int n) {
    checkArguments(latents, labels, n);
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("model " + PublishedModel.key(manifest) + " is closed");
      }
      return run(latents, labels, n);
    } catch (OrtException e) {
      throw new IllegalStateException("model " + PublishedModel.key(manifest)
          + ": inference failed: " + e.getMessage(), e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  private float[] run(float[] latents, long[] labels, int n) throws OrtException {
    Scratch scratch = SCRATCH.get();
    long[] imageShape = {n, manifest.channels(), manifest.height(), manifest.width()};
    int imageValues = n * manifest.channels() * manifest.height() * manifest.width();
    Map<String, OnnxTensor> feed = new HashMap<>(2);
    // Tensors over the thread's direct buffers: ONNX Runtime reads the inputs and writes the
    // output in place, without copies. All are closed before returning, also on failure.
    try (OnnxTensor z = OnnxTensor.createTensor(environment, scratch.latents(latents),
            new long[] {n, manifest.latentDim()});
        OnnxTensor label = labelInput == null ? null
            : OnnxTensor.createTensor(environment, scratch.labels(labels), new long[] {n});
        OnnxTensor image = OnnxTensor.createTensor(environment, scratch.images(imageValues),
            imageShape)) {
      feed.put(latentInput, z);
      if (label != null) {
        feed.put(labelInput, label);
      }
      try (OrtSession.Result result =
          session.run(feed, Map.of(imageOutput, image))) {
        float[] out = new float[imageValues];
        scratch.imageBuffer().get(out);
        return out;
      }
    }
  }

  /**
   * Direct buffers of one inference thread, grown to the largest batch it ran and reused: a
   * batch then allocates nothing native. Bounded by the engine's batch size and thread count;
   * they go with their thread.
   */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static final class Scratch {
    private FloatBuffer latents = floats(0);
    private LongBuffer labels = longs(0);
    private FloatBuffer images = floats(0);

    FloatBuffer latents(float[] values) {
      if (latents.capacity() < values.length) {
        latents = floats(values.length);
      }
      return latents.clear().put(values).flip();
    }

    LongBuffer labels(long[] values) {
      if (labels.capacity() < values.length) {
        labels = longs(values.length);
      }
      return labels.clear().put(values).flip();
    }

    FloatBuffer images(int values) {
      if (images.capacity() < values) {
        images = floats(values);
      }
      return images.clear().limit(values);
    }

    /** The output of the last run, positioned at its start. */
    FloatBuffer imageBuffer() {
      return images.duplicate().rewind();
    }

    private static FloatBuffer floats(int n) {
      return ByteBuffer.allocateDirect(Float.BYTES * n).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static LongBuffer longs(int n) {
      return ByteBuffer.allocateDirect(Long.BYTES * n).order(ByteOrder.nativeOrder()).asLongBuffer();
    }
  }

  private void checkArguments(float[] latents, long[] labels, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + n);
    }
    if (latents.length != n * manifest.latentDim()) {
      throw new IllegalArgumentException("expected " + n + " x " + manifest.latentDim()
          + " = " + n * manifest.latentDim() + " latent values, got " + latents.length);
    }
    if (labelInput != null) {
      OnnxSessions.checkLabels(labels, n, manifest, "");
    }
  }

  /** Closes the session, then its options; waits for running inferences. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      OnnxSessions.closeQuietly(session);
      options.close();
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "OnnxGenerativeModel[" + PublishedModel.key(manifest) + " on " + provider + ", " + latentInput
        + (labelInput == null ? "" : ", " + labelInput) + " -> " + imageOutput + "]";
  }

  private void checkNamesMatchManifest(String what, java.util.Set<String> graph, java.util.Set<String> declared) {
    if (!declared.isEmpty() && !graph.equals(declared)) {
      throw mismatch("graph " + what + " " + new TreeSet<>(graph) + " do not match manifest "
          + what + " " + new TreeSet<>(declared));
    }
  }

  private String single(Map<String, NodeInfo> nodes, OnnxJavaType type, int rank, String role) {
    List<String> found = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (node.getInfo() instanceof TensorInfo info && info.type == type && info.getShape().length == rank) {
        found.add(node.getName());
      }
    }
    if (found.size() != 1) {
      throw mismatch("expected exactly one " + role + ", graph has " + OnnxSessions.describe(nodes));
    }
    return found.get(0);
  }

  private void checkDim(NodeInfo node, int axis, int expected, String field) {
    long actual = ((TensorInfo) node.getInfo()).getShape()[axis];
    // -1: a symbolic dimension; only fixed sizes can be checked before running.
    if (actual >= 0 && actual != expected) {
      throw mismatch(node.getName() + " has " + field + " " + actual + " (shape "
          + Arrays.toString(((TensorInfo) node.getInfo()).getShape()) + "), manifest says " + expected);
    }
  }

  private IllegalArgumentException mismatch(String detail) {
    return new IllegalArgumentException("model " + PublishedModel.key(manifest)
        + " does not match its manifest: " + detail);
  }
}
