package io.genstream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaSaslTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(
        EmbeddedKafka.Config.defaults().withScramUsers(Map.of("alice", "alice-secret")));
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void scramUserWithTheRightPasswordCreatesAndListsTopics() throws Exception {
    try (Admin admin = Admin.create(sasl("alice", "alice-secret"))) {
      admin.createTopics(List.of(new NewTopic("secured", 1, (short) 1))).all()
          .get(10, TimeUnit.SECONDS);
      // The broker's metadata learns of a new topic a moment after the controller made it.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("secured"));
    }
    assertThat(kafka.saslBootstrapServers()).isNotEqualTo(kafka.bootstrapServers());
  }

  @Test
  void wrongPasswordIsRefusedAtOnce() {
    long t0 = System.nanoTime();
    try (Admin admin = Admin.create(sasl("alice", "wrong"))) {
      assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to refuse").isLessThan(10_000);
  }

  @Test
  void hasNoTlsListenersWithoutAKeyStore() {
    assertThatThrownBy(kafka::tlsBootstrapServers).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(kafka::saslSslBootstrapServers)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Config.tls");
  }

  @Test
  void configTextNamesUsersButNotPasswords() {
    String text = EmbeddedKafka.Config.defaults()
        .withScramUsers(Map.of("alice", "alice-secret")).toString();
    assertThat(text).contains("alice").doesNotContain("alice-secret");
  }

  private static Map<String, Object> sasl(String user, String password) {
    Map<String, Object> props = new HashMap<>(EmbeddedKafka.scramClientProperties(user, password));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.saslBootstrapServers());
    return props;
  }
}
