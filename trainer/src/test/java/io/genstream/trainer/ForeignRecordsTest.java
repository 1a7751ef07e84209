package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.TrainingState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/**
 * The trainer's readers of its own topics against records of another kind under its keys, as a
 * requester's results would be if anything wrote them there: a restart resumes from its own
 * checkpoint, keeps its numbering and its {@code best}.
 */
class ForeignRecordsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Topics TOPICS = Topics.withPrefix("foreign.");
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    TopicSetup.ensure(kafka.bootstrapServers(), TOPICS, 1);
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void restartReadsOnlyThePipelinesOwnRecords() {
    TrainerCheckpoint checkpoint = new TrainerCheckpoint("digits", 3, 192, new TrainingState(
        ModelSpec.defaults(ModelSpec.Family.DCGAN), 12, Map.of("generator/w", new float[] {1f}),
        Map.of()));
    ModelStatus status = ModelStatus.none("digits", "fd")
        .judged(2, new VersionStatus(ModelStatus.BEST, "fd 30"), 30.0);
    produce(List.of(
        checkpoint.toRecord(TOPICS.checkpoints(), "test"),
        status.toRecord(TOPICS.models(), "test"),
        tombstoneOfVersion(3),
        stranger(TOPICS.checkpoints(), "digits"),
        stranger(TOPICS.models(), "digits/9223372036854775807"),
        stranger(TOPICS.models(), "digits/status"),
        stranger(TOPICS.models(), "digits/5")));

    KafkaConnection connection = KafkaConnection.of(kafka.bootstrapServers());
    TrainerCheckpoint latest = TrainerCheckpoint.latest(connection, TOPICS.checkpoints(),
        "digits", TIMEOUT).orElseThrow();
    ModelVersions versions = ModelVersions.read(connection, TOPICS.models(), "digits", TIMEOUT);

    assertThat(latest.version()).isEqualTo(3);
    assertThat(latest.state().steps()).isEqualTo(12);
    assertThat(versions.highest()).isEqualTo(3); // the pipeline's tombstone counts, not the rest
    assertThat(versions.status()).isEqualTo(status);
    assertThat(VersionRetention.scan(connection, TOPICS.models(), "digits", TIMEOUT)).isEmpty();
  }

  /** A version the trainer's retention deleted: a tombstone of its own. */
  private static ProducerRecord<String, byte[]> tombstoneOfVersion(long version) {
    return new ProducerRecord<>(TOPICS.models(), null, "digits/" + version, null,
        CloudEvents.headers(CloudEvents.TYPE_MODEL, "test", "application/onnx"));
  }

  private static ProducerRecord<String, byte[]> stranger(String topic, String key) {
    return new ProducerRecord<>(topic, null, key, new byte[] {(byte) 0x89, 'P', 'N', 'G'},
        CloudEvents.headers(CloudEvents.TYPE_RESULT, "intruder", "image/png"));
  }

  private static void produce(List<ProducerRecord<String, byte[]>> records) {
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      Flux.fromIterable(records).concatMap(sender::send).blockLast(TIMEOUT);
    }
  }
}
