package io.genstream.sinks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.failure.TransientFailure;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

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

  @Test
  void retriesATransientSinkFailureWithoutDeadLetteringOrAcknowledgingEarly() throws Exception {
    Topics topics = Topics.withPrefix("transient.");
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    byte[] png = Png.encode(new GrayImage(3, 3, new byte[9]));
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
      sender.send(new GeneratedImage("r1", "digits", 2, 5, 0, 1, 4, png)
          .toRecord(topics.results(), "test")).block();
    }
    List<String> stored = new CopyOnWriteArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    AtomicLong committedDuringRetries = new AtomicLong(-2);
    String group = "sink-transient";
    ResultSink flaky = new ResultSink() {
      @Override
      public String name() {
        return "flaky";
      }

      @Override
      public Mono<Void> write(GeneratedImage image) {
        return Mono.fromRunnable(() -> {
          if (attempts.incrementAndGet() <= 2) {
            committedDuringRetries.set(committedOrFail(group, topics));
            throw new TransientFailure("receiver busy");
          }
          stored.add(image.requestId() + "-" + image.index());
        });
      }

      @Override
      public void close() {}
    };

    try (SinkService sink = new SinkService(flaky, new SinkService.Options(
        broker.bootstrapServers(), topics, group, Duration.ofMillis(50), Duration.ofMillis(500)))) {
      sink.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.written() == 1);
      await("offset committed after the write").atMost(Duration.ofSeconds(30))
          .until(() -> committed(group, topics) == 1);
      assertThat(sink.retried()).isEqualTo(2);
      assertThat(sink.deadLettered()).isZero();
    }
    assertThat(attempts).hasValue(3);
    assertThat(committedDuringRetries).as("nothing committed while retrying").hasValue(-1);
    assertThat(stored).containsExactly("r1-0");
  }

  @Test
  void stopsWithTheCauseWhenEvenTheDeadLetterIsRefusedForGood() throws Exception {
    Topics topics = Topics.withPrefix("refused.");
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        broker.bootstrapServers()))) {
      // Created before the others, with a size limit from the start (an altered limit reaches
      // the broker asynchronously).
      admin.createTopics(List.of(new NewTopic(topics.deadLetter(), 1, (short) 1)
          .configs(Map.of("max.message.bytes", "1024")))).all().get();
    }
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    byte[] noise = new byte[64 * 1024];
    new java.util.Random(7).nextBytes(noise); // incompressible
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
      // Not a result, so it is dead-lettered with its 64 KiB value: more than that topic takes.
      sender.send(new ProducerRecord<>(topics.results(), "junk", noise)).block();
    }
    ResultSink nothing = new ResultSink() {
      @Override
      public String name() {
        return "nothing";
      }

      @Override
      public Mono<Void> write(GeneratedImage image) {
        return Mono.empty();
      }

      @Override
      public void close() {}
    };

    try (SinkService sink = new SinkService(nothing,
        new SinkService.Options(broker.bootstrapServers(), topics, "sink-refused")).start()) {
      assertThatThrownBy(() -> sink.completion().block(Duration.ofSeconds(60)))
          .isInstanceOf(RecordTooLargeException.class);
      assertThat(sink.deadLettered()).isZero();
    }
  }

  @Test
  void deadLettersAResultTheSinkFailsForGoodAndGoesOn() throws Exception {
    Topics topics = Topics.withPrefix("permanent.");
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    byte[] png = Png.encode(new GrayImage(3, 3, new byte[9]));
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
      for (String id : List.of("bad", "good")) {
        sender.send(new GeneratedImage(id, "digits", 2, 5, 0, 1, 4, png)
            .toRecord(topics.results(), "test")).block();
      }
    }
    List<String> stored = new CopyOnWriteArrayList<>();
    ResultSink picky = new ResultSink() {
      @Override
      public String name() {
        return "picky";
      }

      @Override
      public Mono<Void> write(GeneratedImage image) {
        return Mono.fromRunnable(() -> {
          if (image.requestId().equals("bad")) {
            throw new IllegalArgumentException("no room for bad results");
          }
          stored.add(image.requestId());
        });
      }

      @Override
      public void close() {}
    };
    String group = "sink-permanent";
    try (SinkService sink = new SinkService(picky,
        new SinkService.Options(broker.bootstrapServers(), topics, group))) {
      sink.start();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sink.written() == 1 && sink.deadLettered() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, topics) == 2);
      assertThat(sink.retried()).isZero();
    }
    assertThat(stored).containsExactly("good");
    List<ReceivedRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();
    Disposable reader = KafkaReceiver.create(
            ReceiverOptions.allFromBeginning(broker.bootstrapServers(), topics.deadLetter()))
        .receive().subscribe(deadLetters::add);
    await().atMost(Duration.ofSeconds(30)).until(() -> !deadLetters.isEmpty());
    reader.dispose();
    assertThat(deadLetters).hasSize(1);
    assertThat(deadLetters.get(0).key()).isEqualTo("bad");
    assertThat(DeadLetter.reason(deadLetters.get(0).record()))
        .contains("sink 'picky'", "no room for bad results");
  }

  private static long committed(String group) throws Exception {
    return committed(group, TOPICS);
  }

  private static long committedOrFail(String group, Topics topics) {
    try {
      return committed(group, topics);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static long committed(String group, Topics topics) throws Exception {
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
      OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get()
          .get(new TopicPartition(topics.results(), 0));
      return offset == null ? -1 : offset.offset();
    }
  }
}
