package io.genstream.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SASL_SSL listener: SCRAM users over TLS, with a certificate the test makes. */
class EmbeddedKafkaSaslSslTest {

  private static final String KEY_PASSWORD = "key-pw-123";
  private static final String TRUST_PASSWORD = "trust-pw-456";
  private static Path dir;
  private static SelfSignedTls brokerIdentity;
  private static SelfSignedTls stranger;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("genstream-sasl-ssl-");
    brokerIdentity = SelfSignedTls.create(dir, "broker", KEY_PASSWORD, TRUST_PASSWORD);
    stranger = SelfSignedTls.create(dir, "stranger", KEY_PASSWORD, TRUST_PASSWORD);
    kafka = EmbeddedKafka.start(EmbeddedKafka.Config.defaults()
        .withScramUsers(Map.of("alice", "alice-secret"))
        .withTls(brokerIdentity.brokerTls()));
  }

  @AfterAll
  static void stop() throws IOException {
    if (kafka != null) {
      kafka.close();
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Test
  void scramUserOverTlsCreatesAndListsTopicsOnItsOwnListener() throws Exception {
    try (Admin admin = Admin.create(saslSsl("alice-secret", brokerIdentity))) {
      admin.createTopics(List.of(new NewTopic("over-tls", 1, (short) 1))).all()
          .get(10, TimeUnit.SECONDS);
      // The broker's metadata learns of a new topic a moment after the controller made it.
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("over-tls"));
    }
    assertThat(List.of(kafka.bootstrapServers(), kafka.saslBootstrapServers(),
        kafka.tlsBootstrapServers(), kafka.saslSslBootstrapServers())).doesNotHaveDuplicates();
  }

  @Test
  void wrongPasswordOverTlsIsRefusedAtOnce() {
    long t0 = System.nanoTime();
    try (Admin admin = Admin.create(saslSsl("wrong-password", brokerIdentity))) {
      assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to refuse").isLessThan(10_000);
  }

  @Test
  void clientThatDoesNotTrustTheBrokersCertificateFailsTheHandshake() {
    try (Admin admin = Admin.create(saslSsl("alice-secret", stranger))) {
      assertThatThrownBy(() -> admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SslAuthenticationException.class);
    }
  }

  @Test
  void textOfTheTlsMaterialLeavesOutThePasswords() {
    assertThat(brokerIdentity.toString() + brokerIdentity.brokerTls())
        .contains("broker.p12", "broker-trust.p12")
        .doesNotContain(KEY_PASSWORD, TRUST_PASSWORD);
    assertThat(brokerIdentity.keyStore()).isRegularFile();
    assertThat(brokerIdentity.trustStore()).isRegularFile();
  }

  private static Map<String, Object> saslSsl(String password, SelfSignedTls trusted) {
    Map<String, Object> props = new HashMap<>(EmbeddedKafka.scramOverTlsClientProperties(
        "alice", password, trusted.trustStore(), TRUST_PASSWORD));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.saslSslBootstrapServers());
    return props;
  }
}
