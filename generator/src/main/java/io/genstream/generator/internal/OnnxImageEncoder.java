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
import io.genstream.core.messages.ModelManifest.GraphSpec;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.ImageEncoder;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An {@link ImageEncoder} over one {@link OrtSession}: a version's {@value ImageEncoder#GRAPH}
 * graph.
 *
 * <p>Checked at load time against the manifest's {@link GraphSpec} for the graph and the
 * version's shape, so that a mismatch fails the load, not a request: input and output names
 * equal to the spec's, every fixed dimension equal to the spec's; the one float input of rank 4
 * is the image {@code [N, channels, height, width]}, the one int64 input of rank 1 the label
 * (exactly when the model is conditional); outputs {@value ImageEncoder#MEAN} and
 * {@value ImageEncoder#LOG_VARIANCE}, float {@code [N, latentDim]}.
 *
 * <p>Owns its {@link GuardedSession}. {@link #encode} is safe from several threads. Inputs are small (one image per variations request),
 * so they are wrapped heap buffers that ONNX Runtime copies, not reused direct buffers.
 */
public final class OnnxImageEncoder implements ImageEncoder {

  private final ModelManifest manifest;
  private final ExecutionProvider provider;
  private final OrtEnvironment environment;
  private final GuardedSession session;
  private final String imageInput;
  private final String labelInput;

  private OnnxImageEncoder(ModelManifest manifest, OrtEnvironment environment,
      GuardedSession session, ExecutionProvider provider) throws OrtException {
    this.manifest = manifest;
    this.environment = environment;
    this.session = session;
    this.provider = provider;
    GraphSpec spec = manifest.graphs().get(GRAPH);
    if (spec == null) {
      throw session.mismatch("its manifest declares no " + GRAPH + " graph, only "
          + new TreeSet<>(manifest.graphs().keySet()));
    }
    Map<String, NodeInfo> inputs = session.inputs();
    Map<String, NodeInfo> outputs = session.outputs();
    checkAgainstSpec("inputs", inputs, spec.inputs());
    checkAgainstSpec("outputs", outputs, spec.outputs());
    this.imageInput = session.single(inputs, OnnxJavaType.FLOAT, 4,
        "image input (float [N, C, H, W])");
    this.labelInput = manifest.conditional()
        ? session.single(inputs, OnnxJavaType.INT64, 1, "label input (int64 [N])")
        : null;
    int expectedInputs = manifest.conditional() ? 2 : 1;
    if (inputs.size() != expectedInputs) {
      throw session.mismatch("expected " + expectedInputs + " inputs for a model with numClasses="
          + manifest.numClasses() + ", graph has " + OnnxSessions.describe(inputs));
    }
    NodeInfo image = inputs.get(imageInput);
    session.checkDim(image, 1, manifest.channels(), "channels");
    session.checkDim(image, 2, manifest.height(), "height");
    session.checkDim(image, 3, manifest.width(), "width");
    for (String name : List.of(MEAN, LOG_VARIANCE)) {
      NodeInfo output = outputs.get(name);
      if (output == null || !(output.getInfo() instanceof TensorInfo info)
          || info.type != OnnxJavaType.FLOAT || info.getShape().length != 2) {
        throw session.mismatch("expected a float [N, latentDim] output '" + name + "', graph has "
            + OnnxSessions.describe(outputs));
      }
      session.checkDim(output, 1, manifest.latentDim(), "latentDim");
    }
  }

  /**
   * Builds a session from the version's encoder graph on {@code provider}.
   *
   * @param onnx the graph's bytes (their SHA-256 checked against the spec already)
   * @throws OnnxSessions.ProviderUnavailableException if the provider cannot be added
   * @throws IllegalArgumentException if ONNX Runtime rejects the bytes as an invalid model, or
   *     the graph does not match the manifest: loading it again will fail again
   * @throws IllegalStateException if ONNX Runtime failed for another reason: a later attempt may
   *     succeed
   */
  static OnnxImageEncoder load(OrtEnvironment environment, ModelManifest manifest, byte[] onnx,
      int intraOpThreads, ExecutionProvider provider, int deviceId) {
    return GuardedSession.load(environment, onnx, subject(manifest), intraOpThreads, provider,
        deviceId, session -> new OnnxImageEncoder(manifest, environment, session, provider));
  }

  @Override
  public ModelManifest manifest() {
    return manifest;
  }

  @Override
  public ExecutionProvider executionProvider() {
    return provider;
  }

  @Override
  public Encoded encode(float[] images, long[] labels, int n) {
    checkArguments(images, labels, n);
    return session.run(ort -> run(ort, images, labels, n));
  }

  private Encoded run(OrtSession ort, float[] images, long[] labels, int n)
      throws OrtException {
    long[] imageShape = {n, manifest.channels(), manifest.height(), manifest.width()};
    Map<String, OnnxTensor> feed = new HashMap<>(2);
    // Every tensor and the result are closed before returning, also on failure.
    try (OnnxTensor x = OnnxTensor.createTensor(environment, FloatBuffer.wrap(images), imageShape);
        OnnxTensor label = labelInput == null ? null
            : OnnxTensor.createTensor(environment, LongBuffer.wrap(labels), new long[] {n})) {
      feed.put(imageInput, x);
      if (label != null) {
        feed.put(labelInput, label);
      }
      try (OrtSession.Result result = ort.run(feed, Set.of(MEAN, LOG_VARIANCE))) {
        return new Encoded(n, manifest.latentDim(), floats(result, MEAN), floats(result, LOG_VARIANCE));
      }
    }
  }

  private static float[] floats(OrtSession.Result result, String name) {
    OnnxValue value = result.get(name).orElseThrow(
        () -> new IllegalStateException("ONNX Runtime returned no output '" + name + "'"));
    FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
    float[] values = new float[buffer.remaining()];
    buffer.get(values);
    return values;
  }

  private void checkArguments(float[] images, long[] labels, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + n);
    }
    int pixels = manifest.channels() * manifest.height() * manifest.width();
    if (images.length != (long) n * pixels) {
      throw new IllegalArgumentException("expected " + n + " x " + pixels + " = " + n * pixels
          + " image values (" + manifest.channels() + "x" + manifest.height() + "x"
          + manifest.width() + " each), got " + images.length);
    }
    if (labelInput != null) {
      OnnxSessions.checkLabels(labels, n, manifest, " for a class-conditional encoder");
    }
  }

  /** Closes the session, then its options; waits for running inferences. Idempotent. */
  @Override
  public void close() {
    session.close();
  }

  @Override
  public String toString() {
    return "OnnxImageEncoder[" + PublishedModel.key(manifest) + " on " + provider + ", "
        + imageInput + (labelInput == null ? "" : ", " + labelInput) + " -> " + MEAN + ", "
        + LOG_VARIANCE + "]";
  }

  /** Names as declared, and every dimension the spec and the graph both fix, equal. */
  private void checkAgainstSpec(String what, Map<String, NodeInfo> graph,
      Map<String, TensorSpec> declared) {
    if (!declared.isEmpty() && !graph.keySet().equals(declared.keySet())) {
      throw session.mismatch("graph " + what + " " + new TreeSet<>(graph.keySet())
          + " do not match the spec's " + what + " " + new TreeSet<>(declared.keySet()));
    }
    new TreeMap<>(declared).forEach((name, spec) -> { // sorted: one message for one graph
      if (!(graph.get(name).getInfo() instanceof TensorInfo info)) {
        throw session.mismatch(name + " is not a tensor: " + graph.get(name).getInfo());
      }
      long[] actual = info.getShape();
      long[] expected = spec.shape();
      boolean same = expected == null || actual.length == expected.length;
      for (int i = 0; same && expected != null && i < actual.length; i++) {
        same = actual[i] < 0 || expected[i] < 0 || actual[i] == expected[i];
      }
      if (!same) {
        throw session.mismatch(name + " has shape " + Arrays.toString(actual) + ", the spec says "
            + Arrays.toString(expected));
      }
    });
  }

  private static String subject(ModelManifest manifest) {
    return "model " + new PublishedModel.Key(manifest.name(), manifest.version(), GRAPH);
  }
}
