package io.genstream.core.kafka;

import java.time.Duration;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;

/**
 * A service could not talk to Kafka at all (wrong password, TLS mismatch, no broker): permanent
 * for the service, which stops. The message is one line a person can act on, naming the cause,
 * the user and the servers, e.g. {@code authentication failed for user alice at
 * 127.0.0.1:9093: Authentication failed during authentication due to invalid credentials with
 * SASL mechanism SCRAM-SHA-256}; it never contains a secret.
 */
public final class KafkaConnectionException extends IllegalStateException {

  private KafkaConnectionException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Explains {@code failure} (anything from the cause chain of a Kafka client call) that
   * happened while doing {@code action} through {@code connection}.
   *
   * @param timeout how long the call was allowed, for the message of a timeout
   */
  public static KafkaConnectionException explain(
      KafkaConnection connection, String action, Duration timeout, Throwable failure) {
    String at = " at " + connection.bootstrapServers();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KafkaConnectionException known) {
        return known;
      }
      if (t instanceof SslAuthenticationException) {
        // Kafka's own message is only "SSL handshake failed"; the JDK's root cause says why.
        return new KafkaConnectionException("TLS handshake failed" + at + ": "
            + oneLine(root(t)) + " (check ssl.truststore.* and the broker's certificate)",
            failure);
      }
      if (t instanceof AuthenticationException) {
        String user = connection.user();
        return new KafkaConnectionException("authentication failed"
            + (user == null ? "" : " for user " + user) + at + ": " + oneLine(t), failure);
      }
      if (t instanceof AuthorizationException) {
        return new KafkaConnectionException("not authorized" + at + " while " + action + ": "
            + oneLine(t), failure);
      }
    }
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof TimeoutException || t instanceof java.util.concurrent.TimeoutException) {
        return new KafkaConnectionException("no answer from Kafka" + at + " within "
            + timeout.toSeconds() + " s while " + action + " (is the broker up, and do "
            + "security.protocol and sasl.mechanism match its listener?)", failure);
      }
    }
    return new KafkaConnectionException(action + at + " failed: " + oneLine(failure), failure);
  }

  private static Throwable root(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  private static String oneLine(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
