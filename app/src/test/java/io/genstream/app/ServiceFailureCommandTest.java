package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.LabelledImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service whose pipeline stops for good ends its command with exit code 1 and the cause on
 * one line, so that a container's restart policy or a supervisor sees it: each service is given
 * a topic that refuses what it must write (records larger than the topic allows), its versions,
 * its dead letters or its images.
 */
class ServiceFailureCommandTest extends CliTest {

  private static final Topics TOPICS = Topics.defaults();
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void brokerWhoseModelsTopicRefusesVersions() throws Exception {
    kafka = EmbeddedKafka.start();
    TopicSetup.ensure(kafka.bootstrapServers(), TOPICS, 1);
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, TOPICS.models());
      Map<ConfigResource, Collection<AlterConfigOp>> limit = Map.of(models, List.of(
          new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000"),
              AlterConfigOp.OpType.SET)));
      admin.incrementalAlterConfigs(limit).all().get();
    }
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      for (int i = 0; i < 64; i++) {
        byte[] pixels = new byte[28 * 28];
        pixels[i * 7 % pixels.length] = (byte) 255;
        producer.send(new LabelledImage("img-" + i, i % 10,
            Png.encode(new GrayImage(28, 28, pixels))).toRecord(TOPICS.images(), "test"));
      }
    }
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void aTrainerWhoseVersionsTheBrokerRefusesExitsWithTheCauseOnOneLine() {
    assertExitsOnce("trainer 'refused'", "trainer", "-b", kafka.bootstrapServers(),
        "--model", "refused",
        "--set", "generatorWidths=16,8", "--set", "discriminatorWidths=8,16",
        "--batch-size", "16", "--export-every", "1", "--no-evaluation",
        "--replay-capacity", "0", "--samples", System.getProperty("java.io.tmpdir"));
  }

  @Test
  void aGeneratorWhoseDeadLettersTheBrokerRefusesExits() throws Exception {
    // A malformed request must be dead-lettered; when even that is refused for good, the
    // generator cannot go on without losing it, so it stops and says why.
    Topics topics = refusingDeadLetters("gen.");
    send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.requests(), "bad",
        ("{not json" + " ".repeat(400)).getBytes(StandardCharsets.UTF_8)));
    assertExitsOnce("generator", "generator", "-b", kafka.bootstrapServers(),
        "--topic-prefix", "gen.", "--http-port", "-1");
  }

  @Test
  void aFileSinkWhoseDeadLettersTheBrokerRefusesExits() throws Exception {
    Topics topics = refusingDeadLetters("sink.");
    send(new org.apache.kafka.clients.producer.ProducerRecord<>(topics.results(), "r1",
        new byte[600])); // no result attributes: a permanent failure of that record
    assertExitsOnce("file sink", "sink", "-b", kafka.bootstrapServers(),
        "--topic-prefix", "sink.", "--out", System.getProperty("java.io.tmpdir") + "/refused");
  }

  @Test
  void anIngestWhoseImagesTheBrokerRefusesExits() throws Exception {
    Topics topics = Topics.withPrefix("ing.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    limit(topics.images(), 100);
    // A bulk ingest (it ends by itself) reports its counts with the cause.
    assertExits("ingest failed after 0 sent", "larger than the max message size", "ingest",
        "-b", kafka.bootstrapServers(), "--topic-prefix", "ing.", "--max-images", "5",
        "--no-ledger");
  }

  /** Runs the command; it must exit 1 with exactly one line naming the service and the cause. */
  private void assertExitsOnce(String service, String... args) {
    assertExits("genstream: " + service + " stopped: ", "RecordTooLargeException", args);
  }

  /**
   * Runs the command; it must exit 1 with exactly one line that starts with {@code line} and
   * contains {@code cause}.
   */
  private void assertExits(String line, String cause, String... args) {
    PrintStream realErr = System.err;
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int exit;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      exit = run(args);
    } finally {
      System.setErr(realErr);
    }
    String printed = stderr.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(printed).isEqualTo(1);
    List<String> stopped = printed.lines().filter(printedLine -> printedLine.startsWith(line))
        .toList();
    assertThat(stopped).as(printed).hasSize(1);
    assertThat(stopped.get(0)).contains(cause);
  }

  /** Topics under {@code prefix} whose dead-letter topic refuses records of 200 bytes. */
  private static Topics refusingDeadLetters(String prefix) throws Exception {
    Topics topics = Topics.withPrefix(prefix);
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    limit(topics.deadLetter(), 200);
    return topics;
  }

  private static void limit(String topic, int maxMessageBytes) throws Exception {
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Map<ConfigResource, Collection<AlterConfigOp>> limit = Map.of(resource, List.of(
          new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(maxMessageBytes)),
              AlterConfigOp.OpType.SET)));
      admin.incrementalAlterConfigs(limit).all().get();
    }
  }

  private static void send(org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record)
      throws Exception {
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(), new ByteArraySerializer())) {
      producer.send(record).get();
    }
  }
}
