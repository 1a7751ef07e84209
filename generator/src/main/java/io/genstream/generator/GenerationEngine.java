package io.genstream.generator;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.LogSafe;
import io.genstream.core.messages.ModelManifest;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
import reactor.core.publisher.MonoSink;
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
 *     ─► PNG / raw encoding on the encode threads ─► Generation
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
  private final AtomicInteger queuedImages = new AtomicInteger();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Sinks.Empty<Void> drained = Sinks.empty();
  private final Disposable batching;
  private volatile FluxSink<Job> queue;

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
    // bufferTimeout with fair back-pressure: while every inference thread is busy, requests
    // gather into the next batch instead of being emitted one by one.
    this.batching = Flux.<Job>create(sink -> this.queue = sink, FluxSink.OverflowStrategy.BUFFER)
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
    return Mono.create(sink -> submit(new Job(request, sink)));
  }

  private void submit(Job job) {
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
  private void run(List<Job> batch) {
    for (Job job : batch) {
      queuedImages.addAndGet(-job.request.count());
      metrics.waited(System.nanoTime() - job.queuedAtNanos);
    }
    Map<String, List<Job>> byVersion = new LinkedHashMap<>();
    for (Job job : batch) {
      byVersion.computeIfAbsent(job.request.model() + '\0' + job.request.version(),
          key -> new ArrayList<>()).add(job);
    }
    for (List<Job> jobs : byVersion.values()) {
      GenerationRequest first = jobs.get(0).request;
      try (ModelLease lease = registry.acquire(first.model(), first.version())) {
        runOnVersion(lease, jobs);
      } catch (RuntimeException e) {
        jobs.forEach(job -> job.fail(e, metrics));
      }
    }
  }

  private void runOnVersion(ModelLease lease, List<Job> jobs) {
    GenerativeModel model = lease.model();
    ModelManifest manifest = model.manifest();
    if (model instanceof FramePredictor) {
      // Checked before any conditioning, whose own errors (latentDim 0) would only confuse.
      InvalidRequestException refusal = FramePredictor.refusal(manifest);
      jobs.forEach(job -> job.fail(refusal, metrics));
      return;
    }
    List<Job> ready = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
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
    List<Job> inferred = new ArrayList<>(ready.size());
    for (Job job : ready) {
      if (!job.failed()) {
        inferred.add(job);
      }
    }
    encode(inferred, manifest, lease.version(), provider);
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
   * Encodes the images of the batch's finished requests on the encode threads: the images, in
   * request and index order, are cut into one run per encode thread (fewer for a small batch),
   * each run one task. A request completes on the thread that encodes its last image. One task
   * per run rather than per image: a scheduler task and a Reactor pipeline per image
   * (subscribeOn, flatMapSequential, collectList) were a large part of the encode thread's
   * profile under single-image requests.
   */
  private void encode(List<Job> jobs, ModelManifest manifest, long version, String provider) {
    int total = 0;
    for (Job job : jobs) {
      total += job.request.count();
    }
    if (total == 0) {
      return;
    }
    EncodeRuns.Image[] images = new EncodeRuns.Image[total];
    int at = 0;
    for (Job job : jobs) {
      job.startEncoding();
      for (int i = 0; i < job.request.count(); i++) {
        images[at++] = new EncodeRuns.Image(job, i);
      }
    }
    for (EncodeRuns.Run run : EncodeRuns.split(images, options.encodeThreads())) {
      try {
        encoding.schedule(() -> encode(run, manifest, version, provider));
      } catch (RuntimeException e) { // RejectedExecutionException: the engine is closing
        run.forEach(image -> image.job().fail(e, metrics));
      }
    }
  }

  /** One run of images, on an encode thread. */
  private void encode(EncodeRuns.Run run, ModelManifest manifest, long version,
      String provider) {
    int pixels = manifest.channels() * manifest.height() * manifest.width();
    run.forEach(image -> {
      Job job = image.job();
      if (job.failed()) {
        return;
      }
      GenerationRequest request = job.request;
      int i = image.index();
      GeneratedImage result;
      try {
        ImageTensor tensor = ImageTensor.fromSymmetricUnit(job.output, i * pixels,
            manifest.channels(), manifest.height(), manifest.width());
        boolean raw = request.format() == GenerationRequest.Format.RAW;
        result = new GeneratedImage(request.requestId(), request.model(), version,
            request.seed(), i, request.count(), (int) job.conditioning.labels()[i],
            raw ? tensor.chw() : tensor.toPng(),
            raw ? GeneratedImage.RAW_CONTENT_TYPE : GeneratedImage.CONTENT_TYPE,
            tensor.shape(), provider);
      } catch (RuntimeException e) {
        job.fail(e, metrics);
        return;
      }
      if (job.encoded(i, result)) {
        metrics.served(request.count(), System.nanoTime() - job.queuedAtNanos);
        try {
          job.sink.success(new Generation(request, version, provider, job.images()));
        } catch (RuntimeException e) {
          // The subscriber's own failure: the rest of the run belongs to other requests.
          log.warn("request {} completed with a failing subscriber: {}",
              LogSafe.text(request.requestId()), e.toString());
        }
      }
    });
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

  /** One request on its way through the engine. */
  static final class Job {
    final GenerationRequest request;
    final MonoSink<Generation> sink;
    final long queuedAtNanos = System.nanoTime();
    Conditioning conditioning;
    float[] output;
    private final AtomicBoolean failed = new AtomicBoolean();
    /** Its encoded images, by index; written by the encode threads. */
    private GeneratedImage[] images;
    private AtomicInteger imagesLeft;

    Job(GenerationRequest request, MonoSink<Generation> sink) {
      this.request = request;
      this.sink = sink;
    }

    void prepare(Conditioning conditioning, ModelManifest manifest) {
      this.conditioning = conditioning;
      this.output = new float[conditioning.count() * manifest.channels() * manifest.height()
          * manifest.width()];
    }

    boolean failed() {
      return failed.get();
    }

    /** Fails the request once; later calls (another image's failure) do nothing. */
    void fail(Throwable e, EngineMetrics metrics) {
      if (failed.compareAndSet(false, true)) {
        metrics.failed(e);
        sink.error(e);
      }
    }

    /** Before its images are handed to the encode threads (which this publishes to). */
    void startEncoding() {
      images = new GeneratedImage[request.count()];
      imagesLeft = new AtomicInteger(request.count());
    }

    /** Stores image {@code i}; true for the call that stored the last one. */
    boolean encoded(int i, GeneratedImage image) {
      images[i] = image;
      // The decrement publishes this thread's writes to the thread that sees zero.
      return imagesLeft.decrementAndGet() == 0 && !failed();
    }

    List<GeneratedImage> images() {
      return Arrays.asList(images);
    }
  }
}
