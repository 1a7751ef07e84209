package io.genstream.broker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

/**
 * Creates the embedded broker's SCRAM users. Their salted credentials live in the cluster
 * metadata, so creating them needs a running broker, and every start upserts them again (a
 * reused data directory then gets the current passwords).
 */
final class ScramUsers {

  /** Kafka's default and minimum for SCRAM-SHA-256. */
  private static final int ITERATIONS = 4096;

  private ScramUsers() {}

  /**
   * Creates or updates {@code users} (name → password) through the plaintext listener at
   * {@code bootstrapServers}, then waits until each can log in on the SASL listener at
   * {@code saslBootstrapServers}: the broker learns credentials from the metadata log a moment
   * after the controller accepted them.
   *
   * @throws IllegalStateException if they cannot be created or cannot log in within
   *     {@code timeout}
   */
  static void upsert(String bootstrapServers, String saslBootstrapServers,
      Map<String, String> users, Duration timeout) {
    if (users.isEmpty()) {
      return;
    }
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      List<UserScramCredentialAlteration> upserts = users.entrySet().stream()
          .<UserScramCredentialAlteration>map(e -> new UserScramCredentialUpsertion(e.getKey(),
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, ITERATIONS), e.getValue()))
          .toList();
      admin.alterUserScramCredentials(upserts).all()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot create SCRAM users " + users.keySet(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating SCRAM users", e);
    }
    users.forEach((user, password) -> BrokerProbe.await(saslBootstrapServers,
        EmbeddedKafka.scramClientProperties(user, password), timeout,
        "SCRAM user " + user + " to log in"));
  }
}
