package io.genstream.generator;

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

  /** The version number actually served (what {@code latest} resolved to). */
  default long version() {
    return model().manifest().version();
  }

  @Override
  void close();
}
