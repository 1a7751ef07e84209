package io.genstream.core.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * How a {@link KafkaReceiver} consumes.
 *
 * @param properties consumer configuration (bootstrap servers, group id, …); the receiver always
 *     turns auto-commit off
 * @param topics the topics to read
 * @param mode {@link Mode#GROUP}: subscribe as a member of {@code group.id} and commit
 *     acknowledged offsets; {@link Mode#ALL_FROM_BEGINNING}: assign every partition, read from
 *     the earliest offset and commit nothing (for followers of compacted topics such as the
 *     model registry)
 * @param pollTimeout how long one {@code poll} may block the consumer thread
 * @param commitInterval how often acknowledged offsets are committed
 * @param consumerFactory makes the consumer from the final properties; a seam for fault tests
 */
public record ReceiverOptions<K, V>(
    Map<String, Object> properties,
    List<String> topics,
    Mode mode,
    Deserializer<K> keyDeserializer,
    Deserializer<V> valueDeserializer,
    Duration pollTimeout,
    Duration commitInterval,
    Function<Map<String, Object>, Consumer<K, V>> consumerFactory) {

  /**
   * Fetch limits for topics with large records (the models topic: up to 32 MiB per record).
   * Set as {@code max.partition.fetch.bytes} and {@code fetch.max.bytes} by
   * {@link #allFromBeginning}; a group consumer of such a topic must set them too.
   */
  public static final int LARGE_RECORD_FETCH_BYTES = 34 * 1024 * 1024;

  /** Group membership with commits, or a commit-free read of everything. */
  public enum Mode { GROUP, ALL_FROM_BEGINNING }

  public ReceiverOptions {
    properties = Map.copyOf(properties);
    topics = List.copyOf(topics);
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(keyDeserializer, "keyDeserializer");
    Objects.requireNonNull(valueDeserializer, "valueDeserializer");
    Objects.requireNonNull(consumerFactory, "consumerFactory");
    if (topics.isEmpty()) {
      throw new IllegalArgumentException("at least one topic is required");
    }
    if (!properties.containsKey(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG + " is required");
    }
    if (mode == Mode.GROUP && !properties.containsKey(ConsumerConfig.GROUP_ID_CONFIG)) {
      throw new IllegalArgumentException(ConsumerConfig.GROUP_ID_CONFIG + " is required in GROUP mode");
    }
    if (pollTimeout.isNegative() || pollTimeout.isZero()) {
      throw new IllegalArgumentException("pollTimeout must be positive, got " + pollTimeout);
    }
    if (commitInterval.isNegative()) {
      throw new IllegalArgumentException("commitInterval must not be negative, got " + commitInterval);
    }
  }

  /**
   * String keys and byte[] values, as on every GenStream topic, consumed as a member of
   * {@code groupId} from the earliest uncommitted offset.
   */
  public static ReceiverOptions<String, byte[]> forGroup(
      String bootstrapServers, String groupId, String... topics) {
    return forGroup(KafkaConnection.of(bootstrapServers), groupId, topics);
  }

  /**
   * {@link #forGroup(String, String, String...)} with the user's client properties of
   * {@code connection}. The group id and {@code enable.auto.commit=false} are essential (they
   * decide what is committed, and when); {@code auto.offset.reset=earliest} is a default.
   */
  public static ReceiverOptions<String, byte[]> forGroup(
      KafkaConnection connection, String groupId, String... topics) {
    Map<String, Object> props = connection.clientProperties(
        Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
        essentials(Map.of(ConsumerConfig.GROUP_ID_CONFIG, groupId)));
    return ReceiverOptions.<String, byte[]>defaults(props, List.of(topics), Mode.GROUP);
  }

  /**
   * Every partition of {@code topics} from the beginning, following new records, no group; with
   * fetch limits raised to {@link #LARGE_RECORD_FETCH_BYTES} so that registry-sized records
   * (models) can be read.
   */
  public static ReceiverOptions<String, byte[]> allFromBeginning(
      String bootstrapServers, String... topics) {
    return allFromBeginning(KafkaConnection.of(bootstrapServers), topics);
  }

  /**
   * {@link #allFromBeginning(String, String...)} with the user's client properties of
   * {@code connection}; the raised fetch limits are defaults (Kafka returns a record larger
   * than a fetch limit anyway, one at a time), auto-commit off is essential.
   */
  public static ReceiverOptions<String, byte[]> allFromBeginning(
      KafkaConnection connection, String... topics) {
    Map<String, Object> props = connection.clientProperties(
        Map.of(
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, LARGE_RECORD_FETCH_BYTES,
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 2 * LARGE_RECORD_FETCH_BYTES),
        essentials(Map.of()));
    // No group: a group.id among the user's properties is meant for the group consumers.
    KafkaConnection.withoutGroup(props);
    return ReceiverOptions.<String, byte[]>defaults(props, List.of(topics), Mode.ALL_FROM_BEGINNING);
  }

  /** Settings a user property may not change: offsets are committed by the receiver only. */
  private static Map<String, Object> essentials(Map<String, Object> more) {
    Map<String, Object> essentials = new HashMap<>(more);
    essentials.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    return essentials;
  }

  private static ReceiverOptions<String, byte[]> defaults(
      Map<String, Object> props, List<String> topics, Mode mode) {
    return new ReceiverOptions<>(props, topics, mode, new StringDeserializer(),
        new ByteArrayDeserializer(), Duration.ofMillis(100), Duration.ofMillis(200),
        p -> new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer()));
  }

  /** A copy with one more consumer property. */
  public ReceiverOptions<K, V> withProperty(String key, Object value) {
    Map<String, Object> copy = new HashMap<>(properties);
    copy.put(key, value);
    return new ReceiverOptions<>(copy, topics, mode, keyDeserializer, valueDeserializer,
        pollTimeout, commitInterval, consumerFactory);
  }

  /** A copy whose consumers come from {@code factory}. */
  public ReceiverOptions<K, V> withConsumerFactory(
      Function<Map<String, Object>, Consumer<K, V>> factory) {
    return new ReceiverOptions<>(properties, topics, mode, keyDeserializer, valueDeserializer,
        pollTimeout, commitInterval, factory);
  }

  public String bootstrapServers() {
    return String.valueOf(properties.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG));
  }

  /** Topics, mode and properties with secrets redacted ({@link KafkaConnection#redacted}). */
  @Override
  public String toString() {
    return "ReceiverOptions[topics=" + topics + ", mode=" + mode
        + ", properties=" + KafkaConnection.redacted(properties) + "]";
  }
}
