package io.genstream.generator.internal;

import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.messages.ModelStatus;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.RegistryOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * A {@link ModelRegistry} fed by a follower of the models topic.
 *
 * <p>The follower is one pipeline: end offsets at start ({@link TopicOffsets}) → every record
 * of the topic from the beginning ({@link ReceiverOptions.Mode#ALL_FROM_BEGINNING}) →
 * {@link #accept} on the registry's own single thread, where parsing, SHA-256 checks and session
 * loads happen one at a time (so nothing blocks the consumer's thread, and a burst of versions
 * cannot load in parallel on cores that training shares). If the follower fails (broker gone), it starts
 * over from the beginning after a back-off; versions it already has are skipped.
 *
 * <p>During catch-up, versions are only recorded with their bytes (tombstones of old versions
 * come after the newer ones, so the peak is what the compacted topic holds); once caught up,
 * only the newest {@link RegistryOptions#retainedVersionsPerModel()} per model keep them, the
 * newest version of each model is loaded, then {@link #ready()} completes. After that a new
 * version is loaded first and added with its session, which is the atomic hot swap.
 *
 * <p>What each record does to the catalog (versions, their other graphs, statuses, tombstones,
 * invalid records) is {@link ModelRecords}'s job; a graph read before its version waits in a
 * {@link PendingGraphs}, bounded per model like the retained versions.
 */
public final class KafkaModelRegistry implements ModelRegistry {

  private static final Logger log = LoggerFactory.getLogger(KafkaModelRegistry.class);

  private final RegistryOptions options;
  private final ModelLoader loader;
  private final ModelCatalog catalog;
  private final PendingGraphs pendingGraphs;
  private final ModelRecords records;
  private final Scheduler followerThread;
  private final Sinks.Empty<Void> ready = Sinks.empty();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Disposable following = () -> {};
  private volatile Disposable catchUpTimeout = () -> {};
  // Written and read on followerThread only.
  private CatchUp catchUp;
  private volatile boolean caughtUp;

  public KafkaModelRegistry(RegistryOptions options, ModelLoader loader) {
    this.options = options;
    this.loader = loader;
    this.catalog = new ModelCatalog(loader, options.openSessionsPerModel(),
        options.retainedVersionsPerModel());
    catalog.deferRetention();
    this.pendingGraphs = new PendingGraphs(options.retainedVersionsPerModel());
    this.records = new ModelRecords(catalog, pendingGraphs, () -> caughtUp);
    this.followerThread = Schedulers.newSingle("genstream-registry", true);
  }

  @Override
  public ModelRegistry start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("model registry already started");
    }
    KafkaReceiver<String, byte[]> receiver = KafkaReceiver.create(
        ReceiverOptions.allFromBeginning(options.kafka(), options.modelsTopic()));
    following = Mono
        .fromCallable(() -> TopicOffsets.atStart(options.kafka(), options.modelsTopic()))
        .subscribeOn(followerThread)
        .doOnNext(this::startCatchUp)
        .flatMapMany(offsets -> receiver.receive())
        // Prefetch 1: model records can be tens of MB each; buffer as few as possible.
        .publishOn(followerThread, 1)
        .doOnNext(this::accept)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
            .maxBackoff(Duration.ofSeconds(10))
            .doBeforeRetry(signal -> log.warn("model registry follower failed, restarting: {}",
                signal.failure().toString())))
        .subscribe(null, e -> log.error("model registry follower stopped", e));
    catchUpTimeout = Mono.delay(options.catchUpTimeout(), followerThread)
        .subscribe(tick -> {
          if (!caughtUp) {
            log.warn("model registry did not reach the end of {} within {} ({}); serving what it has",
                options.modelsTopic(), options.catchUpTimeout(), catchUp);
            markCaughtUp();
          }
        });
    return this;
  }

  @Override
  public Mono<Void> ready() {
    return ready.asMono();
  }

  @Override
  public ModelLease acquire(String model, String version) {
    return catalog.acquire(model, version);
  }

  @Override
  public ModelLoader.ExecutionProvider executionProvider() {
    return loader.executionProvider();
  }

  @Override
  public List<VersionInfo> describe(String model) {
    return catalog.describe(model);
  }

  @Override
  public Map<String, List<Long>> versions() {
    return catalog.versions();
  }

  @Override
  public ModelStatus status(String model) {
    return catalog.status(model);
  }

  /** Records on the models topic skipped since start as not the pipeline's (wrong ce_type). */
  public long foreignRecords() {
    return records.foreignRecords();
  }

  /** Records on the models topic that were skipped as invalid since start. */
  public long invalidRecords() {
    return records.invalidRecords();
  }

  /**
   * ONNX bytes held on the heap right now, all versions and their other graphs together, the
   * graphs still waiting for their version included; bounded by
   * {@link RegistryOptions#retainedVersionsPerModel()} versions per model.
   */
  public long retainedBytes() {
    return catalog.retainedBytes() + pendingGraphs.bytes();
  }

  /** Other graphs (encoders) whose bytes are held with their version right now. */
  public int retainedGraphs() {
    return catalog.retainedGraphs();
  }

  /** Graphs read before their version and held until it arrives, right now. */
  public int pendingGraphs() {
    return pendingGraphs.size();
  }

  /** Versions whose ONNX bytes are held right now, all models together. */
  public int retainedVersions() {
    return catalog.retainedVersions();
  }

  /** Sessions open for {@code model} right now. */
  public int openSessions(String model) {
    return catalog.openSessions(model);
  }

  /**
   * Stops the follower (closing its consumer), then releases the sessions: each closes now, or
   * when the last lease on it is closed. The follower's thread is disposed last, after any load
   * it was running has been handed to the (closed) catalog, which closes it.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    following.dispose();
    catchUpTimeout.dispose();
    catalog.close();
    followerThread.dispose();
    ready.tryEmitError(new IllegalStateException("model registry closed before it caught up"));
  }

  private void startCatchUp(CatchUp start) {
    catchUp = start;
    if (!caughtUp && catchUp.done()) {
      markCaughtUp();
    }
  }

  /** One models-topic record: {@link ModelRecords#apply} (never throws), then acknowledged. */
  private void accept(ReceivedRecord<String, byte[]> received) {
    ConsumerRecord<String, byte[]> record = received.record();
    try {
      records.apply(record);
    } finally {
      received.acknowledge();
      if (!caughtUp && catchUp != null) {
        catchUp.processed(new TopicPartition(record.topic(), record.partition()), record.offset());
        if (catchUp.done()) {
          markCaughtUp();
        }
      }
    }
  }

  /** Loads the newest version of every model, then lets requests in. Follower thread. */
  private void markCaughtUp() {
    caughtUp = true;
    catalog.applyRetention();
    catalog.warmAll();
    Map<String, List<Long>> versions = catalog.versions();
    log.info("model registry caught up with {}: {}", options.modelsTopic(), versions);
    ready.tryEmitEmpty();
  }
}
