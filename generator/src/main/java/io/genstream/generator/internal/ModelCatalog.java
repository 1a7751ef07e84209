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
 * {@link Lease}s on sessions. This class keeps the versions per model and the two bounds.
 *
 * <p><b>Bounded memory.</b> Only the newest {@code retainedVersionsPerModel} versions of each
 * model keep their ONNX bytes, those of their other graphs (a VAE's encoder) included; an older
 * version keeps its manifest (it stays listed), serves while a session is open for it (with its
 * encoder if that was loaded), and is reported as no longer retained when asked for after that.
 * Open sessions are bounded by {@code openSessionsPerModel}; an encoder is part of its version's
 * session, loaded on the first lease that asks for it and closed with the session.
 *
 * <p><b>Load failures</b> are classified once, by {@link LoadRetry#isPermanent}: an invalid model
 * (the loader's {@link IllegalArgumentException}: unparseable graph, graph that does not match
 * its manifest) is remembered for good and its bytes dropped; anything else (the runtime
 * failing, out of memory) is transient: the version is retried on a request once a back-off has
 * passed (1 s, doubling to 1 min), and serves as soon as a retry succeeds.
 *
 * <p><b>Reference counting.</b> Each open session starts with one reference, held by the
 * catalog. A lease takes another ({@link Session#tryRetain()} fails once the count has reached
 * zero, so a closed session is never handed out). Evicting a session removes it from its entry
 * first, then drops the catalog's reference; whoever drops the count to zero closes the model.
 *
 * <p><b>Promotion.</b> The latest {@link ModelStatus} of each model names the version
 * {@code best} leases ({@link BestVersion#resolve}). A status may come before any version of
 * its model and is kept to apply once they arrive, but only for
 * {@value #MAX_STATUSES_WITHOUT_VERSIONS} such models, so that stray records cannot grow it.
 *
 * <p><b>Locks.</b> Loading a version happens under that version's entry lock (so it is loaded
 * once however many requests ask at the same moment). Eviction takes the model's lock, then
 * entry locks; the lease path never takes the model lock while holding an entry lock, so the
 * order is always model, then entry.
 */
final class ModelCatalog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);
  /** Statuses kept for models with no version known. */
  static final int MAX_STATUSES_WITHOUT_VERSIONS = 64;

  private final ModelLoader loader;
  private final int openSessionsPerModel;
  private final int retainedVersionsPerModel;
  private final Map<String, ConcurrentSkipListMap<Long, VersionEntry>> models =
      new ConcurrentHashMap<>();
  private final Map<String, ModelStatus> statuses = new ConcurrentHashMap<>();
  private final AtomicLong useClock = new AtomicLong();
  private final LongSupplier nanoClock;
  private volatile boolean closed;
  private volatile boolean retentionDeferred;

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
    this.openSessionsPerModel = openSessionsPerModel;
    this.retainedVersionsPerModel = retainedVersionsPerModel;
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
   * @param graphs by graph name, each {@link KafkaModelRegistry#checkGraph checked} against
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
    if (!retentionDeferred) {
      dropBytesBeyondBound(name, versions);
    }
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
      if (!retentionDeferred) {
        dropBytesBeyondBound(name, versions);
      }
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
   * Keeps another graph of a known version ({@link KafkaModelRegistry#checkGraph checked}
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
   * Replaces the status of its model. One for a model with no version known is kept only while
   * fewer than {@value #MAX_STATUSES_WITHOUT_VERSIONS} such models have one.
   *
   * @return false if it was not kept
   */
  boolean setStatus(ModelStatus status) {
    String name = status.model();
    if (!hasVersions(name) && !statuses.containsKey(name)) {
      long withoutVersions = statuses.keySet().stream().filter(n -> !hasVersions(n)).count();
      if (withoutVersions >= MAX_STATUSES_WITHOUT_VERSIONS) {
        log.warn("skipping the status of model {}: it has no version, and {} other models "
            + "without versions have a status already", name, withoutVersions);
        return false;
      }
    }
    ModelStatus previous = statuses.put(name, status);
    long before = previous == null ? 0 : previous.best();
    if (before != status.best()) {
      log.info("model {}: best is now {} (was {})", name,
          status.hasBest() ? "version " + status.best() : "none", before == 0 ? "none" : before);
    }
    return true;
  }

  /** Forgets the status of {@code name} (its tombstone): {@code best} names nothing again. */
  void clearStatus(String name) {
    if (statuses.remove(name) != null) {
      log.info("model {}: status removed from the registry; no version is best", name);
    }
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

  ModelLease acquire(String name, String version) {
    if (closed) {
      throw new IllegalStateException("model registry is closed");
    }
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.get(name);
    if (versions == null || versions.isEmpty()) {
      throw new UnknownModelException("unknown model '" + name + "', known models: " + knownModels());
    }
    if ("latest".equals(version)) {
      List<String> failures = new ArrayList<>();
      boolean anyNotReady = false;
      for (VersionEntry entry : versions.descendingMap().values()) {
        try {
          return entry.lease();
        } catch (UnknownModelException | ModelNotReadyException e) {
          failures.add(e.getMessage());
          anyNotReady |= e instanceof ModelNotReadyException;
        }
      }
      String reason = "model '" + name + "' has no loadable version: " + failures;
      // One that may still load makes the request wait rather than fail for good.
      throw anyNotReady ? new ModelNotReadyException(reason) : new UnknownModelException(reason);
    }
    if ("best".equals(version)) {
      long best = BestVersion.resolve(name, statuses.get(name), new ArrayList<>(versions.keySet()));
      VersionEntry entry = versions.get(best);
      if (entry == null) { // removed since the snapshot above
        throw new UnknownModelException("model '" + name + "' version " + best
            + ", promoted to 'best', was removed");
      }
      return entry.lease();
    }
    long number;
    try {
      number = Long.parseLong(version);
    } catch (NumberFormatException e) {
      throw new UnknownModelException("version must be 'latest', 'best' or a number, got '"
          + version + "'");
    }
    VersionEntry entry = versions.get(number);
    if (entry == null) {
      throw new UnknownModelException("unknown version " + number + " of model '" + name
          + "', known versions: " + new ArrayList<>(versions.keySet()));
    }
    return entry.lease();
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
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.get(name);
    if (versions == null) {
      return 0;
    }
    int open = 0;
    for (VersionEntry entry : versions.values()) {
      if (entry.session != null) {
        open++;
      }
    }
    return open;
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

  /**
   * Keeps every version's bytes until {@link #applyRetention()}: while catching up on a compacted
   * topic, newer versions arrive before the tombstones of the older ones they replace, so the
   * newest N seen so far are not yet the newest N that will remain.
   */
  void deferRetention() {
    retentionDeferred = true;
  }

  /** Drops the bytes beyond the bound now, and from then on whenever a version is added. */
  void applyRetention() {
    retentionDeferred = false;
    models.forEach(this::dropBytesBeyondBound);
  }

  /**
   * ONNX bytes held on the heap for all versions, their other graphs included (for tests and
   * metrics).
   */
  long retainedBytes() {
    long bytes = 0;
    for (ConcurrentSkipListMap<Long, VersionEntry> versions : models.values()) {
      for (VersionEntry entry : versions.values()) {
        bytes += entry.retainedBytes();
      }
    }
    return bytes;
  }

  /** Other graphs (encoders) whose bytes are held, all versions together. */
  int retainedGraphs() {
    int count = 0;
    for (ConcurrentSkipListMap<Long, VersionEntry> versions : models.values()) {
      for (VersionEntry entry : versions.values()) {
        count += entry.retainedGraphs();
      }
    }
    return count;
  }

  /** Versions whose ONNX bytes are held, all models together (for tests and metrics). */
  int retainedVersions() {
    int count = 0;
    for (ConcurrentSkipListMap<Long, VersionEntry> versions : models.values()) {
      for (VersionEntry entry : versions.values()) {
        count += entry.model == null ? 0 : 1;
      }
    }
    return count;
  }

  /**
   * Lets go of the bytes of every version of {@code name} older than the newest
   * {@code retainedVersionsPerModel}. An open session is left alone: it serves until evicted.
   */
  private void dropBytesBeyondBound(String name, ConcurrentSkipListMap<Long, VersionEntry> versions) {
    int kept = 0;
    for (VersionEntry entry : versions.descendingMap().values()) {
      if (kept < retainedVersionsPerModel) {
        kept++;
      } else if (entry.dropBytes()) {
        log.debug("model {} version {}: ONNX bytes no longer retained (only the newest {} are)",
            name, entry.manifest.version(), retainedVersionsPerModel);
      }
    }
  }

  private List<String> knownModels() {
    List<String> names = new ArrayList<>();
    models.forEach((name, versions) -> {
      if (!versions.isEmpty()) {
        names.add(name);
      }
    });
    names.sort(null);
    return names;
  }

  /**
   * Closes the least recently used sessions of {@code name} beyond the bound; the newest
   * open version is never evicted, since {@code latest} requests want it. Takes the model's
   * lock, then entry locks: never call it holding an entry lock.
   */
  void evictBeyondBound(String name) {
    ConcurrentSkipListMap<Long, VersionEntry> versions = models.get(name);
    if (versions == null) {
      return;
    }
    synchronized (versions) {
      List<VersionEntry> open = new ArrayList<>();
      for (VersionEntry entry : versions.descendingMap().values()) {
        if (entry.session != null) {
          open.add(entry);
        }
      }
      if (open.size() <= openSessionsPerModel) {
        return;
      }
      List<VersionEntry> candidates = new ArrayList<>(open.subList(1, open.size()));
      candidates.sort((a, b) -> Long.compare(a.lastUsed, b.lastUsed));
      for (int i = 0; i < open.size() - openSessionsPerModel; i++) {
        VersionEntry victim = candidates.get(i);
        log.info("closing the session of model {} version {} (more than {} open; closes once unused)",
            name, victim.manifest.version(), openSessionsPerModel);
        victim.evict();
      }
    }
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
    return retainedVersionsPerModel;
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
