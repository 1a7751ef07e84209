package io.genstream.generator;

import io.genstream.core.image.GrayImage;
import io.genstream.core.messages.ModelManifest;
import java.util.ArrayList;
import java.util.List;

/**
 * One loaded model version, ready to generate: a latent batch (and labels) in, images out.
 *
 * <p><b>Threading.</b> {@link #generate} may be called from several threads at once (an ONNX
 * Runtime session runs concurrent requests), but it blocks its caller for the whole inference:
 * call it only from a dedicated inference scheduler, never from an event loop or Reactor's
 * shared {@code parallel} scheduler.
 *
 * <p><b>Ownership.</b> Whoever loaded the model closes it, once, after the last
 * {@code generate} has returned; inside the generator that is the {@link ModelRegistry}, which
 * hands models out under a {@link ModelLease} so that a version swapped out is closed only when
 * no request uses it any more. {@code generate} after {@link #close()} throws
 * {@link IllegalStateException}.
 */
public interface GenerativeModel extends AutoCloseable {

  /** The manifest this version was published with. */
  ModelManifest manifest();

  /**
   * Runs the generator on a batch of {@code n}.
   *
   * @param latents {@code n × latentDim} values, row-major (image i uses
   *     {@code latents[i*latentDim .. (i+1)*latentDim)})
   * @param labels {@code n} class labels in {@code 0..numClasses-1} for a conditional model;
   *     ignored (may be {@code null}) for an unconditional one
   * @param n batch size, at least 1
   * @return {@code n × channels × height × width} values in [-1, 1], row-major (NCHW)
   * @throws IllegalArgumentException if the array lengths do not match {@code n}, or a label is
   *     out of range
   * @throws IllegalStateException if the model was closed, or the runtime failed
   */
  float[] generate(float[] latents, long[] labels, int n);

  /**
   * {@link #generate} for single-channel models, converted to 8-bit images
   * ({@code -1 → 0}, {@code 1 → 255}).
   *
   * @throws UnsupportedOperationException if the model has more than one channel
   */
  default List<GrayImage> generateImages(float[] latents, long[] labels, int n) {
    ModelManifest m = manifest();
    if (m.channels() != 1) {
      throw new UnsupportedOperationException("model " + m.name() + " version " + m.version()
          + " has " + m.channels() + " channels; only 1-channel (grayscale) output is supported");
    }
    float[] values = generate(latents, labels, n);
    int pixels = m.height() * m.width();
    List<GrayImage> images = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      images.add(GrayImage.fromSymmetricUnit(values, i * pixels, m.width(), m.height()));
    }
    return images;
  }

  /** Where this model's inferences run. */
  default ModelLoader.ExecutionProvider executionProvider() {
    return ModelLoader.ExecutionProvider.CPU;
  }

  /** Frees the native session. Idempotent. */
  @Override
  void close();
}
