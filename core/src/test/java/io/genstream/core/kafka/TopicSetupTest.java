package io.genstream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.config.Topics;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TopicSetupTest {
  private static KafkaTestSupport kafka;

  @BeforeAll
  static void startBroker() {
    kafka = new KafkaTestSupport();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void createsEveryTopicOnceWithACompactedLargeRecordModelsTopic() throws Exception {
    Topics topics = Topics.withPrefix("setup.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 3);
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 3); // idempotent

    assertThat(kafka.admin().listTopics().names().get()).containsAll(topics.all());
    TopicDescription images =
        kafka.admin().describeTopics(List.of(topics.images())).allTopicNames().get()
            .get(topics.images());
    assertThat(images.partitions()).hasSize(3);

    for (String compacted : List.of(topics.models(), topics.checkpoints())) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, compacted);
      Config config = kafka.admin().describeConfigs(List.of(resource)).all().get().get(resource);
      assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("compact");
      assertThat(config.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value())
          .isEqualTo(String.valueOf(TopicSetup.MODELS_MAX_MESSAGE_BYTES));
      assertThat(config.get(TopicConfig.SEGMENT_BYTES_CONFIG).value())
          .isEqualTo(String.valueOf(64 * 1024 * 1024));
    }
    ConfigResource results = new ConfigResource(ConfigResource.Type.TOPIC, topics.results());
    assertThat(kafka.admin().describeConfigs(List.of(results)).all().get().get(results)
        .get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo("delete");
  }

  @Test
  void modelsTopicCarriesA20MiBRecord() {
    Topics topics = Topics.withPrefix("big.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    byte[] model = new byte[20 * 1024 * 1024];
    new Random(7).nextBytes(model);

    RecordMetadata metadata;
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      metadata = sender.send(new ProducerRecord<>(topics.models(), "mnist-gan/1", model))
          .block(Duration.ofSeconds(30));
    }
    assertThat(metadata.serializedValueSize()).isEqualTo(model.length);

    ReceivedRecord<String, byte[]> received = KafkaReceiver
        .create(ReceiverOptions.allFromBeginning(kafka.bootstrapServers(), topics.models()))
        .receive().blockFirst(Duration.ofSeconds(30));
    assertThat(received.key()).isEqualTo("mnist-gan/1");
    assertThat(Arrays.equals(received.value(), model)).as("20 MiB value intact").isTrue();
  }
}
