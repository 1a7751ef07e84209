package io.genstream.generator.internal;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.BestVersion;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ImageEncoder;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.RegistryOptions;
import io.genstream.generator.UnknownModelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions a registry knows, their bytes, and the reference-counted sessions open for some
 * of them. No Kafka here: the follower feeds it, the service leases from it. Each version is a
 * {@link VersionEntry} (its bytes, its {@link Session}, its {@link LoadRetry}); leases are
 * {@link Lease}s on sessions. This class keeps the versions per model; {@link VersionResolver}
 * resolves what a request asks for ({@code latest}, {@code best}, a number) to a lease.
 *
 * <p><b>Bounded memory</b> ({@link CatalogBounds}): only the newest
 * {@code retainedVersionsPerModel} versions of each model keep their ONNX bytes (an older one
 * stays listed and serves while a session is open for it), and at most
 * {@code openSessionsPerModel} sessions are open. An encoder is part of its version's session,
 * loaded on the first lease that asks for it and closed with the session.
 *
 * <p><b>Load failures</b> are classified once, by {@link LoadRetry#isPermanent}: an invalid model
 * is remembered for good and its bytes dropped; anything else is retried on a request once a
 * back-off has passed, and serves as soon as a retry succeeds.
 *
 * <p><b>Reference counting.</b> Each open session starts with one reference, held by the
 * catalog. A lease takes another ({@link Session#tryRetain()} fails once the count has reached
 * zero, so a closed session is never handed out). Evicting a session removes it from its entry
 * first, then drops the catalog's reference; whoever drops the count to zero closes the model.
 *
 * <p><b>Promotion.</b> The latest {@link ModelStatus} of each model ({@link ModelStatuses})
 * names the version {@code best} leases ({@link BestVersion#resolve}).
 *
 * <p><b>Locks.</b> Loading a version happens under that version's entry lock (so it is loaded
 * once however many requests ask at the same moment). Eviction takes the model's lock, then
 * entry locks; the lease path never takes the model lock while holding an entry lock, so the
 * order is always model, then entry.
 */
final class ModelCatalog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

  private final ModelLoader loader;
  private final Map<String, ConcurrentSkipListMap<Long, VersionEntry>> models =
      new ConcurrentHashMap<>();
  private final CatalogBounds bounds;
  private final ModelStatuses statuses = new ModelStatuses(this::hasVersions);
  private final VersionResolver resolver = new VersionResolver(models, statuses);
  private final AtomicLong useClock = new AtomicLong();
  private final LongSupplier nanoClock;
  private volatile boolean closed;

  ModelCatalog(ModelLoader loader, int openSessionsPerModel) {
    this(loader, openSessionsPerModel, RegistryOptions.DEFAULT_RETAINED_VERSIONS);
  }

  ModelCatalog(ModelLoader loader, int openSessionsPerModel, int retainedVersionsPerModel) {
    this(loader, openSessionsPerModel, retainedVersionsPerModel, System::nanoTime);
  }

  /** @param nanoClock {@link System#nanoTime()} or a test's clock, for the retry back-off */
  ModelCatalog(ModelLoader loader, int openSessionsPerModel, int retainedVersionsPerModel,
      LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.loader = loader;
    this.bounds = new CatalogBounds(models, openSessionsPerModel, retainedVersionsPerModel);
  }

  /** {@link #add(PublishedModel, Map, GenerativeModel)} without other graphs. */
  void add(PublishedModel model, GenerativeModel preloaded) {
    add(model, Map.of(), preloaded);
  }

  /**
   * Adds a version with the bytes of its other graphs received so far. With a {@code preloaded}
   * model the version becomes visible together with its open session (the hot-swap path:
   * {@code latest} flips only once the session exists); without, it is loaded on first use. A
   * version already known is left as it is (the follower re-reads the topic after a reconnect)
   * but for graphs it lacks, and {@code preloaded} is closed.
   *
   * @param graphs by graph name, each {@link ModelRecords#checkGraph checked} against
   *     the manifest
   */
  void add(PublishedModel model, Map<String, byte[]> graphs, GenerativeModel preloaded) {
    if (closed) {
      closeQuietly(preloaded);
      return;
    }
    String name = model.manifest().name();
    long version = model.manifest().version();
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
    VersionEntry entry = new VersionEntry(this, model, graphs, preloaded);
    VersionEntry existing = versions.putIfAbsent(version, entry);
    if (existing != null) {
      graphs.forEach(existing::addGraph);
      closeQuietly(preloaded);
      return;
    }
    if (closed) {
      entry.evict(); // lost a race with close(): nobody else will
      return;
    }
    bounds.versionAdded(name, versions);
    if (preloaded != null) {
      entry.touch();
      evictBeyondBound(name);
    }
  }

  /**
   * Adds a version whose load just failed: for good if the failure {@link #isPermanent is
   * permanent} (asking for it names the failure), else to be retried on a request after the
   * back-off. A version already known is left as it is.
   */
  void addFailed(PublishedModel model, Throwable failure) {
    addFailed(model, Map.of(), failure);
  }

  /** {@link #addFailed(PublishedModel, Throwable)} with the bytes of its other graphs. */
  void addFailed(PublishedModel model, Map<String, byte[]> graphs, Throwable failure) {
    String name = model.manifest().name();
    VersionEntry entry = new VersionEntry(this, model, graphs, null);
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
    if (versions.putIfAbsent(model.manifest().version(), entry) == null) {
      synchronized (entry) {
        entry.failed(failure);
      }
      bounds.versionAdded(name, versions);
    }
  }

  /** Whether a failed load can never succeed: {@link LoadRetry#isPermanent}. */
  static boolean isPermanent(Throwable loadFailure) {
    return LoadRetry.isPermanent(loadFailure);
  }

  /** Forgets a version (a tombstone); its session closes once unused. */
  void remove(String name, long version) {
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.get(name);
    VersionEntry entry = versions == null ? null : versions.remove(version);
    if (entry != null) {
      entry.remove();
      log.info("model {} version {} removed from the registry", name, version);
    }
  }

  /**
   * Keeps another graph of a known version ({@link ModelRecords#checkGraph checked}
   * already). It is dropped at once if the version's own bytes are (its graphs are kept exactly
   * as long).
   *
   * @return false if the version is unknown (its record has not arrived, or was removed)
   */
  boolean addGraph(String name, long version, String graph, byte[] bytes) {
    VersionEntry entry = entry(name, version);
    if (entry == null) {
      return false;
    }
    if (!entry.addGraph(graph, bytes)) {
      log.debug("model {} version {}: graph {} not retained (the version's bytes are not)",
          name, version, graph);
    }
    return true;
  }

  /**
   * Forgets another graph of a version (its tombstone).
   *
   * @return false if the version is unknown
   */
  boolean removeGraph(String name, long version, String graph) {
    VersionEntry entry = entry(name, version);
    if (entry == null) {
      return false;
    }
    entry.removeGraph(graph);
    log.info("model {} version {}: graph {} removed from the registry", name, version, graph);
    return true;
  }

  /**
   * Replaces the status of its model ({@link ModelStatuses#set}).
   *
   * @return false if it was not kept
   */
  boolean setStatus(ModelStatus status) {
    return statuses.set(status);
  }

  /** Forgets the status of {@code name} (its tombstone): {@code best} names nothing again. */
  void clearStatus(String name) {
    statuses.clear(name);
  }

  /** The latest status of {@code name}, or null. */
  ModelStatus status(String name) {
    return statuses.get(name);
  }

  private boolean hasVersions(String name) {
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.get(name);
    return versions != null && !versions.isEmpty();
  }

  /** The manifest of a known version, or null. */
  ModelManifest manifest(String name, long version) {
    VersionEntry entry = entry(name, version);
    return entry == null ? null : entry.manifest;
  }

  private VersionEntry entry(String name, long version) {
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.get(name);
    return versions == null ? null : versions.get(version);
  }

  /** Whether the version is known (loaded or not). */
  boolean contains(String name, long version) {
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.get(name);
    return versions != null && versions.containsKey(version);
  }

  /** Opens a session for the newest loadable version of every model (after catch-up). */
  void warmAll() {
    for (String name : models.keySet()) {
      try (ModelLease lease = acquire(name, "latest")) {
        log.debug("model {} warm at version {}", name, lease.version());
      } catch (UnknownModelException | ModelNotReadyException e) {
        log.warn("{}", e.getMessage()); // requests for it wait (not ready) or are refused
      }
    }
  }

  /**
   * A lease on the version of {@code name} that {@code version} ({@code latest}, {@code best} or
   * a number) names: {@link VersionResolver#lease}.
   *
   * @throws IllegalStateException once the catalog is closed
   */
  ModelLease acquire(String name, String version) {
    if (closed) {
      throw new IllegalStateException("model registry is closed");
    }
    return resolver.lease(name, version);
  }

  Map<String, List<Long>> versions() {
    Map<String, List<Long>> snapshot = new TreeMap<>();
    models.forEach((name, versions) -> {
      if (!versions.isEmpty()) {
        snapshot.put(name, List.copyOf(versions.keySet()));
      }
    });
    return snapshot;
  }

  /** Every version of {@code name}, ascending, with its status; empty for an unknown model. */
  List<ModelRegistry.VersionInfo> describe(String name) {
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.get(name);
    List<ModelRegistry.VersionInfo> infos = new ArrayList<>();
    if (versions != null) {
      versions.values().forEach(entry -> infos.add(entry.info()));
    }
    return infos;
  }

  /** Number of sessions currently open for {@code name} (for tests and metrics). */
  int openSessions(String name) {
    return bounds.openSessions(name);
  }

  /** Drops the catalog's reference on every session; each closes when its last lease does. */
  @Override
  public void close() {
    closed = true;
    for (ConcurrentSkipListMap<Long, VersionEntry> versions : models.values()) {
      for (VersionEntry entry : versions.values()) {
        entry.evict();
      }
    }
  }

  /** {@link CatalogBounds#deferRetention()}: while catching up on the compacted topic. */
  void deferRetention() {
    bounds.deferRetention();
  }

  /** Drops the bytes beyond the bound now, and from then on whenever a version is added. */
  void applyRetention() {
    bounds.applyRetention();
  }

  /**
   * ONNX bytes held on the heap for all versions, their other graphs included (for tests and
   * metrics).
   */
  long retainedBytes() {
    return bounds.retainedBytes();
  }

  /** Other graphs (encoders) whose bytes are held, all versions together. */
  int retainedGraphs() {
    return bounds.retainedGraphs();
  }

  /** Versions whose ONNX bytes are held, all models together (for tests and metrics). */
  int retainedVersions() {
    return bounds.retainedVersions();
  }

  /** {@link CatalogBounds#evictBeyondBound}: never call it holding an entry lock. */
  void evictBeyondBound(String name) {
    bounds.evictBeyondBound(name);
  }

  /** Loads a session and logs name, version, size and load time. Blocks; caller owns the result. */
  GenerativeModel load(PublishedModel model) {
    long start = System.nanoTime();
    GenerativeModel loaded = loader.load(model);
    log.info("loaded model {} version {} ({} bytes) on {} in {} ms", model.manifest().name(),
        model.manifest().version(), model.onnx().length, loaded instanceof OnnxGenerativeModel onnx
            ? onnx.executionProvider() : loader.executionProvider(),
        (System.nanoTime() - start) / 1_000_000);
    return loaded;
  }

  boolean isClosed() {
    return closed;
  }

  int retainedVersionsPerModel() {
    return bounds.retainedVersionsPerModel();
  }

  LongSupplier nanoClock() {
    return nanoClock;
  }

  /** A tick of the use clock, for least-recently-used eviction. */
  long nextUse() {
    return useClock.incrementAndGet();
  }

  /** Loads a version's encoder and logs it. Blocks; caller owns the result. */
  ImageEncoder loadEncoder(ModelManifest manifest, byte[] onnx) {
    long start = System.nanoTime();
    ImageEncoder loaded = loader.loadEncoder(manifest, onnx);
    log.info("loaded the encoder of model {} version {} ({} bytes) on {} in {} ms",
        manifest.name(), manifest.version(), onnx.length, loaded.executionProvider(),
        (System.nanoTime() - start) / 1_000_000);
    return loaded;
  }

  private static void closeQuietly(GenerativeModel model) {
    if (model != null) {
      model.close();
    }
  }
}
