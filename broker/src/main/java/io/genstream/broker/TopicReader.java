package io.genstream.broker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The tests' way to look at a topic: everything on it, from the beginning of every partition,
 * with a consumer of no group that lives for one call. Shared by every module's tests so that
 * "wait until n records, then make sure no more come" is written once.
 */
public final class TopicReader {

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private TopicReader() {}

  /** {@link #read(String, String, int, Duration)} with a 30 s timeout. */
  public static List<ConsumerRecord<String, byte[]>> read(String bootstrapServers, String topic,
      int atLeast) {
    return read(bootstrapServers, topic, atLeast, DEFAULT_TIMEOUT);
  }

  /**
   * Every record of {@code topic}: waits up to {@code timeout} until there are at least
   * {@code atLeast}, then reads to the end offsets and on until two polls in a row bring
   * nothing, so that "exactly n" can be asserted. Returns what it has at the timeout (the
   * caller's assertion then fails with the real count); on a topic that is still being
   * written, that is at the timeout.
   */
  public static List<ConsumerRecord<String, byte[]>> read(String bootstrapServers, String topic,
      int atLeast, Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 34 * 1024 * 1024);
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
          .map(p -> new TopicPartition(topic, p.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (records.size() < atLeast && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      for (TopicPartition partition : partitions) {
        while (consumer.position(partition) < end.get(partition) && System.nanoTime() < deadline) {
          consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
      }
      int quietPolls = 0;
      while (quietPolls < 2 && System.nanoTime() < deadline) {
        int before = records.size();
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        quietPolls = records.size() == before ? quietPolls + 1 : 0;
      }
      return records;
    }
  }
}
