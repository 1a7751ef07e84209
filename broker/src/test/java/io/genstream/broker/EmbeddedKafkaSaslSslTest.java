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
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The SASL_SSL listener: SCRAM users over TLS, with a certificate the test makes. */
class EmbeddedKafkaSaslSslTest {

  private static final String TRUST_PASSWORD = SaslSslBroker.TRUST_PASSWORD;
  private static SaslSslBroker secured;
  private static SelfSignedTls brokerIdentity;
  private static SelfSignedTls stranger;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    secured = SaslSslBroker.start(Map.of("alice", "alice-secret"));
    brokerIdentity = secured.identity();
    stranger = secured.stranger();
    kafka = secured.kafka();
  }

  @AfterAll
  static void stop() {
    if (secured != null) {
      secured.close();
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
        .doesNotContain(SaslSslBroker.KEY_PASSWORD, TRUST_PASSWORD);
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
