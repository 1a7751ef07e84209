package io.genstream.generator;

import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The one generation engine: requests in, images or typed errors out. The Kafka route
 * ({@link GeneratorService}) and the HTTP routes call the same {@link #generate}.
 *
 * <pre>
 * generate(request) ─► queue ─► bufferTimeout(maxBatchSize, maxBatchWait)
 *     ─► per model and version: lease, conditioning per request (variations: the image
 *        encoded by the version's encoder, {@link Variations}), packed ONNX Runtime calls
 *        of at most maxBatchSize images ─► split back per request
 *     ─► PNG / raw encoding on the encode threads (ResultEncoder) ─► Generation
 * </pre>
 *
 * <p><b>Micro-batching.</b> Requests queued together run as one ONNX Runtime call (or a few, of
 * at most {@link EngineOptions#maxBatchSize()} images), so a stream of single-image requests
 * costs one call per batch rather than one per request. A batch starts when it is full, when
 * {@link EngineOptions#maxBatchWait()} passed since its first request, or (when the inference
 * threads are busy) as soon as a thread frees up, with everything queued meanwhile. Images do
 * not depend on which requests shared their batch: a result is a function of model version and
 * conditioning only.
 *
 * <p><b>Errors</b> (the {@link Mono} fails with): {@link InvalidRequestException} — the request
 * itself is wrong (count over the limit, label out of range, …); its subclass
 * {@link UnknownModelException} — no such model or version; {@link ModelNotReadyException} and
 * {@link OverloadedException} — transient ({@link io.genstream.core.failure.Failures}): retry
 * later; anything else — an internal failure (the runtime failed on this input). Kafka
 * dead-letters the permanent ones and retries the transient ones; HTTP answers 400, 404, 503
 * and 500.
 *
 * <p><b>Threads.</b> Inference runs on {@link EngineOptions#inferenceThreads()} threads owned by
 * the engine (ONNX Runtime calls block), encoding on {@link EngineOptions#encodeThreads()}
 * others; {@link #generate} itself never blocks and may be called from any thread, event loops
 * included.
 *
 * <p><b>Memory.</b> At most {@link EngineOptions#maxQueuedImages()} images wait; beyond that a
 * request fails fast with {@link OverloadedException}. Nothing is kept per request after it
 * completes.
 *
 * <p><b>Ownership.</b> The engine does not own the registry. {@link #close()} refuses new
 * requests, lets queued ones finish (up to a few seconds) and stops its threads.
 */
public final class GenerationEngine implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GenerationEngine.class);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(5);

  private final ModelRegistry registry;
  private final EngineOptions options;
  private final EngineMetrics metrics;
  private final Scheduler inference;
  private final Scheduler encoding;
  private final Scheduler timer;
  private final ResultEncoder encoder;
  private final AtomicInteger queuedImages = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Sinks.Empty<Void> drained = Sinks.empty();
  private final Disposable batching;
  private volatile FluxSink<EngineJob> queue;

  /**
   * An engine serving from {@code registry} (which must be started by its owner), recording its
   * metrics in {@code meters}.
   */
  public GenerationEngine(ModelRegistry registry, EngineOptions options, MeterRegistry meters) {
    this.registry = registry;
    this.options = options;
    this.inference = Schedulers.newBoundedElastic(options.inferenceThreads(),
        Integer.MAX_VALUE, "genstream-inference", 60, true);
    this.encoding = Schedulers.newParallel("genstream-encode", options.encodeThreads(), true);
    this.timer = Schedulers.newSingle("genstream-batch-timer", true);
    this.metrics = new EngineMetrics(meters, queuedImages::get, registry);
    this.encoder = new ResultEncoder(encoding, options.encodeThreads(), metrics);
    // bufferTimeout with fair back-pressure: while every inference thread is busy, requests
    // gather into the next batch instead of being emitted one by one.
    this.batching = Flux.<EngineJob>create(sink -> this.queue = sink,
            FluxSink.OverflowStrategy.BUFFER)
        .bufferTimeout(options.maxBatchSize(), batchWait(options), timer, true)
        .flatMap(batch -> Mono.fromRunnable(() -> run(batch)).subscribeOn(inference),
            options.inferenceThreads())
        .subscribe(null,
            e -> log.error("generation engine stopped", e),
            () -> drained.tryEmitEmpty());
  }

  private static Duration batchWait(EngineOptions options) {
    // bufferTimeout needs a positive time span; a microsecond is "do not wait".
    return options.maxBatchWait().isZero() ? Duration.ofNanos(1_000) : options.maxBatchWait();
  }

  /** The options this engine runs with. */
  public EngineOptions options() {
    return options;
  }

  /** The registry it serves from. */
  public ModelRegistry registry() {
    return registry;
  }

  /** Images accepted and not yet running. */
  public int queuedImages() {
    return queuedImages.get();
  }

  /**
   * Generates the images of one request. Never blocks; the work starts at subscription.
   *
   * @return the request's images, or one of the errors in the class description
   */
  public Mono<Generation> generate(GenerationRequest request) {
    return Mono.create(sink -> submit(new EngineJob(request, sink)));
  }

  private void submit(EngineJob job) {
    int count = job.request.count();
    if (closed.get()) {
      job.sink.error(new IllegalStateException("generation engine is closed"));
      return;
    }
    if (count > options.maxCount()) {
      metrics.rejected("invalid");
      job.sink.error(new InvalidRequestException(
          "count must be 1.." + options.maxCount() + ", got " + count));
      return;
    }
    if (queuedImages.addAndGet(count) > options.maxQueuedImages()) {
      queuedImages.addAndGet(-count);
      metrics.rejected("overloaded");
      job.sink.error(new OverloadedException("generator overloaded: " + options.maxQueuedImages()
          + " images queued already; retry later"));
      return;
    }
    queue.next(job);
  }

  /** One buffered batch, on an inference thread: group by model and version, run each group. */
  private void run(List<EngineJob> batch) {
    for (EngineJob job : batch) {
      queuedImages.addAndGet(-job.request.count());
      metrics.waited(System.nanoTime() - job.queuedAtNanos);
    }
    Map<String, List<EngineJob>> byVersion = new LinkedHashMap<>();
    for (EngineJob job : batch) {
      byVersion.computeIfAbsent(job.request.model() + '\0' + job.request.version(),
          key -> new ArrayList<>()).add(job);
    }
    for (List<EngineJob> jobs : byVersion.values()) {
      GenerationRequest first = jobs.get(0).request;
      try (ModelLease lease = registry.acquire(first.model(), first.version())) {
        runOnVersion(lease, jobs);
      } catch (RuntimeException e) {
        jobs.forEach(job -> job.fail(e, metrics));
      }
    }
  }

  private void runOnVersion(ModelLease lease, List<EngineJob> jobs) {
    GenerativeModel model = lease.model();
    ModelManifest manifest = model.manifest();
    if (model instanceof FramePredictor) {
      // Checked before any conditioning, whose own errors (latentDim 0) would only confuse.
      InvalidRequestException refusal = FramePredictor.refusal(manifest);
      jobs.forEach(job -> job.fail(refusal, metrics));
      return;
    }
    List<EngineJob> ready = new ArrayList<>(jobs.size());
    for (EngineJob job : jobs) {
      try {
        job.prepare(conditioning(job.request, lease, manifest), manifest);
        ready.add(job);
      } catch (IllegalArgumentException e) {
        job.fail(e instanceof InvalidRequestException ? e : new InvalidRequestException(e.getMessage()),
            metrics);
      } catch (RuntimeException e) {
        // Variations run the version's encoder: its failures are this request's alone.
        job.fail(e, metrics);
      }
    }
    BatchPlan.pack(ready, options.maxBatchSize()).forEach(call -> infer(model, call));
    String provider = model.executionProvider().label();
    List<EngineJob> inferred = new ArrayList<>(ready.size());
    for (EngineJob job : ready) {
      if (!job.failed()) {
        inferred.add(job);
      }
    }
    encoder.encode(inferred, manifest, lease.version(), provider);
  }

  /** Blocks for a variations request (its image is encoded): inference threads only. */
  private static Conditioning conditioning(GenerationRequest request, ModelLease lease,
      ModelManifest manifest) {
    // A class name ("label": "cat") means what this version's training data called it.
    if (request.labelName() != null) {
      request = request.withLabel(manifest.labelOf(request.labelName()));
    }
    if (request.kind() == GenerationRequest.Kind.VARIATIONS) {
      return Variations.conditioning(request, lease);
    }
    return Conditioning.of(request, manifest);
  }

  /** One ONNX Runtime call for the slices of several requests. */
  private void infer(GenerativeModel model, BatchPlan.Call call) {
    long start = System.nanoTime();
    try {
      float[] images = model.generate(call.latents(), call.labels(), call.images());
      call.scatter(images);
      metrics.inferred(call.images(), System.nanoTime() - start);
    } catch (RuntimeException e) {
      log.warn("inference of {} images on {} failed: {}", call.images(), model, e.toString());
      call.jobs().forEach(job -> job.fail(
          e instanceof IllegalArgumentException && !(e instanceof InvalidRequestException)
              ? new InvalidRequestException(e.getMessage()) : e, metrics));
    }
  }

  /**
   * Refuses new requests, finishes the queued ones (up to 5 s), then stops the engine's
   * threads. Idempotent. Blocks: not from an event loop or Reactor thread.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    queue.complete();
    try {
      drained.asMono().block(DRAIN_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("generation engine did not drain within {}; stopping anyway", DRAIN_TIMEOUT);
    }
    batching.dispose();
    timer.dispose();
    inference.dispose();
    encoding.disposeGracefully().block(DRAIN_TIMEOUT);
    metrics.close();
  }
}
