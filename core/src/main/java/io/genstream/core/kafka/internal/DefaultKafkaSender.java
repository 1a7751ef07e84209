package io.genstream.core.kafka.internal;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@link KafkaSender} over one {@code KafkaProducer}.
 *
 * <p><b>Threads.</b> {@code producer.send} can block the calling thread for up to
 * {@code max.block.ms} (metadata of a topic new to the producer, a full buffer), and a blocked
 * caller that is interrupted fails the send with {@code InterruptException}. Reactor interrupts
 * scheduler threads when it cancels their tasks, so a send made from an inference or training
 * thread could fail for reasons that have nothing to do with Kafka. Every {@code producer.send}
 * therefore runs on one thread owned by this sender, in subscription order, and a caller never
 * blocks; the price of that order is that a send waiting for a new topic's metadata holds up
 * the sends behind it. Completions are delivered on a second thread owned by this sender, never on the
 * producer's I/O thread: a send chained from a completion ({@code send(a).then(send(b))}) would
 * otherwise wait there for metadata that only that thread can fetch. Completions run in order on
 * that one thread, so keep work after a send short or {@code publishOn} a scheduler of your own.
 *
 * <p>{@link #close()} hands every send already subscribed to the producer, flushes, then closes
 * the producer (at most {@link #CLOSE_TIMEOUT}) and both threads; sends subscribed to after that
 * fail with {@link IllegalStateException}.
 */
public final class DefaultKafkaSender<K, V> implements KafkaSender<K, V> {
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(DefaultKafkaSender.class);
  private static final AtomicInteger instances = new AtomicInteger();

  private final Producer<K, V> producer;
  private final ExecutorService sendThread;
  private final Scheduler callbacks;
  private final AtomicBoolean closed = new AtomicBoolean();

  public DefaultKafkaSender(SenderOptions<K, V> options) {
    this.producer = new KafkaProducer<>(
        options.properties(), options.keySerializer(), options.valueSerializer());
    String name = "genstream-sender-" + instances.incrementAndGet();
    this.sendThread = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    });
    this.callbacks = Schedulers.newSingle("genstream-sender-callbacks", true);
  }

  @Override
  public Mono<RecordMetadata> send(ProducerRecord<K, V> record) {
    return Mono.defer(() -> closed.get()
        ? Mono.error(closedError(record))
        : Mono.<RecordMetadata>create(sink -> {
              try {
                sendThread.execute(new HandOver(record, sink));
              } catch (RejectedExecutionException e) {
                sink.error(closedError(record)); // closed since the check above
              }
            })
            .publishOn(callbacks));
  }

  /** One record on its way to the producer; runs on the send thread. */
  private final class HandOver implements Runnable {
    private final ProducerRecord<K, V> record;
    private final MonoSink<RecordMetadata> sink;

    HandOver(ProducerRecord<K, V> record, MonoSink<RecordMetadata> sink) {
      this.record = record;
      this.sink = sink;
    }

    @Override
    public void run() {
      try {
        producer.send(record, (metadata, error) -> {
          if (error != null) {
            sink.error(error);
          } else {
            sink.success(metadata);
          }
        });
      } catch (RuntimeException e) {
        // Serialization, oversized record, max.block.ms passed, or a close racing with this send.
        sink.error(e);
      }
    }

    void failClosed() {
      sink.error(closedError(record));
    }
  }

  /** Waits for the send thread to finish its queue, even if this thread is interrupted. */
  private boolean awaitSendThread() {
    boolean interrupted = false;
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    try {
      while (true) {
        try {
          return sendThread.awaitTermination(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static IllegalStateException closedError(ProducerRecord<?, ?> record) {
    return new IllegalStateException("sender is closed; cannot send to " + record.topic());
  }

  /** Flushes and closes; idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      sendThread.shutdown();
      try {
        if (!awaitSendThread()) {
          // Stuck (a broker that does not answer): what never reached the producer fails now.
          List<Runnable> notSent = sendThread.shutdownNow();
          log.warn("{} sends not handed to the producer within {}; failing them", notSent.size(),
              CLOSE_TIMEOUT);
          notSent.forEach(task -> ((HandOver) task).failClosed());
        }
        producer.flush();
      } finally {
        producer.close(CLOSE_TIMEOUT);
        // Completions of the last sends may still be queued here: let them run, then stop.
        callbacks.disposeGracefully().timeout(CLOSE_TIMEOUT).onErrorComplete().subscribe();
      }
    }
  }
}
