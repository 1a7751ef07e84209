package io.genstream.generator.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A {@link GenerativeModel} over one {@link OrtSession}.
 *
 * <p>Owns its {@link GuardedSession}. Input and output
 * names come from the graph: the one float input of rank 2 is the latent, the one int64 input
 * of rank 1 the label, the one float output of rank 4 the image; they are checked against the
 * manifest at load time so that a mismatch fails the load, not a request.
 *
 * <p>{@link #generate} is safe from several threads; its {@link GuardedSession} keeps
 * {@link #close()} from freeing the session under a running inference.
 */
public final class OnnxGenerativeModel implements GenerativeModel {

  private final ModelManifest manifest;
  private final ExecutionProvider provider;
  private final OrtEnvironment environment;
  private final GuardedSession session;
  private final String latentInput;
  private final String labelInput;
  private final String imageOutput;

  private OnnxGenerativeModel(ModelManifest manifest, OrtEnvironment environment,
      GuardedSession session, ExecutionProvider provider) throws OrtException {
    this.manifest = manifest;
    this.provider = provider;
    this.environment = environment;
    this.session = session;
    Map<String, NodeInfo> inputs = session.inputs();
    Map<String, NodeInfo> outputs = session.outputs();
    checkNamesMatchManifest("inputs", inputs.keySet(), manifest.inputs().keySet());
    checkNamesMatchManifest("outputs", outputs.keySet(), manifest.outputs().keySet());
    this.latentInput = session.single(inputs, OnnxJavaType.FLOAT, 2,
        "latent input (float [N, latentDim])");
    this.labelInput = manifest.conditional()
        ? session.single(inputs, OnnxJavaType.INT64, 1, "label input (int64 [N])")
        : null;
    int expectedInputs = manifest.conditional() ? 2 : 1;
    if (inputs.size() != expectedInputs) {
      throw session.mismatch("expected " + expectedInputs + " inputs for a model with numClasses="
          + manifest.numClasses() + ", graph has " + OnnxSessions.describe(inputs));
    }
    this.imageOutput = outputs.size() == 1 || !outputs.containsKey("image")
        ? session.single(outputs, OnnxJavaType.FLOAT, 4, "image output (float [N, C, H, W])")
        : "image";
    session.checkDim(inputs.get(latentInput), 1, manifest.latentDim(), "latentDim");
    NodeInfo image = outputs.get(imageOutput);
    session.checkDim(image, 1, manifest.channels(), "channels");
    session.checkDim(image, 2, manifest.height(), "height");
    session.checkDim(image, 3, manifest.width(), "width");
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
    return GuardedSession.load(environment, model.onnx(), "model " + PublishedModel.key(manifest),
        intraOpThreads, provider, deviceId,
        session -> new OnnxGenerativeModel(manifest, environment, session, provider));
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
    return session.run(ort -> run(ort, latents, labels, n));
  }

  private float[] run(OrtSession ort, float[] latents, long[] labels, int n)
      throws OrtException {
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
      try (OrtSession.Result result = ort.run(feed, Map.of(imageOutput, image))) {
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
    session.close();
  }

  @Override
  public String toString() {
    return "OnnxGenerativeModel[" + PublishedModel.key(manifest) + " on " + provider + ", " + latentInput
        + (labelInput == null ? "" : ", " + labelInput) + " -> " + imageOutput + "]";
  }

  private void checkNamesMatchManifest(String what, java.util.Set<String> graph, java.util.Set<String> declared) {
    if (!declared.isEmpty() && !graph.equals(declared)) {
      throw session.mismatch("graph " + what + " " + new TreeSet<>(graph) + " do not match manifest "
          + what + " " + new TreeSet<>(declared));
    }
  }
}
