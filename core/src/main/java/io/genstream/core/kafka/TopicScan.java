package io.genstream.core.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what a topic holds right now: every record from the beginning of each partition up to
 * the end offsets at the time of the call, with a consumer that lives only for the call and
 * belongs to no group. For small compacted topics that are read once at start (the highest
 * model version, the latest checkpoint), not for streams.
 */
public final class TopicScan {

  private TopicScan() {}

  /**
   * Hands each record to {@code onRecord} on the calling thread, which blocks (call it from a
   * worker, never from an event loop). A topic that does not exist counts as empty and is not
   * created.
   *
   * @throws IllegalStateException if the end is not reached within {@code timeout}
   */
  public static void readToEnd(String bootstrapServers, String topic, Duration timeout,
      Consumer<ConsumerRecord<String, byte[]>> onRecord) {
    readToEnd(KafkaConnection.of(bootstrapServers), topic, timeout, onRecord);
  }

  /** {@link #readToEnd(String, String, Duration, Consumer)} with the user's client properties. */
  public static void readToEnd(KafkaConnection connection, String topic, Duration timeout,
      Consumer<ConsumerRecord<String, byte[]>> onRecord) {
    Map<String, Object> props = connection.clientProperties(
        // Records of the compacted topics are up to 32 MiB.
        Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
            ReceiverOptions.LARGE_RECORD_FETCH_BYTES),
        // Looking must not create: an auto-created topic would lack the compaction and size
        // settings that TopicSetup gives it. No group, so nothing to commit.
        Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
    KafkaConnection.withoutGroup(props);
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
      end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
      while (!end.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out after " + timeout + " reading " + topic
              + " to its end; still to read: " + end.keySet());
        }
        consumer.poll(Duration.ofMillis(200)).forEach(onRecord);
        end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
      }
    }
  }
}
