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
  void replicationFollowsTheClustersBrokerCount() throws Exception {
    assertThat(Replication.forBrokers(1)).isEqualTo(new Replication((short) 1, (short) 1));
    assertThat(Replication.forBrokers(2)).isEqualTo(new Replication((short) 2, (short) 1));
    assertThat(Replication.forBrokers(5)).isEqualTo(new Replication((short) 3, (short) 2));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Replication((short) 3, (short) 4))
        .hasMessage("min.insync.replicas must be 1..3 (the replication factor), got 4");

    // The in-process broker is a one-broker cluster: one replica, no min.insync override.
    Topics topics = Topics.withPrefix("replicas.");
    TopicSetup.ensure(KafkaConnection.of(kafka.bootstrapServers()), topics, 1);
    TopicDescription models = kafka.admin().describeTopics(List.of(topics.models()))
        .allTopicNames().get().get(topics.models());
    assertThat(models.partitions().get(0).replicas()).hasSize(1);
    // Asking for more replicas than brokers fails with the broker's reason, not silently.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> TopicSetup.ensure(
            KafkaConnection.of(kafka.bootstrapServers()), Topics.withPrefix("three."), 1,
            new Replication((short) 3, (short) 2)))
        .hasMessageContaining("three.");
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
