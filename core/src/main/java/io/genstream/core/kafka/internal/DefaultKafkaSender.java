package io.genstream.core.kafka.internal;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@link KafkaSender} over one {@code KafkaProducer}, which is thread-safe: any thread may send.
 *
 * <p>{@link #send} completes on a callback thread owned by this sender, never on the producer's
 * I/O thread: a send chained from a completion ({@code send(a).then(send(b))}) would otherwise
 * call {@code producer.send} on the I/O thread itself, which then blocks for up to
 * {@code max.block.ms} waiting for metadata that only it can fetch. Callbacks run in order on
 * that one thread, so keep work after a send short or {@code publishOn} a scheduler of your own.
 * {@link #close()} flushes, then closes the producer (at most {@link #CLOSE_TIMEOUT}) and the
 * callback thread; sends subscribed to after that fail with {@link IllegalStateException}.
 */
public final class DefaultKafkaSender<K, V> implements KafkaSender<K, V> {
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final Producer<K, V> producer;
  private final Scheduler callbacks;
  private final AtomicBoolean closed = new AtomicBoolean();

  public DefaultKafkaSender(SenderOptions<K, V> options) {
    this.producer = new KafkaProducer<>(
        options.properties(), options.keySerializer(), options.valueSerializer());
    this.callbacks = Schedulers.newSingle("genstream-sender-callbacks", true);
  }

  @Override
  public Mono<RecordMetadata> send(ProducerRecord<K, V> record) {
    return Mono.defer(() -> closed.get()
        ? Mono.error(new IllegalStateException("sender is closed; cannot send to " + record.topic()))
        : Mono.<RecordMetadata>create(sink -> {
              try {
                producer.send(record, (metadata, error) -> {
                  if (error != null) {
                    sink.error(error);
                  } else {
                    sink.success(metadata);
                  }
                });
              } catch (RuntimeException e) {
                // Serialization, oversized record, or a close racing with this send.
                sink.error(e);
              }
            })
            .publishOn(callbacks));
  }

  /** Flushes and closes; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        producer.flush();
      } finally {
        producer.close(CLOSE_TIMEOUT);
        // Completions of the last sends may still be queued here: let them run, then stop.
        callbacks.disposeGracefully().timeout(CLOSE_TIMEOUT).onErrorComplete().subscribe();
      }
    }
  }
}
