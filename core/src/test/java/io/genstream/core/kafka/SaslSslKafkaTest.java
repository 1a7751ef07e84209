package io.genstream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.SaslSslBroker;
import io.genstream.broker.SelfSignedTls;
import io.genstream.core.config.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients built from a {@link KafkaConnection} against the broker's SASL_SSL listener: SCRAM
 * users over TLS, the broker's self-signed certificate ({@link SelfSignedTls}) the only CA.
 */
class SaslSslKafkaTest {

  private static final String PASSWORD = "alice-secret";
  private static final String TRUST_PASSWORD = SaslSslBroker.TRUST_PASSWORD;
  private static SaslSslBroker secured;
  private static SelfSignedTls broker;
  private static SelfSignedTls stranger;
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void start() {
    secured = SaslSslBroker.start(Map.of("alice", PASSWORD));
    broker = secured.identity();
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
  void topicSetupSenderAndReceiverWorkOverSaslSslWithTheRightPassword() {
    KafkaConnection connection = connection(PASSWORD, broker);
    Topics topics = Topics.withPrefix("saslssl.");

    TopicSetup.ensure(connection, topics, 1);
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(connection))) {
      sender.send(new ProducerRecord<>(topics.images(), "k",
          "over tls".getBytes(StandardCharsets.UTF_8))).block(Duration.ofSeconds(30));
    }
    String received = KafkaReceiver.create(
            ReceiverOptions.forGroup(connection, "g", topics.images()))
        .receive()
        .map(r -> new String(r.record().value(), StandardCharsets.UTF_8))
        .blockFirst(Duration.ofSeconds(30));

    assertThat(received).isEqualTo("over tls");
    assertThat(connection.toString()).doesNotContain(PASSWORD, TRUST_PASSWORD);
  }

  @Test
  void wrongPasswordOverTlsFailsFastNamingUserAndServers() {
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> TopicSetup.ensure(connection("not-the-password", broker),
        Topics.withPrefix("wrong."), 1))
        .isInstanceOf(KafkaConnectionException.class)
        .hasMessageStartingWith("authentication failed for user alice at "
            + kafka.saslSslBootstrapServers() + ": ")
        .hasMessageNotContaining("not-the-password")
        .hasMessageNotContaining(TRUST_PASSWORD)
        .hasMessageNotContaining("\n");
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to fail").isLessThan(15_000);
  }

  @Test
  void untrustedCertificateFailsFastSayingTlsBeforeAnyPasswordIsSent() {
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> TopicSetup.ensure(connection(PASSWORD, stranger),
        Topics.withPrefix("untrusted."), 1))
        .isInstanceOf(KafkaConnectionException.class)
        .hasMessageStartingWith("TLS handshake failed at " + kafka.saslSslBootstrapServers()
            + ": unable to find valid certification path")
        .hasMessageNotContaining(PASSWORD);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to fail").isLessThan(15_000);
  }

  private static KafkaConnection connection(String password, SelfSignedTls trusted) {
    return new KafkaConnection(kafka.saslSslBootstrapServers(),
        EmbeddedKafka.scramOverTlsClientProperties("alice", password, trusted.trustStore(),
            TRUST_PASSWORD));
  }
}
