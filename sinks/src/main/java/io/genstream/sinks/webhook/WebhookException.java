package io.genstream.sinks.webhook;

/**
 * A result the webhook will not take: a 4xx answer (other than 408 and 429), or retries spent on
 * 5xx, 408, 429 or network errors. Permanent (not a {@code TransientFailure}), so the sink
 * service dead-letters the result with {@link #getMessage()} as the reason.
 */
public final class WebhookException extends RuntimeException {

  private final int status;
  private final String body;

  WebhookException(int status, String body, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.body = body;
  }

  /** The last HTTP status, or -1 where the last attempt got no answer. */
  public int status() {
    return status;
  }

  /** The start of the last answer's body (at most {@value WebhookSink#MAX_BODY_CHARS} chars), or "". */
  public String body() {
    return body;
  }
}
