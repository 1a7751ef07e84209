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
 * one line, so that a container's restart policy or a supervisor sees it: here a trainer whose
 * models topic refuses its versions (records larger than the topic allows).
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
    PrintStream realErr = System.err;
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int exit;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      exit = run("trainer", "-b", kafka.bootstrapServers(), "--model", "refused",
          "--set", "generatorWidths=16,8", "--set", "discriminatorWidths=8,16",
          "--batch-size", "16", "--export-every", "1", "--no-evaluation",
          "--replay-capacity", "0", "--samples", System.getProperty("java.io.tmpdir"));
    } finally {
      System.setErr(realErr);
    }

    assertThat(exit).isEqualTo(1);
    List<String> stopped = stderr.toString(StandardCharsets.UTF_8).lines()
        .filter(line -> line.startsWith("genstream: trainer 'refused' stopped: ")).toList();
    assertThat(stopped).hasSize(1);
    assertThat(stopped.get(0)).contains("RecordTooLargeException");
  }
}
