package io.genstream.generator.internal;

import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.RegistryOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
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
 * <p>The follower is one pipeline: end offsets at start (Admin client) → every record of the
 * topic from the beginning ({@link ReceiverOptions.Mode#ALL_FROM_BEGINNING}) → {@link #accept}
 * on the registry's own single thread, where parsing, SHA-256 checks and session loads happen
 * one at a time (so nothing blocks the consumer's thread, and a burst of versions cannot load
 * in parallel on cores that training shares). If the follower fails (broker gone), it starts
 * over from the beginning after a back-off; versions it already has are skipped.
 *
 * <p>During catch-up, versions are only recorded with their bytes (tombstones of old versions
 * come after the newer ones, so the peak is what the compacted topic holds); once caught up,
 * only the newest {@link RegistryOptions#retainedVersionsPerModel()} per model keep them, the
 * newest version of each model is loaded, then {@link #ready()} completes. After that a new version is
 * loaded first and added with its session, which is the atomic hot swap.
 *
 * <p>A tombstone (null value) removes its version, loaded or not; one for a version never seen
 * (compaction may keep a tombstone longer than the record it deleted) changes nothing.
 *
 * <p><b>Other graphs</b> of a version ({@code <model>/<version>/<graph>}, e.g. a VAE's
 * {@code encoder}) are kept with it, under the same bound: their SHA-256 is checked against the
 * manifest's {@link io.genstream.core.messages.ModelManifest#graphs() graphs} (a mismatch is an
 * invalid record), a graph the manifest does not declare is skipped with a log line (nothing
 * could check or use it), and their bytes are dropped with the version's. The trainer publishes
 * them <em>before</em> their version, so a graph read before its version is held in a
 * {@link PendingGraphs} (bounded per model like the retained versions, the oldest dropped with
 * a log line) and added together with the version, which therefore never becomes visible
 * without them. A graph's tombstone removes it from its version (or from the pending ones); the
 * trainer sends those before its version's. The encoder is loaded on the first
 * {@link ModelLease#encoder()} of a session, not by the follower.
 *
 * <p><b>Status records</b> ({@code <model>/status}, a {@link ModelStatus}) replace the model's
 * status in the catalog, which {@code best} resolves with; their tombstone clears it, and an
 * invalid one is skipped and counted like any invalid record.
 */
public final class KafkaModelRegistry implements ModelRegistry {

  private static final Logger log = LoggerFactory.getLogger(KafkaModelRegistry.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(15);

  private final RegistryOptions options;
  private final ModelLoader loader;
  private final ModelCatalog catalog;
  private final PendingGraphs pendingGraphs;
  private final Scheduler followerThread;
  private final Sinks.Empty<Void> ready = Sinks.empty();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicLong invalidRecords = new AtomicLong();
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
    this.followerThread = Schedulers.newSingle("genstream-registry", true);
  }

  @Override
  public ModelRegistry start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("model registry already started");
    }
    KafkaReceiver<String, byte[]> receiver = KafkaReceiver.create(
        ReceiverOptions.allFromBeginning(options.kafka(), options.modelsTopic()));
    following = Mono.fromCallable(this::offsetsAtStart)
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

  /** Records on the models topic that were skipped as invalid since start. */
  public long invalidRecords() {
    return invalidRecords.get();
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

  /** Earliest and end offsets of every partition of the models topic; blocks (follower thread). */
  private CatchUp offsetsAtStart() throws InterruptedException, ExecutionException, TimeoutException {
    String topic = options.modelsTopic();
    try (Admin admin = Admin.create(options.kafka().clientProperties(
        Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()),
        Map.of()))) {
      TopicDescription description;
      try {
        description = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          log.info("models topic {} does not exist yet: nothing to catch up on", topic);
          return new CatchUp(Map.of(), Map.of());
        }
        throw e;
      }
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      description.partitions().forEach(p -> {
        earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      });
      return new CatchUp(offsets(admin.listOffsets(earliest)), offsets(admin.listOffsets(latest)));
    }
  }

  private static Map<TopicPartition, Long> offsets(ListOffsetsResult result)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    result.all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }

  private void startCatchUp(CatchUp start) {
    catchUp = start;
    if (!caughtUp && catchUp.done()) {
      markCaughtUp();
    }
  }

  /** One models-topic record; never throws, since a bad record must not stop the follower. */
  private void accept(ReceivedRecord<String, byte[]> received) {
    ConsumerRecord<String, byte[]> record = received.record();
    try {
      if (ModelStatus.isStatusKey(record.key())) {
        acceptStatus(record);
        return;
      }
      PublishedModel.Key key = PublishedModel.Key.parse(record.key());
      if (!key.isGenerator()) {
        if (record.value() == null) {
          removeGraph(key);
        } else {
          addGraph(key, record.value());
        }
      } else if (record.value() == null) {
        removeVersion(key);
      } else {
        // Taken first, so that they go with an invalid version record too.
        Map<String, byte[]> graphs = pendingGraphs.take(key.model(), key.version());
        addVersion(PublishedModel.fromRecord(record), record.key(), graphs);
      }
    } catch (RuntimeException e) {
      invalidRecords.incrementAndGet();
      log.warn("skipping invalid model record {} ({}-{}@{}): {}", record.key(), record.topic(),
          record.partition(), record.offset(), e.getMessage());
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

  /** A status record: the model's promotion as its trainer last judged it. */
  private void acceptStatus(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      catalog.clearStatus(ModelStatus.modelOf(record.key()));
    } else {
      catalog.setStatus(ModelStatus.fromRecord(record)); // throws if invalid
    }
  }

  /** @param pending graphs of this version read before it */
  private void addVersion(PublishedModel model, String key, Map<String, byte[]> pending) {
    String expectedKey = PublishedModel.key(model.manifest());
    if (!expectedKey.equals(key)) {
      throw new IllegalArgumentException("record key '" + key + "' does not match its manifest ("
          + expectedKey + ")");
    }
    Map<String, byte[]> graphs = checkedGraphs(model, pending);
    if (catalog.contains(model.manifest().name(), model.manifest().version())) {
      catalog.add(model, graphs, null); // keeps only graphs it lacks
      return;
    }
    if (!caughtUp) {
      // Loaded lazily: of all the versions read at catch-up only the newest are needed.
      catalog.add(model, graphs, null);
      return;
    }
    GenerativeModel loaded;
    try {
      loaded = catalog.load(model);
    } catch (RuntimeException | OutOfMemoryError e) {
      catalog.addFailed(model, graphs, e);
      if (ModelCatalog.isPermanent(e)) {
        throw (RuntimeException) e; // an invalid record: counted and logged by accept
      }
      return; // listed; a request retries the load after the back-off
    }
    catalog.add(model, graphs, loaded);
  }

  /**
   * The pending graphs of a version that its manifest declares and whose bytes are right; each
   * other one is logged (and a wrong one counted as an invalid record) and left out.
   */
  private Map<String, byte[]> checkedGraphs(PublishedModel model, Map<String, byte[]> pending) {
    Map<String, byte[]> graphs = new HashMap<>();
    pending.forEach((graph, bytes) -> {
      try {
        if (checkGraph(model.manifest(), graph, bytes)) {
          graphs.put(graph, bytes);
        } else {
          skipUndeclared(new PublishedModel.Key(model.manifest().name(),
              model.manifest().version(), graph));
        }
      } catch (IllegalArgumentException e) {
        invalidRecords.incrementAndGet();
        log.warn("skipping invalid graph record: {}", e.getMessage());
      }
    });
    return graphs;
  }

  /**
   * Checks another graph's bytes against the version's manifest.
   *
   * @return true if the manifest declares the graph and the bytes are its; false if it does not
   *     declare it (nothing can check or use it: the caller skips it)
   * @throws IllegalArgumentException if their SHA-256 is not the one the manifest declares
   */
  static boolean checkGraph(ModelManifest manifest, String graph, byte[] bytes) {
    ModelManifest.GraphSpec spec = manifest.graphs().get(graph);
    if (spec == null) {
      return false;
    }
    String actual = PublishedModel.sha256(bytes);
    if (spec.sha256() != null && !spec.sha256().equals(actual)) {
      throw new IllegalArgumentException("graph " + new PublishedModel.Key(manifest.name(),
          manifest.version(), graph) + ": SHA-256 mismatch, manifest says " + spec.sha256()
          + ", bytes hash to " + actual);
    }
    return true;
  }

  /** A graph record: kept with its version if that is known, else held until it arrives. */
  private void addGraph(PublishedModel.Key key, byte[] bytes) {
    ModelManifest manifest = catalog.manifest(key.model(), key.version());
    if (manifest == null) {
      pendingGraphs.put(key, bytes);
      log.debug("graph {} read before its version: held until it arrives", key);
    } else if (!checkGraph(manifest, key.graph(), bytes)) { // throws if invalid
      skipUndeclared(key);
    } else {
      catalog.addGraph(key.model(), key.version(), key.graph(), bytes);
    }
  }

  private static void skipUndeclared(PublishedModel.Key key) {
    log.info("skipping graph record {}: its version's manifest declares no graph '{}'", key,
        key.graph());
  }

  private void removeGraph(PublishedModel.Key key) {
    if (!catalog.removeGraph(key.model(), key.version(), key.graph())) {
      pendingGraphs.remove(key);
    }
  }

  private void removeVersion(PublishedModel.Key key) {
    pendingGraphs.take(key.model(), key.version());
    catalog.remove(key.model(), key.version());
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
