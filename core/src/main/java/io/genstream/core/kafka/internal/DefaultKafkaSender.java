package io.genstream.core.kafka.internal;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import reactor.core.publisher.Mono;

/** PLACEHOLDER: being written. */
public final class DefaultKafkaSender<K, V> implements KafkaSender<K, V> {
  public DefaultKafkaSender(SenderOptions<K, V> options) {}

  @Override
  public Mono<RecordMetadata> send(ProducerRecord<K, V> record) {
    return Mono.error(new UnsupportedOperationException("not yet written"));
  }

  @Override
  public void close() {}
}
