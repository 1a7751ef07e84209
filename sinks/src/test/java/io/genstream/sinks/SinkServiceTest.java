package io.genstream.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.sinks.file.FileSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

class SinkServiceTest {

  private static final Topics TOPICS = Topics.defaults();
  static EmbeddedKafka broker;

  @TempDir Path out;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafka.start();
    TopicSetup.ensure(broker.bootstrapServers(), TOPICS, 1);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  @Test
  void writesResultsThenCommitsAndDeadLettersRecordsThatAreNotResults() throws Exception {
    byte[] png = Png.encode(new GrayImage(3, 3, new byte[9]));
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
      for (int i = 0; i < 3; i++) {
        sender.send(new GeneratedImage("r1", "digits", 2, 5, i, 3, 4, png)
            .toRecord(TOPICS.results(), "test")).block();
      }
      sender.send(new ProducerRecord<>(TOPICS.results(), "junk", "not a result".getBytes())).block();
      ProducerRecord<String, byte[]> noValue =
          new GeneratedImage("r2", "digits", 2, 5, 0, 1, 4, png).toRecord(TOPICS.results(), "test");
      sender.send(new ProducerRecord<>(TOPICS.results(), null, "empty", null, noValue.headers())).block();
    }

    String group = "sink-test";
    try (FileSink files = new FileSink(out);
        SinkService sink = new SinkService(files,
            new SinkService.Options(broker.bootstrapServers(), TOPICS, group))) {
      sink.start();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sink.written() == 3 && sink.deadLettered() == 2);
      await("all five offsets committed").atMost(Duration.ofSeconds(30))
          .until(() -> committed(group) == 5);
    }

    for (int i = 0; i < 3; i++) {
      assertThat(out.resolve(FileSink.relativePath(
          new GeneratedImage("r1", "digits", 2, 5, i, 3, 4, png)))).hasBinaryContent(png);
    }
    assertThat(Files.readAllLines(out.resolve(FileSink.MANIFEST))).hasSize(3);
    List<ReceivedRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();
    Disposable reader = KafkaReceiver.create(
            ReceiverOptions.allFromBeginning(broker.bootstrapServers(), TOPICS.deadLetter()))
        .receive().subscribe(deadLetters::add);
    await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.size() >= 2);
    reader.dispose();
    assertThat(deadLetters).hasSize(2);
    assertThat(deadLetters.get(0).key()).isEqualTo("junk");
    assertThat(new String(deadLetters.get(0).value())).isEqualTo("not a result");
    assertThat(DeadLetter.reason(deadLetters.get(0).record())).contains("not a PNG");
    assertThat(deadLetters.get(1).key()).isEqualTo("empty");
    assertThat(DeadLetter.reason(deadLetters.get(1).record())).contains("not a PNG");
  }

  private static long committed(String group) throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get()
          .get(new TopicPartition(TOPICS.results(), 0));
      return offset == null ? -1 : offset.offset();
    }
  }
}
