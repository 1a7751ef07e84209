package io.genstream.core.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.KafkaTestSupport;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class DefaultKafkaSenderTest {
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
  void sentRecordsRoundTripWithKeysHeadersAndOffsets() {
    String topic = "roundtrip";
    kafka.createTopic(topic, 1);
    List<RecordMetadata> metadata;
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      metadata = Flux.range(0, 10)
          .concatMap(i -> {
            var record = new ProducerRecord<>(topic, "k" + i,
                ("v" + i).getBytes(StandardCharsets.UTF_8));
            record.headers().add(new RecordHeader("ce_id", ("id" + i).getBytes(StandardCharsets.UTF_8)));
            return sender.send(record);
          })
          .collectList()
          .block(Duration.ofSeconds(20));
    }
    assertThat(metadata).extracting(RecordMetadata::offset)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);

    List<ReceivedRecord<String, byte[]>> received = KafkaReceiver
        .create(ReceiverOptions.allFromBeginning(kafka.bootstrapServers(), topic))
        .receive().take(10).collectList().block(Duration.ofSeconds(20));
    assertThat(received).extracting(ReceivedRecord::key)
        .containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9");
    assertThat(new String(received.get(3).value(), StandardCharsets.UTF_8)).isEqualTo("v3");
    assertThat(new String(received.get(3).record().headers().lastHeader("ce_id").value(),
        StandardCharsets.UTF_8)).isEqualTo("id3");
  }

  @Test
  void aSendChainedFromACompletionToATopicNewToTheProducerDoesNotStall() {
    kafka.createTopic("chain-first", 1);
    kafka.createTopic("chain-second", 1);
    try (KafkaSender<String, byte[]> sender = KafkaSender.create(
        SenderOptions.defaults(kafka.bootstrapServers()).withProperty("max.block.ms", 20_000))) {
      long started = System.nanoTime();
      String completedOn = sender.send(new ProducerRecord<>("chain-first", "a", new byte[] {1}))
          .then(sender.send(new ProducerRecord<>("chain-second", "b", new byte[] {2})))
          .map(metadata -> Thread.currentThread().getName())
          .block(Duration.ofSeconds(30));
      // On the producer's I/O thread the second send would wait max.block.ms (20 s) for metadata.
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
      assertThat(completedOn).doesNotStartWith("kafka-producer-network-thread");
    }
  }

  @Test
  void aSendSubscribedOnAnInterruptedThreadStillReachesTheBroker() throws Exception {
    // Reactor interrupts a scheduler thread when it cancels the task running there; a send made
    // from such a thread must not fail with Kafka's InterruptException.
    kafka.createTopic("interrupted", 1);
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      CompletableFuture<RecordMetadata> result = new CompletableFuture<>();
      Thread caller = new Thread(() -> {
        Thread.currentThread().interrupt();
        // A topic new to the producer: the send has to wait for its metadata.
        sender.send(new ProducerRecord<>("interrupted", "k", new byte[] {1}))
            .subscribe(result::complete, result::completeExceptionally);
      });
      caller.start();
      caller.join();

      assertThat(result.get(20, TimeUnit.SECONDS).offset()).isZero();
    }
  }

  @Test
  void sendIsLazyAndFailsAfterClose() {
    String topic = "lazy";
    kafka.createTopic(topic, 1);
    KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()));
    Mono<RecordMetadata> notSubscribed = sender.send(new ProducerRecord<>(topic, "x", new byte[1]));
    Mono<RecordMetadata> sent = sender.send(new ProducerRecord<>(topic, "y", new byte[1]));
    StepVerifier.create(sent).expectNextMatches(m -> m.offset() == 0).verifyComplete();

    sender.close();
    sender.close(); // idempotent

    StepVerifier.create(notSubscribed).expectError(IllegalStateException.class)
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void oversizedRecordFailsTheMonoNotTheCaller() {
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      byte[] tooBig = new byte[SenderOptions.MAX_REQUEST_SIZE + 1];
      StepVerifier.create(sender.send(new ProducerRecord<>("any", "k", tooBig)))
          .expectErrorMatches(e -> e.getClass().getSimpleName().equals("RecordTooLargeException"))
          .verify(Duration.ofSeconds(10));
    }
  }
}
