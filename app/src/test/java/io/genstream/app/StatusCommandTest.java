package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.LabelledImage;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import io.genstream.core.messages.PublishedModel;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StatusCommandTest extends CliTest {

  private static final Topics TOPICS = Topics.defaults();
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void pipelineWithSomeHistory() throws Exception {
    kafka = EmbeddedKafka.start();
    TopicSetup.ensure(kafka.bootstrapServers(), TOPICS, 1);
    try (KafkaProducer<String, byte[]> producer = producer()) {
      for (int i = 0; i < 5; i++) {
        producer.send(new LabelledImage("s", i, new byte[] {1}).toRecord(TOPICS.images(), "t"));
      }
      for (long version = 1; version <= 3; version++) {
        producer.send(model(version).toRecord(TOPICS.models(), "t"));
      }
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(TOPICS.models(),
          "digits/1", null)); // retention removed v1
      ModelStatus judged = ModelStatus.none("digits", "fd")
          .judged(2, new VersionStatus(ModelStatus.BEST, "fd 30"), 30.0)
          .judged(3, new VersionStatus(ModelStatus.REJECTED, "fd 41 > 30"), null);
      // An older status first: the latest record of the key wins.
      producer.send(ModelStatus.none("digits", "fd")
          .judged(3, new VersionStatus(ModelStatus.BEST, "first"), 41.0)
          .toRecord(TOPICS.models(), "t"));
      producer.send(judged.toRecord(TOPICS.models(), "t"));
      // A model whose status was deleted shows no promotion.
      producer.send(model("cifar", 1).toRecord(TOPICS.models(), "t"));
      producer.send(ModelStatus.none("cifar", "fd")
          .judged(1, new VersionStatus(ModelStatus.BEST, "first"), 50.0)
          .toRecord(TOPICS.models(), "t"));
      producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(TOPICS.models(),
          ModelStatus.key("cifar"), null));
      ConsumerRecord<String, byte[]> refused = new ConsumerRecord<>(TOPICS.images(), 0, 3, "s",
          new byte[] {1});
      producer.send(DeadLetter.of(refused, "not a PNG: bad signature", TOPICS.deadLetter(),
          "genstream-trainer"));
      producer.flush();
    }
    // A group that read 2 of the 5 images: lag 3.
    try (KafkaConsumer<String, byte[]> consumer = consumer("genstream-trainer-digits")) {
      consumer.commitSync(Map.of(new TopicPartition(TOPICS.images(), 0),
          new OffsetAndMetadata(2)));
    }
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void printsTopicsLagModelsAndDeadLetters() {
    int code = run("status", "-b", kafka.bootstrapServers());

    String text = out.toString();
    assertThat(code).as(err.toString()).isZero();
    assertThat(text).containsPattern("genstream\\.images\\s+1 partition\\s+5 records");
    assertThat(text).containsPattern("genstream-trainer-digits\\s+\\S+\\s+0 members\\s+lag 3 "
        + "\\(genstream.images 3\\)");
    assertThat(text).contains("digits (cgan): 2 versions retained, v2, v3; latest v3: lossG=0.7000\n"
        + "    best v2; v2 best (fd 30), v3 rejected (fd 41 > 30)\n");
    assertThat(text).contains("cifar (cgan): 1 version retained, v1; latest v1: lossG=0.7000\n"
        + "  digits");
    assertThat(text).contains("dead letters: 1");
    assertThat(text).contains("genstream-trainer  from genstream.images: not a PNG: bad signature");
  }

  @Test
  void printsJsonOnRequest() {
    int code = run("status", "-b", kafka.bootstrapServers(), "--json");

    assertThat(code).isZero();
    assertThat(out.toString()).contains("\"deadLetters\":{\"count\":1")
        .contains("\"versions\":[2,3]")
        .contains("\"best\":2,\"promotions\":{\"2\":{\"status\":\"best\",\"reason\":\"fd 30\"},"
            + "\"3\":{\"status\":\"rejected\",\"reason\":\"fd 41 > 30\"}}");
  }

  @Test
  void saysSoWhenNoBrokerAnswers() {
    int code = run("status", "-b", "127.0.0.1:1", "--timeout", "2s");

    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("no answer from Kafka at 127.0.0.1:1");
  }

  private static PublishedModel model(long version) {
    return model("digits", version);
  }

  private static PublishedModel model(String name, long version) {
    byte[] onnx = ("graph " + version).getBytes();
    return new PublishedModel(new ModelManifest(name, version, version - 1, "cgan", 1, 28,
        28, 16, 10, Map.of(), Map.of(), PublishedModel.sha256(onnx), 0L, Map.of("lossG", 0.7)),
        onnx);
  }

  private static KafkaProducer<String, byte[]> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<String, byte[]> consumer(String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

}
