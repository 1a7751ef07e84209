package io.genstream.core.kafka;

import io.genstream.broker.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import reactor.core.publisher.Flux;

/**
 * One in-process broker for a test class, with the few helpers the Kafka tests share. The test
 * class creates it in {@code @BeforeAll} and closes it in {@code @AfterAll}.
 */
public final class KafkaTestSupport implements AutoCloseable {
  private final EmbeddedKafka kafka = EmbeddedKafka.start();
  private final Admin admin = Admin.create(
      Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public Admin admin() {
    return admin;
  }

  public void createTopic(String topic, int partitions) {
    try {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Values "0".."count-1" as UTF-8, keys the same, all to partition 0. */
  public void produce(String topic, int from, int count) {
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      Flux.range(from, count)
          // Many in flight: one partition and an idempotent producer keep them in order.
          .flatMapSequential(i -> sender.send(new ProducerRecord<>(topic, 0, String.valueOf(i),
              String.valueOf(i).getBytes(StandardCharsets.UTF_8))), 1024)
          .blockLast(Duration.ofSeconds(30));
    }
  }

  /** The group's committed offset for partition 0 of {@code topic}, if any. */
  public OptionalLong committed(String group, String topic) {
    try {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get();
      OffsetAndMetadata o = offsets.get(new TopicPartition(topic, 0));
      return o == null ? OptionalLong.empty() : OptionalLong.of(o.offset());
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until no thread whose name starts with {@code prefix} is alive. */
  public static void awaitThreadsGone(String prefix) {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces()
        .keySet().stream().noneMatch(t -> t.isAlive() && t.getName().startsWith(prefix)));
  }

  @Override
  public void close() {
    admin.close();
    kafka.close();
  }
}
