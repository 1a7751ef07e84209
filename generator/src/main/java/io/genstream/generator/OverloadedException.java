package io.genstream.generator;

import io.genstream.core.failure.TransientFailure;

/**
 * The engine's queue is full ({@link EngineOptions#maxQueuedImages()}). Transient: a Kafka
 * request stays unacknowledged and is retried after a back-off; HTTP answers 503 with
 * {@code Retry-After}.
 */
public class OverloadedException extends TransientFailure {
  public OverloadedException(String message) {
    super(message);
  }
}
