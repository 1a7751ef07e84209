package io.genstream.core.kafka;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import reactor.core.publisher.Mono;

/**
 * Sends records through one {@code KafkaProducer}; thread-safe. The owner closes it, after which
 * sends fail.
 */
public interface KafkaSender<K, V> extends AutoCloseable {

  static <K, V> KafkaSender<K, V> create(SenderOptions<K, V> options) {
    return new io.genstream.core.kafka.internal.DefaultKafkaSender<>(options);
  }

  /**
   * Sends lazily on subscription; completes with the metadata once the broker acknowledged the
   * record ({@code acks=all}), or errors.
   */
  Mono<RecordMetadata> send(ProducerRecord<K, V> record);

  /** Flushes what is in flight and closes the producer. */
  @Override
  void close();
}
