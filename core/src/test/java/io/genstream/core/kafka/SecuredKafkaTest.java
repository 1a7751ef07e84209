package io.genstream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
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

/** Clients built from a {@link KafkaConnection} against the broker's SASL/SCRAM listener. */
class SecuredKafkaTest {

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
  void topicSetupSenderReceiverAndScanWorkWithTheRightPassword() {
    KafkaConnection connection = connection("alice-secret");
    Topics topics = Topics.withPrefix("sasl.");

    TopicSetup.ensure(connection, topics, 1);
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(connection))) {
      sender.send(new ProducerRecord<>(topics.images(), "k", "v".getBytes(StandardCharsets.UTF_8)))
          .block(Duration.ofSeconds(30));
    }
    String received = KafkaReceiver.create(ReceiverOptions.forGroup(connection, "g", topics.images()))
        .receive()
        .map(r -> new String(r.record().value(), StandardCharsets.UTF_8))
        .blockFirst(Duration.ofSeconds(30));
    assertThat(received).isEqualTo("v");

    Map<String, String> scanned = new HashMap<>();
    TopicScan.readToEnd(connection, topics.images(), Duration.ofSeconds(30),
        r -> scanned.put(r.key(), new String(r.value(), StandardCharsets.UTF_8)));
    assertThat(scanned).containsEntry("k", "v");
  }

  @Test
  void wrongPasswordFailsTopicSetupAtOnceNamingUserAndServers() {
    KafkaConnection connection = connection("wrong-password");
    long t0 = System.nanoTime();

    assertThatThrownBy(() -> TopicSetup.ensure(connection, Topics.withPrefix("nope."), 1))
        .isInstanceOf(KafkaConnectionException.class)
        .hasMessageStartingWith("authentication failed for user alice at "
            + kafka.saslBootstrapServers() + ": ")
        .hasMessageNotContaining("wrong-password")
        .hasMessageNotContaining("\n");
    assertThat((System.nanoTime() - t0) / 1_000_000).as("ms to fail").isLessThan(15_000);
  }

  @Test
  void plaintextClientOnTheSaslListenerTimesOutWithAHint() {
    KafkaConnection connection = new KafkaConnection(kafka.saslBootstrapServers(),
        Map.of("default.api.timeout.ms", "3000", "request.timeout.ms", "2000"));

    assertThatThrownBy(() -> TopicSetup.ensure(connection, Topics.withPrefix("plain."), 1))
        .isInstanceOf(KafkaConnectionException.class)
        .hasMessageContaining("security.protocol");
  }

  @Test
  void noClientLogLineCarriesThePassword() {
    // Kafka's clients dump their whole configuration at INFO: raise them there for this test
    // and capture everything that is logged while a secured round trip and a refused one run.
    StringWriter captured = new StringWriter();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    WriterAppender appender = WriterAppender.createAppender(
        PatternLayout.newBuilder().withPattern("%c %m%n").build(), null, captured,
        "capture", false, true);
    appender.start();
    config.getRootLogger().addAppender(appender, Level.ALL, null);
    Configurator.setLevel("org.apache.kafka", Level.INFO);
    Configurator.setLevel("io.genstream", Level.DEBUG);
    try {
      topicSetupSenderReceiverAndScanWorkWithTheRightPassword();
      wrongPasswordFailsTopicSetupAtOnceNamingUserAndServers();
    } finally {
      Configurator.setLevel("org.apache.kafka", Level.WARN);
      Configurator.setLevel("io.genstream", Level.INFO);
      config.getRootLogger().removeAppender("capture");
      context.updateLoggers();
      appender.stop();
    }

    assertThat(captured.toString())
        .as("the config dumps were captured").contains("sasl.jaas.config")
        .doesNotContain("alice-secret", "wrong-password");
  }

  private static KafkaConnection connection(String password) {
    return new KafkaConnection(kafka.saslBootstrapServers(),
        EmbeddedKafka.scramClientProperties("alice", password));
  }
}
