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

  /** String keys, byte[] values, {@code acks=all}, idempotent, room for model-sized records. */
  public static SenderOptions<String, byte[]> defaults(String bootstrapServers) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_SIZE);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024);
    return new SenderOptions<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  public SenderOptions<K, V> withProperty(String key, Object value) {
    Map<String, Object> copy = new HashMap<>(properties);
    copy.put(key, value);
    return new SenderOptions<>(copy, keySerializer, valueSerializer);
  }
}
