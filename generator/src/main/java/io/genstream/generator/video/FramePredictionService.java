package io.genstream.generator.video;

import io.genstream.core.failure.Failures;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The prediction service: video frames in, predicted next frames out, per stream, judged online
 * against the frame that really came and against repeating the last frame.
 *
 * <pre>
 * frames topic ─► micro-batch (bufferTimeout) ─► PredictionStep on the inference thread:
 *     decode ─► stream windows (order rules) ─► score pending predictions ─► one ORT call per
 *     step for every stream with k frames ─► predictions + dead letters
 *   ─► publish (predictions topic, dead-letter topic) ─► acknowledge the batch's frames
 * every evaluationInterval and on close ─► evaluation event on the training topic
 * </pre>
 *
 * <ul>
 *   <li><b>State.</b> The last {@code k} frames of each stream live in memory only
 *       ({@link PredictorOptions#maxStreams()} streams, idle ones expire). After a restart or a
 *       rebalance a stream warms up again: its first prediction follows its {@code k}-th new
 *       frame.
 *   <li><b>Order.</b> A duplicate or older frame index is skipped and counted; a jump in
 *       indices (or in frame size) restarts the stream's window and drops its pending
 *       prediction: nothing is predicted or scored across a gap. Frames of one stream share a
 *       partition (keyed by stream id) and are processed in order.
 *   <li><b>Delivery.</b> At least once: frames are acknowledged after their batch's predictions
 *       and dead letters were acknowledged by the broker. Redelivered frames are duplicates to
 *       the windows that saw them, and start cold windows otherwise.
 *   <li><b>Bad frames</b> (not a PNG, wrong type or attributes, a size the model does not take)
 *       become dead letters with the reason; the stream's window is untouched.
 *   <li><b>No model yet</b> (or its load retrying): windows keep filling, nothing is published,
 *       nothing is dead-lettered. Each batch leases {@code latest}, so a new version takes over
 *       at the next batch.
 *   <li><b>Threads.</b> One dedicated inference thread ({@code genstream-predictor}) runs every
 *       batch in order; Kafka threads only route.
 * </ul>
 *
 * <p><b>Ownership.</b> The service owns its registry, receiver, sender and inference thread;
 * {@link #close()} stops consuming, waits for the running batch, publishes a last evaluation
 * event, then closes the sender, the registry and the thread.
 */
public final class FramePredictionService implements AutoCloseable {

  /** The {@code ce_source} of every record this service writes. */
  public static final String SOURCE = "genstream-predictor";

  private static final Logger log = LoggerFactory.getLogger(FramePredictionService.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration SCORE_LOG_INTERVAL = Duration.ofSeconds(30);

  private final PredictorOptions options;
  private final ModelRegistry registry;
  private final KafkaReceiver<String, byte[]> receiver;
  private final KafkaSender<String, byte[]> sender;
  private final Scheduler inference;
  private final StreamWindows windows;
  private final Evaluation evaluation;
  private final PredictionStep step;
  private final PredictorMetrics metrics;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Sinks.Empty<Void> stopped = Sinks.empty();
  private final AtomicLong lastPublishedFramesIn = new AtomicLong(-1);
  private volatile Disposable pipeline = () -> {};
  private volatile Disposable evaluations = () -> {};
  private volatile Disposable scoreLog = () -> {};

  private FramePredictionService(PredictorOptions options, ModelRegistry registry,
      PredictionListener listener, MeterRegistry meters) {
    this.options = options;
    this.metrics = new PredictorMetrics(meters);
    this.registry = registry;
    this.receiver = KafkaReceiver.create(ReceiverOptions.forGroup(options.kafka(),
        options.groupId(), options.topics().frames()));
    // Not idempotent, as in the generator: a record refused for good must not stall the rest.
    this.sender = KafkaSender.create(SenderOptions.defaults(options.kafka())
        .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false)
        .withProperty(ProducerConfig.LINGER_MS_CONFIG, 1));
    this.inference = Schedulers.newSingle("genstream-predictor");
    this.windows = new StreamWindows(options.maxStreams(), options.streamIdleTimeout(),
        System::nanoTime);
    this.evaluation = new Evaluation(options.model(), options.maxScoredVersions(),
        options.maxStreams());
    this.step = new PredictionStep(options, registry, windows, evaluation, listener, SOURCE);
  }

  /** A service on ONNX Runtime ({@code options.ortIntraOpThreads()}, CPU). */
  public static FramePredictionService create(PredictorOptions options) {
    return create(options, ModelLoader.onnxRuntime(options.ortIntraOpThreads()),
        new PredictionListener() {});
  }

  /** A service on ONNX Runtime (CPU) telling {@code listener} of every prediction and score. */
  public static FramePredictionService create(PredictorOptions options,
      PredictionListener listener) {
    return create(options, ModelLoader.onnxRuntime(options.ortIntraOpThreads()), listener);
  }

  /**
   * A service whose registry loads with {@code loader} (the GPU, tests), telling
   * {@code listener} of every prediction and score (see {@link PredictionListener}).
   */
  public static FramePredictionService create(PredictorOptions options, ModelLoader loader,
      PredictionListener listener) {
    return create(options, loader, listener, null);
  }

  /**
   * As {@link #create(PredictorOptions, ModelLoader, PredictionListener)}, recording the
   * predictor's timers ({@code genstream.predictor.batch}, {@code .batch.frames}, {@code
   * .publish}, {@code .frame.age}) in {@code meters} (null: nowhere).
   */
  public static FramePredictionService create(PredictorOptions options, ModelLoader loader,
      PredictionListener listener, MeterRegistry meters) {
    return new FramePredictionService(options,
        ModelRegistry.create(options.registryOptions(), loader), listener, meters);
  }

  /** Starts the registry and, once it caught up, consuming frames. Returns {@code this}. */
  public FramePredictionService start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("prediction service already started");
    }
    registry.start();
    pipeline = registry.ready()
        .onErrorResume(e -> Mono.empty())
        .thenMany(Flux.defer(receiver::receive))
        .bufferTimeout(options.maxBatchStreams(), batchWait(), true)
        // Prefetch 1: at most one batch waits behind the one being inferred or published, so
        // the frames in memory stay a few batches (the receiver pauses when demand stops).
        .concatMap(this::processBatch, 1)
        .concatMap(this::publishAndAcknowledge, 1)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
            .maxBackoff(Duration.ofSeconds(10))
            .filter(e -> Failures.isTransient(e) && !closed.get())
            .doBeforeRetry(signal -> log.warn("prediction pipeline failed, restarting: {}",
                signal.failure().toString(), signal.failure())))
        .subscribe(null, e -> {
          log.error("prediction pipeline stopped", e);
          stopped.tryEmitError(e);
        });
    evaluations = Flux.interval(options.evaluationInterval(), options.evaluationInterval())
        .concatMap(tick -> publishEvaluation(false).onErrorResume(e -> {
          log.warn("evaluation event not published: {}", e.toString());
          return Mono.empty();
        }))
        .subscribe();
    scoreLog = Flux.interval(SCORE_LOG_INTERVAL, SCORE_LOG_INTERVAL)
        .subscribe(tick -> log.info("{}", scores().summary()));
    log.info("predicting model {} from {} (group {}, horizon {}, at most {} streams)",
        options.model(), options.topics().frames(), options.groupId(), options.horizon(),
        options.maxStreams());
    return this;
  }

  /** bufferTimeout needs a positive wait; 0 means "do not wait" and rounds up to 1 ms. */
  private Duration batchWait() {
    return options.maxBatchWait().isZero() ? Duration.ofMillis(1) : options.maxBatchWait();
  }

  /** Completes once the registry caught up with the models topic (or its timeout passed). */
  public Mono<Void> ready() {
    return registry.ready();
  }

  /**
   * Completes when the service is closed; errors if its pipeline stopped for good on a failure
   * that is not transient (no right to a topic, a refused login, a bug), so that the process can
   * exit and be restarted instead of idling alive. Transient failures restart the pipeline.
   */
  public Mono<Void> completion() {
    return stopped.asMono();
  }

  /** The registry this service predicts from (versions for a dashboard, health). */
  public ModelRegistry registry() {
    return registry;
  }

  /**
   * The running scores (per version and per stream, the model always beside copy-last) and
   * counters, as of now. Thread-safe, cheap.
   */
  public PredictionScores scores() {
    return evaluation.snapshot(windows.size(), windows.pendingHeld(), windows.evicted(),
        windows.expired());
  }

  private record Batch(List<ReceivedRecord<String, byte[]>> received,
      PredictionStep.Output output) {}

  private Mono<Batch> processBatch(List<ReceivedRecord<String, byte[]>> received) {
    return Mono.fromCallable(() -> {
      long start = System.nanoTime();
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>(received.size());
      received.forEach(r -> records.add(r.record()));
      Batch batch = new Batch(received, step.process(records));
      metrics.batched(records.size(), System.nanoTime() - start);
      return batch;
    }).subscribeOn(inference);
  }

  /**
   * Sends the batch's predictions and dead letters; acknowledges its frames once the broker
   * acknowledged them all. A record that can never be published (too large, no right to write)
   * is logged and skipped; other send failures restart the pipeline without acknowledging.
   */
  private Mono<Void> publishAndAcknowledge(Batch batch) {
    List<ProducerRecord<String, byte[]>> all = new ArrayList<>(batch.output().predictions());
    all.addAll(batch.output().deadLetters());
    long start = System.nanoTime();
    return Flux.fromIterable(all)
        .flatMap(record -> sender.send(record)
            .onErrorResume(Failures::isUnpublishable, e -> {
              log.warn("record for {} cannot be published, skipped: {}", record.topic(),
                  e.toString());
              return Mono.empty();
            }))
        .then(Mono.fromRunnable(() -> {
          metrics.published(System.nanoTime() - start);
          long now = System.currentTimeMillis();
          for (ReceivedRecord<String, byte[]> received : batch.received()) {
            metrics.frameDone(received.record().timestamp(), now);
            received.acknowledge();
          }
        }));
  }

  /** Sends the evaluation event if anything was scored since the last one (or {@code always}). */
  private Mono<Void> publishEvaluation(boolean always) {
    PredictionScores scores = scores();
    if (scores.framesScored() == 0
        || (!always && lastPublishedFramesIn.getAndSet(scores.framesIn()) == scores.framesIn())) {
      return Mono.empty();
    }
    return sender.send(Evaluation.event(scores, options.topics().training(), SOURCE,
        Instant.now())).then();
  }

  /**
   * Stops consuming, waits for the running batch and the consumer's last commit, publishes a
   * last evaluation event, then closes the sender, the registry and the inference thread.
   * Idempotent. Blocks: not from a Reactor or event-loop thread.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    pipeline.dispose();
    evaluations.dispose();
    scoreLog.dispose();
    try {
      receiver.whenClosed().block(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("frame consumer not closed within {}", CLOSE_TIMEOUT);
    }
    // The running batch (if any) finishes on the inference thread before this task runs.
    try {
      Mono.fromRunnable(() -> {}).subscribeOn(inference).block(CLOSE_TIMEOUT);
      publishEvaluation(true).block(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("last evaluation event not published: {}", e.toString());
    }
    sender.close();
    registry.close();
    inference.dispose();
    log.info("prediction service closed: {}", scores().summary());
    stopped.tryEmitEmpty();
  }
}
