package io.genstream.core.failure;

import org.apache.kafka.common.errors.RetriableException;

/**
 * The one failure-classification rule of the services. A <b>transient</b> failure is retried
 * without acknowledging the record it came from, so nothing valid is lost; anything else is
 * <b>permanent</b> for that record (it would fail the same way again): dead letter with the
 * reason, acknowledge, go on.
 *
 * <p>Transient: a {@link TransientFailure} (ours: a model still loading or retrying its load),
 * Kafka's {@link RetriableException}s (the broker's own "may succeed if retried"), and
 * {@link OutOfMemoryError}, anywhere in the cause chain.
 */
public final class Failures {

  private Failures() {}

  /** Whether {@code failure} (or one of its causes) is expected to pass if retried. */
  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TransientFailure || t instanceof RetriableException
          || t instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }
}
