package io.genstream.sinks;

import io.genstream.core.config.Topics;
import io.genstream.core.failure.Failures;
import io.genstream.core.kafka.KafkaConnection;
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
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * Feeds the results topic into one {@link ResultSink}: receive → decode → write → acknowledge.
 *
 * <p>A result's offset is committed only after the sink reports it durable. Failures are
 * classified once, by {@link Failures#isTransient} (see {@link ResultSink}): a transient write
 * failure is retried with exponential back-off and jitter (from
 * {@link Options#retryBackoff()} up to {@link Options#maxRetryBackoff()}) without
 * acknowledging; anything else, including a record that is not a valid result, is permanent:
 * one record on the dead-letter topic with the reason, then acknowledge and go on. So a poison
 * record never stalls its partition, and a sink that is down only delays it.
 *
 * <p>Owns its consumer (through the receiver), a producer for dead letters and a writer thread;
 * the sink belongs to the caller, who closes it after this service. {@link #start()} once;
 * {@link #close()} stops consuming (and any retry waiting for its back-off), waits up to ten
 * seconds for the write in progress and for the consumer's final commit, then closes the
 * producer; a result not yet acknowledged then comes again on the next start. A failure of
 * Kafka itself restarts the pipeline after a back-off (unacknowledged results are then
 * delivered again); any other failure of the pipeline (a dead letter the broker refuses for
 * good, no right to the topic, a bug) stops the service: {@link #completion()} errors with it,
 * so that the process can exit and be restarted by its supervisor instead of idling alive.
 */
public final class SinkService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SinkService.class);
  private static final String SERVICE = "genstream-sink";
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /**
   * @param kafka the cluster and the client settings of every client of the sink
   * @param groupId consumer group; sinks of different kinds use different groups
   * @param retryBackoff first wait before retrying a transient write failure (default 100 ms)
   * @param maxRetryBackoff longest wait between retries of one write (default 30 s)
   */
  public record Options(KafkaConnection kafka, Topics topics, String groupId,
      Duration retryBackoff, Duration maxRetryBackoff) {

    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(30);

    public Options {
      Objects.requireNonNull(kafka, "kafka");
      Objects.requireNonNull(topics, "topics");
      Objects.requireNonNull(groupId, "groupId");
      if (retryBackoff == null || retryBackoff.isNegative() || retryBackoff.isZero()) {
        throw new IllegalArgumentException("retryBackoff must be positive, got " + retryBackoff);
      }
      if (maxRetryBackoff == null || maxRetryBackoff.compareTo(retryBackoff) < 0) {
        throw new IllegalArgumentException("maxRetryBackoff must be at least retryBackoff ("
            + retryBackoff + "), got " + maxRetryBackoff);
      }
    }

    /** Options for a plaintext cluster without client properties. */
    public Options(String bootstrapServers, Topics topics, String groupId,
        Duration retryBackoff, Duration maxRetryBackoff) {
      this(KafkaConnection.of(bootstrapServers), topics, groupId, retryBackoff, maxRetryBackoff);
    }

    /** Options with the default retry back-off. */
    public Options(KafkaConnection kafka, Topics topics, String groupId) {
      this(kafka, topics, groupId, DEFAULT_RETRY_BACKOFF, DEFAULT_MAX_RETRY_BACKOFF);
    }

    /** Options with the default retry back-off, for a plaintext cluster. */
    public Options(String bootstrapServers, Topics topics, String groupId) {
      this(KafkaConnection.of(bootstrapServers), topics, groupId);
    }

    public String bootstrapServers() {
      return kafka.bootstrapServers();
    }
  }

  private final ResultSink sink;
  private final Options options;
  private final KafkaReceiver<String, byte[]> receiver;
  private final KafkaSender<String, byte[]> deadLetters;
  private final ExecutorService writer;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong retried = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Disposable pipeline = () -> {};
  private final Sinks.Empty<Void> stopped = Sinks.empty();

  public SinkService(ResultSink sink, Options options) {
    this.sink = sink;
    this.options = options;
    this.receiver = KafkaReceiver.create(ReceiverOptions.forGroup(
        options.kafka(), options.groupId(), options.topics().results()));
    this.deadLetters = KafkaSender.create(SenderOptions.defaults(options.kafka()));
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
            .filter(error -> Failures.isTransient(error) && !closed.get())
            .doBeforeRetry(signal -> log.warn("Sink '{}' pipeline failed, restarting: {}",
                sink.name(), signal.failure().toString())))
        .subscribe(null, error -> {
          if (!closed.get()) {
            log.error("Sink '{}' stopped", sink.name(), error);
          }
          stopped.tryEmitError(error);
        });
    return this;
  }

  /**
   * Completes when the service is closed; errors if its pipeline stopped for good on a failure
   * that is not transient (the error is also logged).
   */
  public Mono<Void> completion() {
    return stopped.asMono();
  }

  /** Results durably written so far. */
  public long written() {
    return written.get();
  }

  /** Records dead-lettered: not valid results, or results the sink failed to store for good. */
  public long deadLettered() {
    return deadLettered.get();
  }

  /** Transient write failures retried so far. */
  public long retried() {
    return retried.get();
  }

  private Mono<Void> handle(ReceivedRecord<String, byte[]> received) {
    GeneratedImage image;
    try {
      image = GeneratedImage.fromRecord(received.record());
    } catch (RuntimeException e) {
      return deadLetter(received, "not a valid result: " + e.getMessage());
    }
    return write(image)
        .doOnSuccess(done -> {
          written.incrementAndGet();
          received.acknowledge();
        })
        .onErrorResume(error -> !Failures.isTransient(error),
            error -> deadLetter(received, "sink '" + sink.name() + "' failed for good: " + reason(error)));
  }

  /**
   * Writes on the writer thread through a future, not {@code subscribeOn}: cancelling must never
   * interrupt a write, since an interrupt closes any {@code FileChannel} the sink is using.
   * Retries transient failures only, without limit on their number: the result is valid and
   * must not be lost, and the capped back-off keeps a dead sink from spinning.
   */
  private Mono<Void> write(GeneratedImage image) {
    return Mono.fromFuture(() -> CompletableFuture.runAsync(() -> sink.write(image).block(), writer), true)
        .onErrorMap(SinkService::unwrap)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, options.retryBackoff())
            .maxBackoff(options.maxRetryBackoff())
            .jitter(0.5)
            .filter(error -> Failures.isTransient(error) && !closed.get())
            .onRetryExhaustedThrow((spec, signal) -> signal.failure())
            .doBeforeRetry(signal -> {
              retried.incrementAndGet();
              log.warn("Sink '{}' failed to write {}-{} (attempt {}), retrying: {}",
                  sink.name(), image.requestId(), image.index(), signal.totalRetries() + 1,
                  signal.failure().toString());
            }));
  }

  /** The sink's own exception, out of the future's and {@code block()}'s wrappers. */
  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException
        || Exceptions.unwrap(t) != t) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String reason(Throwable error) {
    return error.getMessage() == null ? error.toString() : error.getMessage();
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
    stopped.tryEmitEmpty();
  }
}
