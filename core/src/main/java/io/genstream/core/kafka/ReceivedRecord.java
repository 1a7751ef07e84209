package io.genstream.core.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record handed downstream by a {@link KafkaReceiver}, with the handle that marks it done.
 *
 * <p>Call {@link #acknowledge()} once the record's effects are durable (written, produced and
 * acknowledged by the broker, …). It is thread-safe and idempotent.
 */
public interface ReceivedRecord<K, V> {

  ConsumerRecord<K, V> record();

  /** Marks this record fully processed; its offset becomes committable once its predecessors are. */
  void acknowledge();

  default K key() {
    return record().key();
  }

  default V value() {
    return record().value();
  }
}
