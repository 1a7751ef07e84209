package io.genstream.generator;

import io.genstream.core.failure.Failures;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.messages.LogSafe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;

/**
 * The request service: generation requests in, one PNG result record per image out.
 *
 * <pre>
 * requests topic ─► parse ─► GenerationEngine (micro-batched ONNX Runtime, PNG/raw encoding)
 *                ─► publish results ─► acknowledge request
 *   any rejection ─► dead letter (with the reason) ─► acknowledge request
 * </pre>
 *
 * <ul>
 *   <li><b>Delivery.</b> At least once: a request is acknowledged only after the broker
 *       acknowledged all of its results (or its dead letter). A crash before that redelivers it
 *       to the group, so results can repeat; they are identical, since a result is a function of
 *       model version, seed and label, and a request without a seed or id gets them from its
 *       record's topic, partition and offset (see {@link Conditioning}).
 *   <li><b>Bad input</b> never stops the service: malformed JSON, invalid fields, unknown models
 *       or versions, labels or counts out of range become dead letters whose {@code ce_reason}
 *       names the value and the valid choices; so do requests or results over the limits in
 *       {@link GeneratorOptions}, and results that can never be published (too large for the
 *       results topic, no right to write it). Other broker failures restart the pipeline after a
 *       back-off (unacknowledged requests are then delivered again).
 *   <li><b>Reply topics</b> are what {@link ReplyTopicRule} allows: the results topic, and what
 *       the operator listed; never a topic of the pipeline. A refused one is dead-lettered with
 *       the rule.
 *   <li><b>Transient failures</b> ({@link io.genstream.core.failure.Failures}: the engine's queue
 *       full, memory pressure) make the request wait and retry, unacknowledged; they are never
 *       dead-lettered.
 *   <li><b>Waiting for a version</b> that cannot serve yet ({@code best} before any promotion, a
 *       load being retried) happens outside the in-flight slots ({@link WaitingRequests}), so
 *       everything else is served meanwhile: up to {@link GeneratorOptions#maxWaitingRequests()}
 *       requests wait, each at most {@link GeneratorOptions#maxWait()}, then are dead-lettered
 *       with the reason; one more than the room holds is dead-lettered at once.
 *   <li><b>Throughput.</b> Up to {@link GeneratorOptions#maxInFlightRequests()} requests are
 *       in flight at once, so that the engine can batch many single-image requests into one
 *       ONNX Runtime call while earlier results wait for the broker's acknowledgements.
 *   <li><b>Threads.</b> Inference and encoding run on the engine's threads; Kafka threads only
 *       route.
 *   <li><b>Logs</b> show request-derived text only through {@link LogSafe} (escaped, truncated).
 *   <li><b>Readiness.</b> Requests are not consumed before the model registry has caught up
 *       with the models topic (or its catch-up timeout passed).
 * </ul>
 *
 * <p><b>Lifecycle and ownership.</b> {@link #create} builds the registry, engine, receiver and
 * sender (the results' and dead letters' producer, in a {@link ResultPublisher}); the service
 * owns them all (the HTTP routes borrow {@link #engine()}). {@link #start()} once;
 * {@link #close()} stops consuming, lets running inferences finish (up to a few seconds),
 * flushes the producer, then closes the registry, whose sessions close as their last lease is
 * released.
 */
public final class GeneratorService implements AutoCloseable {

  /** The {@code ce_source} of every record this service writes. */
  public static final String SOURCE = "genstream-generator";

  private static final Logger log = LoggerFactory.getLogger(GeneratorService.class);
  private static final int DRAIN_TIMEOUT_SECONDS = 5;
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(DRAIN_TIMEOUT_SECONDS);
  private static final Duration ACTIVITY_LOG_INTERVAL = Duration.ofSeconds(30);

  private final GeneratorOptions options;
  private final ModelRegistry registry;
  private final KafkaReceiver<String, byte[]> receiver;
  private final ResultPublisher publisher;
  private final GenerationEngine engine;
  private final RequestAnswers answers;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Sinks.Empty<Void> stopped = Sinks.empty();
  private volatile Disposable pipeline = () -> {};
  private volatile Disposable activityLog = () -> {};
  private volatile WaitingRequests waiting = new WaitingRequests(0, Duration.ofMillis(1));

  private GeneratorService(GeneratorOptions options, ModelRegistry registry, MeterRegistry meters) {
    this.options = options;
    this.registry = registry;
    this.receiver = KafkaReceiver.create(ReceiverOptions.forGroup(
        options.kafka(), options.groupId(), options.topics().requests()));
    this.publisher = new ResultPublisher(options);
    this.engine = new GenerationEngine(registry, options.engine(), meters);
    this.answers = new RequestAnswers(options, engine, publisher, closed::get);
  }

