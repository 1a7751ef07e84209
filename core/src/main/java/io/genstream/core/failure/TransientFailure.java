package io.genstream.core.failure;

/**
 * A failure expected to pass (a model still loading, a resource briefly exhausted): the work is
 * retried later without acknowledging its record, never dead-lettered. See {@link Failures}.
 */
public class TransientFailure extends RuntimeException {

  public TransientFailure(String message) {
    super(message);
  }

  public TransientFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
