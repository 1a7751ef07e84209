package io.genstream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.SelfSignedTls;
import io.genstream.core.config.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients built from a {@link KafkaConnection} against the broker's TLS listener, with a
 * self-signed broker certificate made by the test ({@link SelfSignedTls}) as the only CA.
 */
class TlsKafkaTest {

  private static final String STORE_PASSWORD = "store-pw-123";
  private static final String TRUST_PASSWORD = "trust-pw-456";
  private static Path dir;
  private static SelfSignedTls broker;
  private static SelfSignedTls stranger;
  private static SelfSignedTls client;
  private static EmbeddedKafka kafka;
  /** A broker that also demands the client's certificate (mutual TLS), trusting the client's. */
  private static EmbeddedKafka mutual;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("genstream-tls-");
    broker = SelfSignedTls.create(dir, "broker", STORE_PASSWORD, TRUST_PASSWORD);
    stranger = SelfSignedTls.create(dir, "stranger", STORE_PASSWORD, TRUST_PASSWORD);
    client = SelfSignedTls.create(dir, "client", STORE_PASSWORD, TRUST_PASSWORD);
    kafka = EmbeddedKafka.start(EmbeddedKafka.Config.defaults().withTls(broker.brokerTls()));
    Map<String, String> trustClients = new HashMap<>();
    client.trustSettings().forEach((key, value) -> trustClients.put("listener.name.ssl." + key,
        value));
    trustClients.put("listener.name.ssl.ssl.client.auth", "required");
    mutual = EmbeddedKafka.start(new EmbeddedKafka.Config(0, null, trustClients)
        .withTls(broker.brokerTls()));
  }

  @AfterAll
  static void stop() throws IOException {
    if (kafka != null) {
      kafka.close();
    }
    if (mutual != null) {
      mutual.close();
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void clientTrustingTheBrokersCertificateCreatesTopics() throws Exception {
    KafkaConnection connection = connection(broker);
    Topics topics = Topics.withPrefix("tls.");

    TopicSetup.ensure(connection, topics, 1);

    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        "bootstrap.servers", kafka.bootstrapServers()))) {
      assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).containsAll(topics.all());
    }
    assertThat(connection.toString()).doesNotContain(TRUST_PASSWORD);
  }

  @Test
  void untrustedBrokerCertificateFailsFastSayingTls() {
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> TopicSetup.ensure(connection(stranger),
        Topics.withPrefix("untrusted."), 1))
        .isInstanceOf(KafkaConnectionException.class)
        .hasMessageStartingWith("TLS handshake failed at " + kafka.tlsBootstrapServers()
            + ": unable to find valid certification path")
        .hasMessageNotContaining(TRUST_PASSWORD);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to fail").isLessThan(15_000);
  }

  @Test
  void mutualTlsLetsInAClientWhoseCertificateTheBrokerTrusts() throws Exception {
    Map<String, String> settings = new HashMap<>(tlsSettings(broker));
    settings.putAll(client.keySettings());
    KafkaConnection connection = new KafkaConnection(mutual.tlsBootstrapServers(), settings);
    Topics topics = Topics.withPrefix("mtls.");

    TopicSetup.ensure(connection, topics, 1);

    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
        "bootstrap.servers", mutual.bootstrapServers()))) {
      assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).containsAll(topics.all());
    }
    assertThat(connection.toString()).doesNotContain(STORE_PASSWORD, TRUST_PASSWORD);
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificateFast() {
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> TopicSetup.ensure(
        new KafkaConnection(mutual.tlsBootstrapServers(), tlsSettings(broker)),
        Topics.withPrefix("anonymous."), 1))
        .isInstanceOf(KafkaConnectionException.class)
        .hasMessageStartingWith("TLS handshake failed at " + mutual.tlsBootstrapServers())
        .hasMessageNotContaining(TRUST_PASSWORD);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to fail").isLessThan(15_000);
  }

  /** Client settings for TLS that trust {@code ca}'s certificate only. */
  private static Map<String, String> tlsSettings(SelfSignedTls ca) {
    Map<String, String> settings = new HashMap<>(ca.trustSettings());
    settings.put("security.protocol", "SSL");
    return settings;
  }

  private static KafkaConnection connection(SelfSignedTls ca) {
    return new KafkaConnection(kafka.tlsBootstrapServers(), tlsSettings(ca));
  }
}
