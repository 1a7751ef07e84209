package io.genstream.core.failure;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;

/**
 * The one failure-classification rule of the services. A <b>transient</b> failure is retried
 * without acknowledging the record it came from, so nothing valid is lost; anything else is
 * <b>permanent</b> for that record (it would fail the same way again): dead letter with the
 * reason, acknowledge, go on — or, where there is no record to blame, stop with the error
 * rather than retry forever.
 *
 * <p>Transient: a {@link TransientFailure} (ours: a model still loading or retrying its load,
 * an engine queue full), Kafka's {@link RetriableException}s (the broker's own "may succeed if
 * retried"), a {@link CommitFailedException} (the group rebalanced; the records come again) and
 * {@link OutOfMemoryError}, anywhere in the cause chain — unless the chain also holds an
 * {@link AuthenticationException} (a wrong password, a failed TLS handshake): Kafka does not
 * retry those, and neither do we, however they are wrapped, since a retry loop on a refused
 * login would spin forever instead of telling the operator.
 */
public final class Failures {

  private Failures() {}

  /** Whether {@code failure} (or one of its causes) is expected to pass if retried. */
  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AuthenticationException) {
        return false;
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TransientFailure || t instanceof RetriableException
          || t instanceof CommitFailedException || t instanceof OutOfMemoryError) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether a send failed because of the record itself (too large, not serialisable), its
   * topic's name or this client's rights on it: sending it again would fail again, so the work
   * that made it fails for good. Anything else about a send (the broker away, a leader moving)
   * is a reason to retry.
   */
  public static boolean isUnpublishable(Throwable failure) {
    return failure instanceof RecordTooLargeException
        || failure instanceof RecordBatchTooLargeException
        || failure instanceof InvalidTopicException
        || failure instanceof TopicAuthorizationException
        || failure instanceof SerializationException;
  }
}