  /** A service over a registry it creates (ONNX Runtime, {@code options.ortIntraOpThreads()}). */
  public static GeneratorService create(GeneratorOptions options) {
    return create(options, ModelLoader.onnxRuntime(options.ortIntraOpThreads()));
  }

  /** A service whose registry loads models with {@code loader} (a seam for tests and GPUs). */
  public static GeneratorService create(GeneratorOptions options, ModelLoader loader) {
    return create(options, loader, new SimpleMeterRegistry());
  }

  /**
   * A service whose registry loads models with {@code loader} and whose engine records its
   * metrics in {@code meters} (a Prometheus registry behind {@code /metrics}).
   */
  public static GeneratorService create(GeneratorOptions options, ModelLoader loader,
      MeterRegistry meters) {
    return new GeneratorService(options, ModelRegistry.create(options.registryOptions(), loader),
        meters);
  }

  /** Starts the registry and, once it is ready, consuming requests. Returns {@code this}. */
  public GeneratorService start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("generator service already started");
    }
    registry.start();
    pipeline = registry.ready()
        .onErrorResume(e -> Mono.empty())
        .thenMany(Flux.defer(this::run))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
            .maxBackoff(Duration.ofSeconds(10))
            .filter(e -> Failures.isTransient(e) && !closed.get())
            .doBeforeRetry(signal -> log.warn("generator pipeline failed, restarting: {}",
                signal.failure().toString(), signal.failure())))
        .subscribe(null, e -> {
          log.error("generator pipeline stopped", e);
          stopped.tryEmitError(e);
        });
    activityLog = Flux.interval(ACTIVITY_LOG_INTERVAL, ACTIVITY_LOG_INTERVAL)
        .map(tick -> stats())
        .scan((previous, now) -> {
          logActivity(previous, now);
          return now;
        })
        .subscribe();
    return this;
  }

  /**
   * One run of the pipeline: a consumer of the requests topic and the requests waiting outside
   * its in-flight slots, which end with it (a restart receives them again).
   */
  private Flux<Void> run() {
    return Flux.using(() -> new WaitingRequests(options.maxWaitingRequests(), options.maxWait()),
        waiting -> {
          this.waiting = waiting;
          return receiver.receive()
              .flatMap(received -> answers.serve(received, waiting),
                  options.maxInFlightRequests())
              .mergeWith(waiting.failures());
        },
        WaitingRequests::close);
  }

  /** One line per interval in which anything happened, instead of one per request. */
  private void logActivity(GeneratorStats before, GeneratorStats now) {
    long requests = now.requestsServed() - before.requestsServed();
    long images = now.imagesGenerated() - before.imagesGenerated();
    long dead = now.deadLettered() - before.deadLettered();
    if (requests > 0 || dead > 0) {
      double seconds = ACTIVITY_LOG_INTERVAL.toMillis() / 1000.0;
      log.info("served {} requests, {} images ({} images/s) in the last {} s; {} dead-lettered; "
              + "{} images queued; {} requests waiting for a model; models {}", requests, images,
          String.format("%.0f", images / seconds), (long) seconds, dead, engine.queuedImages(),
          waiting.size(), registry.versions());
    }
  }

  /**
   * Completes once the registry has caught up with the models topic (or its catch-up timeout
   * passed); consuming requests starts at that moment.
   */
  public Mono<Void> ready() {
    return registry.ready();
  }

  /** The engine this service serves with; the HTTP routes share it. */
  public GenerationEngine engine() {
    return engine;
  }

  /**
   * Completes when the service is closed; errors if its pipeline stopped for good on a failure
   * that is not transient (no right to a topic, a refused login, a bug), so that the process can
   * exit and be restarted instead of idling alive. Transient failures restart the pipeline.
   */
  public Mono<Void> completion() {
    return stopped.asMono();
  }

  /** The registry this service serves from (versions for a dashboard, health). */
  public ModelRegistry registry() {
    return registry;
  }

  public GeneratorStats stats() {
    return answers.stats();
  }


  /**
   * Stops consuming, waits up to {@value #DRAIN_TIMEOUT_SECONDS} s for running inferences,
   * flushes and closes the producer, then closes the registry. Idempotent. Blocks: do not call
   * it from a Reactor or event-loop thread.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    pipeline.dispose();
    activityLog.dispose();
    try {
      receiver.whenClosed().block(DRAIN_TIMEOUT); // its final commit, before the broker may go
    } catch (RuntimeException e) {
      log.warn("request consumer not closed within {}", DRAIN_TIMEOUT);
    }
    engine.close();
    publisher.close();
    registry.close();
    log.info("generator service closed: {}", stats());
    stopped.tryEmitEmpty();
  }
}
