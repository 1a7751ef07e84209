package io.genstream.core.kafka.internal;

import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;

/** The one place that decides whether a failed commit is tried again or fails the stream. */
final class CommitFailures {
  private CommitFailures() {}

  /**
   * Retriable: transient broker/network errors, and failures caused by a rebalance (the
   * generation moved on). After a rebalance the next commit carries only partitions still owned;
   * records of lost partitions are redelivered to their new owner, so nothing is lost by
   * carrying on. Anything else (authorization, unknown group, …) is fatal.
   */
  static boolean isRetriable(Throwable error) {
    return error instanceof RetriableException
        || error instanceof RebalanceInProgressException
        || error instanceof CommitFailedException;
  }
}
