package io.genstream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaTest {

  @Test
  void startsOnLoopbackAndServesProduceAndConsume() throws Exception {
    long t0 = System.nanoTime();
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      long startMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(kafka.bootstrapServers()).startsWith("127.0.0.1:");
      assertThat(startMs).as("start time in ms").isLessThan(60_000);
      System.out.println("embedded Kafka started in " + startMs + " ms");

      createTopic(kafka, "t");
      produce(kafka, "t", List.of("a", "b", "c"));
      assertThat(consumeAll(kafka, "t", 3)).containsExactly("a", "b", "c");
    }
  }

  @Test
  void restartOnTheSameDataDirKeepsTopicsAndRecords(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(new EmbeddedKafka.Config(0, dir))) {
      createTopic(kafka, "kept");
      produce(kafka, "kept", List.of("one", "two"));
    }
    assertThat(dir).isDirectory(); // a caller's directory is never deleted
    try (EmbeddedKafka kafka = EmbeddedKafka.start(new EmbeddedKafka.Config(0, dir))) {
      assertThat(consumeAll(kafka, "kept", 2)).containsExactly("one", "two");
    }
  }

  @Test
  void closeIsIdempotentDeletesTheTempDirAndLeavesNoServerThreads() {
    Set<Thread> before = nonDaemonThreads();
    EmbeddedKafka kafka = EmbeddedKafka.start();
    Path dir = kafka.dataDir();
    assertThat(dir).isDirectory();

    kafka.close();
    kafka.close();

    assertThat(Files.exists(dir)).as("temp dir deleted").isFalse();
    Set<Thread> leaked = nonDaemonThreads();
    leaked.removeAll(before);
    assertThat(leaked.stream().map(Thread::getName).collect(Collectors.toList()))
        .as("non-daemon threads left after close").isEmpty();
  }

  private static Set<Thread> nonDaemonThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> !t.isDaemon() && t.isAlive())
        .collect(Collectors.toSet());
  }

  private static void createTopic(EmbeddedKafka kafka, String topic) throws Exception {
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
  }

  private static void produce(EmbeddedKafka kafka, String topic, List<String> values)
      throws Exception {
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(
        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringSerializer(), new StringSerializer())) {
      for (String v : values) {
        producer.send(new ProducerRecord<>(topic, v)).get();
      }
    }
  }

  private static List<String> consumeAll(EmbeddedKafka kafka, String topic, int expected) {
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG, "test",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
