package io.genstream.generator;

import io.genstream.core.messages.ModelManifest;

/**
 * A version's encoder (a VAE's {@code q(z|x)}): images in, the posterior's mean and
 * log-variance per image out. It is the version's graph {@value #GRAPH}, published on the models
 * topic under {@code <model>/<version>/encoder} and declared in the manifest's
 * {@link ModelManifest#graphs()}; its contract is the trainer's export: input {@code image}
 * float {@code [N, channels, height, width]} in [-1, 1] (and {@code label} int64 {@code [N]} for
 * a class-conditional model), outputs {@value #MEAN} and {@value #LOG_VARIANCE} float
 * {@code [N, latentDim]}.
 *
 * <p><b>Threading.</b> {@link #encode} may be called from several threads at once, and blocks
 * its caller for the whole inference: call it from an inference thread only.
 *
 * <p><b>Ownership.</b> Inside the generator the {@link ModelRegistry} owns every encoder: a
 * {@link ModelLease#encoder()} hands one out, and the registry closes it together with its
 * version's session after the last lease. Holders of a lease never close it. {@link #encode}
 * after {@link #close()} throws {@link IllegalStateException}.
 */
public interface ImageEncoder extends AutoCloseable {

  /** The graph's name in the manifest and in its models-topic key. */
  String GRAPH = "encoder";
  /** The output holding the posterior's mean. */
  String MEAN = "mu";
  /** The output holding the posterior's log-variance. */
  String LOG_VARIANCE = "logvar";

  /** The manifest of the version this encoder belongs to. */
  ModelManifest manifest();

  /**
   * Encodes a batch of {@code n} images.
   *
   * @param images {@code n × channels × height × width} values in [-1, 1], row-major (NCHW)
   * @param labels {@code n} class labels in {@code 0..numClasses-1} for a conditional model
   *     (the class each image shows); ignored (may be {@code null}) for an unconditional one
   * @param n batch size, at least 1
   * @throws IllegalArgumentException if the array lengths do not match {@code n}, or a label is
   *     missing or out of range
   * @throws IllegalStateException if the encoder was closed, or the runtime failed
   */
  Encoded encode(float[] images, long[] labels, int n);

  /** {@link #encode(float[], long[], int)} for an unconditional model. */
  default Encoded encode(float[] images, int n) {
    return encode(images, null, n);
  }

  /** Where this encoder's inferences run. */
  default ModelLoader.ExecutionProvider executionProvider() {
    return ModelLoader.ExecutionProvider.CPU;
  }

  /** Frees the native session. Idempotent. */
  @Override
  void close();

  /**
   * The posterior of {@code n} images.
   *
   * @param mean {@code n × latentDim} values, row-major
   * @param logVar {@code n × latentDim} values, row-major
   */
  record Encoded(int n, int latentDim, float[] mean, float[] logVar) {

    public Encoded {
      if (n < 1 || latentDim < 1) {
        throw new IllegalArgumentException("n and latentDim must be >= 1, got " + n + " and "
            + latentDim);
      }
      if (mean.length != n * latentDim || logVar.length != n * latentDim) {
        throw new IllegalArgumentException("expected " + n + " x " + latentDim + " = "
            + n * latentDim + " values of mean and logVar, got " + mean.length + " and "
            + logVar.length);
      }
    }

    /** Image {@code i}'s mean, {@code latentDim} values (a copy). */
    public float[] mean(int i) {
      return row(mean, i);
    }

    /** Image {@code i}'s log-variance, {@code latentDim} values (a copy). */
    public float[] logVar(int i) {
      return row(logVar, i);
    }

    private float[] row(float[] values, int i) {
      if (i < 0 || i >= n) {
        throw new IndexOutOfBoundsException("image " + i + " of " + n);
      }
      return java.util.Arrays.copyOfRange(values, i * latentDim, (i + 1) * latentDim);
    }
  }
}
