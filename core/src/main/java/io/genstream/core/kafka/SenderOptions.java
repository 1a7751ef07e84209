package io.genstream.core.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** How a {@link KafkaSender} produces. */
public record SenderOptions<K, V>(
    Map<String, Object> properties, Serializer<K> keySerializer, Serializer<V> valueSerializer) {

  /** Large enough for a 32 MiB model plus record overhead. */
  public static final int MAX_REQUEST_SIZE = 33 * 1024 * 1024;

  public SenderOptions {
    properties = Map.copyOf(properties);
    Objects.requireNonNull(keySerializer, "keySerializer");
    Objects.requireNonNull(valueSerializer, "valueSerializer");
    if (!properties.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG + " is required");
    }
  }

  /** {@link #defaults(KafkaConnection)} for a plaintext cluster without client properties. */
  public static SenderOptions<String, byte[]> defaults(String bootstrapServers) {
    return defaults(KafkaConnection.of(bootstrapServers));
  }

  /**
   * String keys, byte[] values, {@code acks=all}, idempotent, room for model-sized records;
   * with the user's client properties of {@code connection}. {@code acks=all} and idempotence
   * are essential (a user value cannot turn them off; a service may, with
   * {@link #withProperty}): the services acknowledge their input once the output is sent, so
   * a send must be durable and not duplicated by a retry. Linger, request size and buffer
   * memory are defaults a user may tune.
   */
  public static SenderOptions<String, byte[]> defaults(KafkaConnection connection) {
    Map<String, Object> props = connection.clientProperties(
        Map.of(
            ProducerConfig.LINGER_MS_CONFIG, 5,
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_SIZE,
            ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024),
        Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
    return new SenderOptions<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  public SenderOptions<K, V> withProperty(String key, Object value) {
    Map<String, Object> copy = new HashMap<>(properties);
    copy.put(key, value);
    return new SenderOptions<>(copy, keySerializer, valueSerializer);
  }

  /** The properties with secrets redacted ({@link KafkaConnection#redacted}). */
  @Override
  public String toString() {
    return "SenderOptions[properties=" + KafkaConnection.redacted(properties) + "]";
  }
}
