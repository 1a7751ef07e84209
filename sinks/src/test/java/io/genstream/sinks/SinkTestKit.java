package io.genstream.sinks;

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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import reactor.core.Disposable;

/** One in-process broker per test class, fresh topics per test, and reading dead letters back. */
public final class SinkTestKit implements AutoCloseable {

  private static final AtomicInteger TOPIC_SETS = new AtomicInteger();

  private final EmbeddedKafka broker = EmbeddedKafka.start();

  public String bootstrapServers() {
    return broker.bootstrapServers();
  }

  /** A topic set no other test uses, created. */
  public Topics freshTopics() {
    Topics topics = Topics.withPrefix("t" + TOPIC_SETS.incrementAndGet() + ".");
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    return topics;
  }

  public SinkService.Options options(Topics topics, String group) {
    return new SinkService.Options(broker.bootstrapServers(), topics, group,
        Duration.ofMillis(50), Duration.ofMillis(500));
  }

  public static byte[] png() {
    return Png.encode(new GrayImage(3, 3, new byte[9]));
  }

  @SafeVarargs
  public final void send(ProducerRecord<String, byte[]>... records) {
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
      for (ProducerRecord<String, byte[]> record : records) {
        sender.send(record).block();
      }
    }
  }

  /** Waits until the dead-letter topic holds {@code expected} records and returns them all. */
  public List<ReceivedRecord<String, byte[]>> deadLetters(Topics topics, int expected) {
    List<ReceivedRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();
    Disposable reader = KafkaReceiver.create(
            ReceiverOptions.allFromBeginning(broker.bootstrapServers(), topics.deadLetter()))
        .receive().subscribe(deadLetters::add);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters.size() >= expected);
    } finally {
      reader.dispose();
    }
    return List.copyOf(deadLetters);
  }

  @Override
  public void close() {
    broker.close();
  }
}
