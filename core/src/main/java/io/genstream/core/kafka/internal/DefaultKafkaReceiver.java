package io.genstream.core.kafka.internal;

import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import reactor.core.publisher.Flux;

/** PLACEHOLDER: being written. */
public final class DefaultKafkaReceiver<K, V> implements KafkaReceiver<K, V> {
  private final ReceiverOptions<K, V> options;

  public DefaultKafkaReceiver(ReceiverOptions<K, V> options) {
    this.options = options;
  }

  @Override
  public Flux<ReceivedRecord<K, V>> receive() {
    return Flux.error(new UnsupportedOperationException("not yet written: " + options.topics()));
  }
}
