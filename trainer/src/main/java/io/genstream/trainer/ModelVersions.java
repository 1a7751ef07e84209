package io.genstream.trainer;

import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.messages.PublishedModel;
import java.time.Duration;
import java.util.HashMap;
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
 * Finds the highest version of a model already on the models topic, so that a restarted trainer
 * continues numbering instead of overwriting (the topic is compacted by key
 * {@code <name>/<version>}).
 */
final class ModelVersions {

  private ModelVersions() {}

  /**
   * Reads the models topic from the beginning to its current end, on the calling thread (it
   * blocks; call it from a worker, never from an event loop), with a consumer that lives only
   * for this call.
   *
   * @return the highest version of {@code modelName}, 0 if none
   */
  static long highest(String bootstrapServers, String modelsTopic, String modelName,
      Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Only keys are needed, but the values (ONNX bytes, up to 32 MiB) come along.
    props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, ReceiverOptions.LARGE_RECORD_FETCH_BYTES);
    // Looking must not create: an auto-created models topic would be neither compacted nor
    // allowed 32 MiB records.
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    long deadline = System.nanoTime() + timeout.toNanos();
    long highest = 0;
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(modelsTopic, timeout).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition()))
          .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
      end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
      while (!end.isEmpty()) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("timed out after " + timeout + " reading " + modelsTopic
              + " for existing versions of " + modelName);
        }
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          highest = Math.max(highest, versionOf(record.key(), modelName));
        }
        end.entrySet().removeIf(e -> consumer.position(e.getKey(), timeout) >= e.getValue());
      }
    }
    return highest;
  }

  /** The version a key names for {@code modelName}, or 0 for another model's or a foreign key. */
  private static long versionOf(String key, String modelName) {
    try {
      PublishedModel.Key parsed = PublishedModel.Key.parse(key);
      return parsed.model().equals(modelName) ? parsed.version() : 0;
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }
}
