package io.genstream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients built from a {@link KafkaConnection} against the broker's TLS listener, with a
 * self-signed broker certificate made by the test (with the JDK's keytool) as the only CA.
 */
class TlsKafkaTest {

  private static final String STORE_PASSWORD = "store-pw-123";
  private static final String TRUST_PASSWORD = "trust-pw-456";
  private static Path dir;
  private static EmbeddedKafka kafka;
  /** A broker that also demands the client's certificate (mutual TLS), trusting the client's. */
  private static EmbeddedKafka mutual;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("genstream-tls-");
    selfSigned("broker", "broker.p12", "trust.p12");
    selfSigned("stranger", "stranger.p12", "stranger-trust.p12");
    kafka = EmbeddedKafka.start(EmbeddedKafka.Config.defaults()
        .withTls(new EmbeddedKafka.Tls(dir.resolve("broker.p12"), STORE_PASSWORD)));
    selfSigned("client", "client.p12", "client-trust.p12");
    mutual = EmbeddedKafka.start(new EmbeddedKafka.Config(0, null, Map.of(
            "listener.name.ssl.ssl.client.auth", "required",
            "listener.name.ssl.ssl.truststore.type", "PKCS12",
            "listener.name.ssl.ssl.truststore.location",
            dir.resolve("client-trust.p12").toString(),
            "listener.name.ssl.ssl.truststore.password", TRUST_PASSWORD))
        .withTls(new EmbeddedKafka.Tls(dir.resolve("broker.p12"), STORE_PASSWORD)));
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
    KafkaConnection connection = connection("trust.p12");
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

    assertThatThrownBy(() -> TopicSetup.ensure(connection("stranger-trust.p12"),
        Topics.withPrefix("untrusted."), 1))
        .isInstanceOf(KafkaConnectionException.class)
        .hasMessageStartingWith("TLS handshake failed at " + kafka.tlsBootstrapServers()
            + ": unable to find valid certification path")
        .hasMessageNotContaining(TRUST_PASSWORD);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to fail").isLessThan(15_000);
  }

  @Test
  void mutualTlsLetsInAClientWhoseCertificateTheBrokerTrusts() throws Exception {
    Map<String, String> settings = new java.util.HashMap<>(tlsSettings("trust.p12"));
    settings.put("ssl.keystore.type", "PKCS12");
    settings.put("ssl.keystore.location", dir.resolve("client.p12").toString());
    settings.put("ssl.keystore.password", STORE_PASSWORD);
    settings.put("ssl.key.password", STORE_PASSWORD);
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
        new KafkaConnection(mutual.tlsBootstrapServers(), tlsSettings("trust.p12")),
        Topics.withPrefix("anonymous."), 1))
        .isInstanceOf(KafkaConnectionException.class)
        .hasMessageStartingWith("TLS handshake failed at " + mutual.tlsBootstrapServers())
        .hasMessageNotContaining(TRUST_PASSWORD);
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to fail").isLessThan(15_000);
  }

  private static Map<String, String> tlsSettings(String trustStore) {
    return Map.of(
        "security.protocol", "SSL",
        "ssl.truststore.type", "PKCS12",
        "ssl.truststore.location", dir.resolve(trustStore).toString(),
        "ssl.truststore.password", TRUST_PASSWORD);
  }

  private static KafkaConnection connection(String trustStore) {
    return new KafkaConnection(kafka.tlsBootstrapServers(), Map.of(
        "security.protocol", "SSL",
        "ssl.truststore.type", "PKCS12",
        "ssl.truststore.location", dir.resolve(trustStore).toString(),
        "ssl.truststore.password", TRUST_PASSWORD));
  }

  /** A key pair with a self-signed certificate for 127.0.0.1, and a trust store holding it. */
  private static void selfSigned(String alias, String keyStore, String trustStore)
      throws Exception {
    keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=genstream-test-" + alias, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore,
        "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
    keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", keyStore,
        "-storepass", STORE_PASSWORD, "-file", alias + ".pem");
    keytool("-importcert", "-noprompt", "-alias", alias, "-file", alias + ".pem",
        "-storetype", "PKCS12", "-keystore", trustStore, "-storepass", TRUST_PASSWORD);
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException("keytool " + args[0] + " failed: " + output);
    }
  }
}
