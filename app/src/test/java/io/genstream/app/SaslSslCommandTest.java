package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.SaslSslBroker;
import io.genstream.broker.SelfSignedTls;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.GeneratedImage;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Service commands against the SASL_SSL listener of the in-process broker (SCRAM users over
 * TLS, the broker's self-signed certificate the only CA), configured the way an operator would:
 * a {@code --command-config} file and {@code -X} overrides.
 */
class SaslSslCommandTest extends CliTest {

  private static final String PASSWORD = "alice-s3cret";
  private static final String TRUST_PASSWORD = SaslSslBroker.TRUST_PASSWORD;
  private static SaslSslBroker secured;
  private static SelfSignedTls broker;
  private static SelfSignedTls stranger;
  private static EmbeddedKafka kafka;

  @TempDir Path dir;

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
  void ingestAndStatusServeOverSaslSslWithPasswordAndTrustStoreFromACommandConfigFile()
      throws Exception {
    Path config = commandConfig(PASSWORD, broker);
    StringWriter logs = captureLogs(() -> {
      int ingest = run("ingest", "-b", kafka.saslSslBootstrapServers(), "--command-config",
          config.toString(), "--topic-prefix", "tls.", "--max-images", "5",
          "--images-per-second", "0", "--no-ledger");
      assertThat(ingest).as(err.toString()).isZero();
    });
    // Read back through the plaintext listener: the records really went in.
    assertThat(TopicReader.read(kafka.bootstrapServers(), "tls.images", 5)).hasSize(5);

    int status = run("status", "-b", kafka.saslSslBootstrapServers(), "--command-config",
        config.toString(), "--topic-prefix", "tls.");

    assertThat(status).as(err.toString()).isZero();
    assertThat(out.toString()).containsPattern("tls\\.images\\s+2 partitions\\s+5 records");
    assertThat(out.toString() + err).doesNotContain(PASSWORD, TRUST_PASSWORD);
    assertThat(logs.toString()).as("the clients' config dumps were captured")
        .contains("ssl.truststore.location")
        .doesNotContain(PASSWORD, TRUST_PASSWORD);
  }

  @Test
  void fileSinkConsumesResultsOverSaslSslWithTheTrustStoreGivenByDashX() throws Exception {
    // The file has the login only; the trust store comes on the command line.
    Path config = dir.resolve("login.properties");
    Files.writeString(config, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-256\n"
        + "sasl.jaas.config=" + jaas(PASSWORD) + "\n");
    Topics topics = Topics.withPrefix("tlssink.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    sendResults(topics.results(), 2);
    Path out = dir.resolve("out");
    AtomicInteger exit = new AtomicInteger(-1);
    Thread sink = new Thread(() -> exit.set(run("sink", "files", "-b",
        kafka.saslSslBootstrapServers(), "--command-config", config.toString(),
        "-X", "ssl.truststore.type=PKCS12",
        "-X", "ssl.truststore.location=" + broker.trustStore(),
        "-X", "ssl.truststore.password=" + TRUST_PASSWORD,
        "--topic-prefix", "tlssink.", "--out", out.toString())), "sasl-ssl-sink");
    sink.start();
    try {
      await().atMost(Duration.ofSeconds(60)).until(() -> pngs(out) == 2
          && Files.exists(out.resolve("manifest.jsonl")));
      assertThat(exit).as("still running").hasValue(-1);
    } finally {
      // The service waits for a stop signal; an interrupt is one (it then closes its clients).
      sink.interrupt();
      sink.join(Duration.ofSeconds(60).toMillis());
    }
    assertThat(sink.isAlive()).isFalse();
    assertThat(Files.readAllLines(out.resolve("manifest.jsonl"))).hasSize(2);
    assertThat(out.toString() + err).doesNotContain(PASSWORD, TRUST_PASSWORD);
  }

  @Test
  void wrongPasswordStopsTheFileSinkInSecondsWithOneLineAndExitCodeOne() throws Exception {
    // The file holds the right password; -X overrides it with a wrong one.
    Path config = commandConfig(PASSWORD, broker);
    long t0 = System.nanoTime();
    AtomicInteger code = new AtomicInteger();

    StringWriter logs = captureLogs(() -> code.set(run("sink", "files", "-b",
        kafka.saslSslBootstrapServers(), "--command-config", config.toString(),
        "-X", "sasl.jaas.config=" + jaas("not-the-password"),
        "--topic-prefix", "badsink.", "--out", dir.resolve("never").toString())));

    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(code.get()).as(err.toString()).isEqualTo(1);
    assertThat(ms).as("ms to fail").isLessThan(15_000);
    assertThat(err.toString().strip())
        .startsWith("genstream sink files: authentication failed for user alice at "
            + kafka.saslSslBootstrapServers() + ": ")
        .doesNotContain("not-the-password", PASSWORD, TRUST_PASSWORD)
        .doesNotContain("\n");
    assertThat(logs.toString()).doesNotContain("not-the-password", PASSWORD, TRUST_PASSWORD);
  }

  @Test
  void untrustedBrokerCertificateStopsIngestInSecondsSayingTls() throws Exception {
    long t0 = System.nanoTime();

    int code = run("ingest", "-b", kafka.saslSslBootstrapServers(), "--command-config",
        commandConfig(PASSWORD, stranger).toString(), "--topic-prefix", "untrusted.",
        "--max-images", "5", "--no-ledger");

    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(code).as(err.toString()).isEqualTo(1);
    assertThat(ms).as("ms to fail").isLessThan(15_000);
    assertThat(err.toString().strip())
        .startsWith("genstream ingest: TLS handshake failed at "
            + kafka.saslSslBootstrapServers() + ": ")
        .doesNotContain(PASSWORD, TRUST_PASSWORD)
        .doesNotContain("\n");
  }

  /** A client properties file that logs in as alice over TLS, trusting {@code ca} only. */
  private Path commandConfig(String password, SelfSignedTls ca) throws IOException {
    Path file = dir.resolve("client-" + ca.keyStore().getFileName() + ".properties");
    StringBuilder text = new StringBuilder();
    EmbeddedKafka.scramOverTlsClientProperties("alice", password, ca.trustStore(),
            TRUST_PASSWORD)
        .forEach((key, value) -> text.append(key).append('=')
            .append(value.replace("\\", "\\\\")).append('\n'));
    Files.writeString(file, text);
    return file;
  }

  private static String jaas(String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\""
        + " password=\"" + password + "\";";
  }

  private static void sendResults(String topic, int count) {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < count; i++) {
        byte[] png = Png.encode(new GrayImage(8, 8, new byte[64]));
        producer.send(new GeneratedImage("req-1", "digits", 1, 42, i, count, 3, png)
            .toRecord(topic, "test"));
      }
    }
  }

  private static long pngs(Path out) throws IOException {
    if (!Files.isDirectory(out)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(out)) {
      return files.filter(path -> path.toString().endsWith(".png")).count();
    }
  }

  /**
   * Runs {@code action} with Kafka's clients logging at INFO (where they dump their whole
   * configuration) into the returned text, besides the usual appenders.
   */
  private static StringWriter captureLogs(ThrowingRunnable action) throws Exception {
    StringWriter captured = new StringWriter();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    WriterAppender appender = WriterAppender.createAppender(
        PatternLayout.newBuilder().withPattern("%c %m%n").build(), null, captured,
        "sasl-ssl-capture", false, true);
    appender.start();
    config.getRootLogger().addAppender(appender, Level.ALL, null);
    Configurator.setLevel("org.apache.kafka", Level.INFO);
    try {
      action.run();
    } finally {
      Configurator.setLevel("org.apache.kafka", Level.WARN);
      config.getRootLogger().removeAppender("sasl-ssl-capture");
      context.updateLoggers();
      appender.stop();
    }
    return captured;
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }
}
