package io.genstream.generator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The catch-up target a follower reads from a real broker when it starts. */
class TopicOffsetsTest {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void aTopicThatDoesNotExistYetHasNothingToCatchUpOn() throws Exception {
    CatchUp catchUp = TopicOffsets.atStart(KafkaConnection.of(kafka.bootstrapServers()),
        "offsets-none.models");

    assertThat(catchUp.done()).isTrue();
  }

  @Test
  void aTopicIsCaughtUpOnOnceTheRecordBeforeItsEndAtStartIsProcessed() throws Exception {
    Topics topics = Topics.withPrefix("offsets-two.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      for (int i = 0; i < 2; i++) {
        sender.send(new ProducerRecord<>(topics.models(), "digits/" + (i + 1), new byte[] {1}))
            .block();
      }
    }
    TopicPartition partition = new TopicPartition(topics.models(), 0);

    CatchUp catchUp = TopicOffsets.atStart(KafkaConnection.of(kafka.bootstrapServers()),
        topics.models());

    assertThat(catchUp.done()).isFalse();
    catchUp.processed(partition, 0);
    assertThat(catchUp.done()).isFalse();
    catchUp.processed(partition, 1);
    assertThat(catchUp.done()).isTrue();
  }
}
