package io.genstream.sinks;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Feeds the results topic into one {@link ResultSink}: receive → decode → write → acknowledge.
 *
 * <p>A result's offset is committed only after the sink reports it durable. A record that is not
 * a valid result goes to the dead-letter topic; a sink that fails to write (disk full, webhook
 * down) is retried with back-off rather than dead-lettered, because the result itself is fine.
 *
 * <p>Owns its consumer (through the receiver), a producer for dead letters and a writer thread;
 * the sink belongs to the caller, who closes it after this service. {@link #start()} once;
 * {@link #close()} stops consuming, waits for the write in progress and the consumer's final
 * commit, then closes the producer. A failure of Kafka itself restarts the pipeline after a
 * back-off (unacknowledged results are then delivered again).
 */
public final class SinkService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SinkService.class);
  private static final String SERVICE = "genstream-sink";
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** @param groupId consumer group; sinks of different kinds use different groups */
  public record Options(String bootstrapServers, Topics topics, String groupId) {
    public Options {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(topics, "topics");
      Objects.requireNonNull(groupId, "groupId");
    }
  }

  private final ResultSink sink;
  private final Options options;
  private final KafkaReceiver<String, byte[]> receiver;
  private final KafkaSender<String, byte[]> deadLetters;
  private final ExecutorService writer;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Disposable pipeline = () -> {};

  public SinkService(ResultSink sink, Options options) {
    this.sink = sink;
    this.options = options;
    this.receiver = KafkaReceiver.create(ReceiverOptions.forGroup(
        options.bootstrapServers(), options.groupId(), options.topics().results()));
    this.deadLetters = KafkaSender.create(SenderOptions.defaults(options.bootstrapServers()));
    this.writer = Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "genstream-sink-" + sink.name());
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Starts consuming; returns {@code this}. */
  public SinkService start() {
    log.info("Sink '{}' consuming {} as group {}", sink.name(), options.topics().results(),
        options.groupId());
    pipeline = receiver.receive()
        .concatMap(this::handle)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
            .maxBackoff(Duration.ofSeconds(30))
            .filter(error -> !closed.get())
            .doBeforeRetry(signal -> log.warn("Sink '{}' pipeline failed, restarting: {}",
                sink.name(), signal.failure().toString())))
        .subscribe(null, error -> {
          if (!closed.get()) {
            log.error("Sink '{}' stopped", sink.name(), error);
          }
        });
    return this;
  }

  /** Results durably written so far. */
  public long written() {
    return written.get();
  }

  /** Records that were not valid results. */
  public long deadLettered() {
    return deadLettered.get();
  }

  private Mono<Void> handle(ReceivedRecord<String, byte[]> received) {
    GeneratedImage image;
    try {
      image = GeneratedImage.fromRecord(received.record());
    } catch (RuntimeException e) {
      return deadLetter(received, "not a valid result: " + e.getMessage());
    }
    return write(image).doOnSuccess(done -> {
      written.incrementAndGet();
      received.acknowledge();
    });
  }

  /**
   * Writes on the writer thread through a future, not {@code subscribeOn}: cancelling must never
   * interrupt a write, since an interrupt closes any {@code FileChannel} the sink is using.
   */
  private Mono<Void> write(GeneratedImage image) {
    return Mono.fromFuture(() -> CompletableFuture.runAsync(() -> sink.write(image).block(), writer), true)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
            .maxBackoff(Duration.ofSeconds(5))
            .filter(error -> !closed.get())
            .doBeforeRetry(signal -> log.warn("Sink '{}' failed to write {}-{} (attempt {}): {}",
                sink.name(), image.requestId(), image.index(), signal.totalRetries() + 1,
                signal.failure().toString())));
  }

  private Mono<Void> deadLetter(ReceivedRecord<String, byte[]> received, String reason) {
    log.warn("Dead-lettering {}-{}@{}: {}", received.record().topic(),
        received.record().partition(), received.record().offset(), reason);
    return deadLetters
        .send(DeadLetter.of(received.record(), reason, options.topics().deadLetter(), SERVICE))
        .doOnSuccess(metadata -> {
          deadLettered.incrementAndGet();
          received.acknowledge();
        })
        .then();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    pipeline.dispose();
    try {
      receiver.whenClosed().block(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("Sink '{}': consumer not closed within {}", sink.name(), CLOSE_TIMEOUT);
    }
    writer.shutdown();
    try {
      if (!writer.awaitTermination(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        log.warn("Sink '{}': a write did not finish within {}", sink.name(), CLOSE_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deadLetters.close();
  }
}
