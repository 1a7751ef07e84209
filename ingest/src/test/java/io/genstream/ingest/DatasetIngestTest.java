package io.genstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.ingest.synthetic.SyntheticDigits;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** {@code --dataset}: every image ingest sends carries {@code ce_dataset}, or none without it. */
class DatasetIngestTest {

  @Test
  void stampsTheDatasetOnEveryImageAndNothingWithoutOne() {
    try (EmbeddedKafka broker = EmbeddedKafka.start()) {
      Topics pets = Topics.withPrefix("pets.");
      Topics plain = Topics.withPrefix("plain.");
      ingest(broker, new IngestService.Options(pets, 0, 30, "pets"));
      ingest(broker, new IngestService.Options(plain, 0, 10));

      List<ConsumerRecord<String, byte[]>> stamped =
          TopicReader.read(broker.bootstrapServers(), pets.images(), 30);
      assertThat(stamped).hasSize(30).allSatisfy(record ->
          assertThat(CloudEvents.attribute(record.headers(), "dataset")).contains("pets"));
      assertThat(TopicReader.read(broker.bootstrapServers(), plain.images(), 10))
          .hasSize(10).allSatisfy(record ->
              assertThat(CloudEvents.attribute(record.headers(), "dataset")).isEmpty());
    }
  }

  @Test
  void refusesADatasetNameThatCouldNotBeTypedInAModelsFile() {
    assertThatThrownBy(() -> new IngestService.Options(Topics.defaults(), 0, 0, "my pets"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("my pets");
    assertThatThrownBy(() -> new IngestService.Options(Topics.defaults(), 0, 0, ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void ingest(EmbeddedKafka broker, IngestService.Options options) {
    TopicSetup.ensure(broker.bootstrapServers(), options.topics(), 1);
    try (KafkaSender<String, byte[]> sender =
            KafkaSender.create(IngestService.senderOptions(broker.bootstrapServers()));
        IngestService ingest = new IngestService(new SyntheticDigits(28, 1), sender, options)) {
      assertThat(ingest.run().block(Duration.ofSeconds(60)).published())
          .isEqualTo(options.maxImages());
    }
  }
}
