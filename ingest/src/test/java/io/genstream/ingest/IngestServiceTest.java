package io.genstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.synthetic.SyntheticDigits;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestServiceTest {

  @Test
  void publishesValidLabelledImagesAtTheRequestedPace() {
    Topics topics = Topics.defaults();
    try (EmbeddedKafka broker = EmbeddedKafka.start()) {
      TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
      long started = System.nanoTime();
      try (KafkaSender<String, byte[]> sender =
              KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()));
          IngestService ingest = new IngestService(new SyntheticDigits(28, 1), sender,
              new IngestService.Options(topics, 200, 100))) {
        ingest.run().block(Duration.ofSeconds(30));
        assertThat(ingest.published()).isEqualTo(100);
      }
      // 100 images at 200/s cannot take less than about half a second.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(400));

      List<ReceivedRecord<String, byte[]>> records = KafkaReceiver.create(
              ReceiverOptions.allFromBeginning(broker.bootstrapServers(), topics.images()))
          .receive().take(100).collectList().block(Duration.ofSeconds(30));
      for (ReceivedRecord<String, byte[]> record : records) {
        LabelledImage.Decoded decoded = LabelledImage.decode(record.record());
        assertThat(decoded.image().width()).isEqualTo(28);
        assertThat(decoded.label()).isBetween(0, 9);
        assertThat(CloudEvents.attribute(record.record().headers(), "type"))
            .contains(CloudEvents.TYPE_IMAGE);
      }
      assertThat(records).extracting(r -> LabelledImage.decode(r.record()).label())
          .containsOnly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }
  }
}
