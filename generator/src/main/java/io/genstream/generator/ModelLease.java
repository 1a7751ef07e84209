package io.genstream.generator;

import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;

/**
 * A model version held for the duration of one piece of work. While any lease on a version is
 * open, the registry will not close its session, even if a newer version was swapped in or the
 * version was evicted; the session is closed when the last lease closes.
 *
 * <p>Close it exactly where the work ends, in try-with-resources. {@link #close()} is idempotent
 * and thread-safe; {@link #model()} after close throws {@link IllegalStateException}.
 */
public interface ModelLease extends AutoCloseable {

  /** The leased model; valid until this lease is closed. */
  GenerativeModel model();

  /**
   * The version's encoder, for variations of an image; valid until this lease is closed, and
   * closed by the registry (never by the caller). The registry loads it on first use, so this
   * may block for a load: call it from an inference thread.
   *
   * <p>The default has none and says so.
   *
   * @throws InvalidRequestException if the version has no encoder
   *     graph (e.g. {@code model 'x' version 3 has no encoder graph (family cgan); variations
   *     need a VAE}), or its graph can never load ({@link UnknownModelException}: invalid,
   *     removed, bytes no longer retained)
   * @throws ModelNotReadyException while a transient load failure's back-off runs
   * @throws IllegalStateException if this lease is closed
   */
  default ImageEncoder encoder() {
    ModelManifest m = model().manifest();
    throw new InvalidRequestException("model '" + m.name()
        + "' version " + m.version() + " has no encoder graph (family " + m.family()
        + "); variations need a VAE");
  }

  /**
   * The leased version as a frame predictor (family {@code framepred}); valid until this lease
   * is closed, and closed by the registry (never by the caller).
   *
   * @throws InvalidRequestException if the version is not a frame predictor
   * @throws IllegalStateException if this lease is closed
   */
  default FramePredictor predictor() {
    GenerativeModel model = model();
    if (model instanceof FramePredictor predictor) {
      return predictor;
    }
    ModelManifest m = model.manifest();
    throw new InvalidRequestException("model '" + m.name() + "' version " + m.version()
        + " is not a frame predictor (family " + m.family() + ", expected "
        + FramePredictor.FAMILY + ")");
  }

  /** The version number actually served (what {@code latest} resolved to). */
  default long version() {
    return model().manifest().version();
  }

  @Override
  void close();
}
