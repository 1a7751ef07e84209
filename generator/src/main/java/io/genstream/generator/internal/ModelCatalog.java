package io.genstream.generator.internal;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.RegistryOptions;
import io.genstream.generator.UnknownModelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The versions a registry knows, their bytes, and the reference-counted sessions open for some
 * of them. No Kafka here: the follower feeds it, the service leases from it.
 *
 * <p><b>Bounded memory.</b> Only the newest {@code retainedVersionsPerModel} versions of each
 * model keep their ONNX bytes; an older version keeps its manifest (it stays listed), serves
 * while a session is open for it, and is reported as no longer retained when asked for after
 * that. Open sessions are bounded by {@code openSessionsPerModel}.
 *
 * <p><b>Load failures</b> are classified once, by {@link #isPermanent}: an invalid model (the
 * loader's {@link IllegalArgumentException}: unparseable graph, graph that does not match its
 * manifest) is remembered for good and its bytes dropped; anything else (the runtime failing,
 * out of memory) is transient: the version is retried on a request once a back-off has passed
 * (1 s, doubling to 1 min), and serves as soon as a retry succeeds.
 *
 * <p><b>Reference counting.</b> Each open session starts with one reference, held by the
 * catalog. A lease takes another ({@link Session#tryRetain()} fails once the count has reached
 * zero, so a closed session is never handed out). Evicting a session removes it from its entry
 * first, then drops the catalog's reference; whoever drops the count to zero closes the model.
 *
 * <p><b>Locks.</b> Loading a version happens under that version's entry lock (so it is loaded
 * once however many requests ask at the same moment). Eviction takes the model's lock, then
 * entry locks; the lease path never takes the model lock while holding an entry lock, so the
 * order is always model, then entry.
 */
final class ModelCatalog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

  private final ModelLoader loader;
  private final int openSessionsPerModel;
  private final int retainedVersionsPerModel;
  private final Map<String, ConcurrentSkipListMap<Long, Entry>> models = new ConcurrentHashMap<>();
  private static final long FIRST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MAX_RETRY_NANOS = TimeUnit.MINUTES.toNanos(1);

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

  /**
   * Adds a version. With a {@code preloaded} model the version becomes visible together with
   * its open session (the hot-swap path: {@code latest} flips only once the session exists);
   * without, it is loaded on first use. A version already known is left as it is (the follower
   * re-reads the topic after a reconnect) and {@code preloaded} is closed.
   */
  void add(PublishedModel model, GenerativeModel preloaded) {
    if (closed) {
      closeQuietly(preloaded);
      return;
    }
    String name = model.manifest().name();
    long version = model.manifest().version();
    ConcurrentSkipListMap<Long, Entry> versions = models.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
    Entry entry = new Entry(model, preloaded);
    Entry existing = versions.putIfAbsent(version, entry);
    if (existing != null) {
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
    String name = model.manifest().name();
    Entry entry = new Entry(model, null);
    ConcurrentSkipListMap<Long, Entry> versions = models.computeIfAbsent(name, n -> new ConcurrentSkipListMap<>());
    if (versions.putIfAbsent(model.manifest().version(), entry) == null) {
      synchronized (entry) {
        entry.failed(name, failure);
      }
      if (!retentionDeferred) {
        dropBytesBeyondBound(name, versions);
      }
    }
  }

  /**
   * The one place that decides whether a failed load may succeed later: only an invalid model
   * ({@link IllegalArgumentException}, the {@link ModelLoader#load} contract) never will.
   */
  static boolean isPermanent(Throwable loadFailure) {
    return loadFailure instanceof IllegalArgumentException;
  }

  /** Forgets a version (a tombstone); its session closes once unused. */
  void remove(String name, long version) {
    ConcurrentSkipListMap<Long, Entry> versions = models.get(name);
    Entry entry = versions == null ? null : versions.remove(version);
    if (entry != null) {
      entry.remove();
      log.info("model {} version {} removed from the registry", name, version);
    }
  }

  /** Whether the version is known (loaded or not). */
  boolean contains(String name, long version) {
    ConcurrentSkipListMap<Long, Entry> versions = models.get(name);
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
    ConcurrentSkipListMap<Long, Entry> versions = models.get(name);
    if (versions == null || versions.isEmpty()) {
      throw new UnknownModelException("unknown model '" + name + "', known models: " + knownModels());
    }
    if ("latest".equals(version)) {
      List<String> failures = new ArrayList<>();
      boolean anyNotReady = false;
      for (Entry entry : versions.descendingMap().values()) {
        try {
          return entry.lease(name);
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
      // Promotion by evaluation is not built yet: say so rather than guess a version.
      throw new UnknownModelException("model '" + name + "' has no version promoted to 'best' "
          + "yet; ask for 'latest' or one of " + new ArrayList<>(versions.keySet()));
    }
    long number;
    try {
      number = Long.parseLong(version);
    } catch (NumberFormatException e) {
      throw new UnknownModelException("version must be 'latest', 'best' or a number, got '"
          + version + "'");
    }
    Entry entry = versions.get(number);
    if (entry == null) {
      throw new UnknownModelException("unknown version " + number + " of model '" + name
          + "', known versions: " + new ArrayList<>(versions.keySet()));
    }
    return entry.lease(name);
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
    ConcurrentSkipListMap<Long, Entry> versions = models.get(name);
    List<ModelRegistry.VersionInfo> infos = new ArrayList<>();
    if (versions != null) {
      versions.values().forEach(entry -> infos.add(entry.info()));
    }
    return infos;
  }

  /** Number of sessions currently open for {@code name} (for tests and metrics). */
  int openSessions(String name) {
    ConcurrentSkipListMap<Long, Entry> versions = models.get(name);
    if (versions == null) {
      return 0;
    }
    int open = 0;
    for (Entry entry : versions.values()) {
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
    for (ConcurrentSkipListMap<Long, Entry> versions : models.values()) {
      for (Entry entry : versions.values()) {
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

  /** ONNX bytes held on the heap for all versions (for tests and metrics). */
  long retainedBytes() {
    long bytes = 0;
    for (ConcurrentSkipListMap<Long, Entry> versions : models.values()) {
      for (Entry entry : versions.values()) {
        PublishedModel model = entry.model;
        bytes += model == null ? 0 : model.onnx().length;
      }
    }
    return bytes;
  }

  /** Versions whose ONNX bytes are held, all models together (for tests and metrics). */
  int retainedVersions() {
    int count = 0;
    for (ConcurrentSkipListMap<Long, Entry> versions : models.values()) {
      for (Entry entry : versions.values()) {
        count += entry.model == null ? 0 : 1;
      }
    }
    return count;
  }

  /**
   * Lets go of the bytes of every version of {@code name} older than the newest
   * {@code retainedVersionsPerModel}. An open session is left alone: it serves until evicted.
   */
  private void dropBytesBeyondBound(String name, ConcurrentSkipListMap<Long, Entry> versions) {
    int kept = 0;
    for (Entry entry : versions.descendingMap().values()) {
      if (kept < retainedVersionsPerModel) {
        kept++;
      } else if (entry.model != null) {
        entry.model = null;
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
   * open version is never evicted, since {@code latest} requests want it.
   */
  private void evictBeyondBound(String name) {
    ConcurrentSkipListMap<Long, Entry> versions = models.get(name);
    if (versions == null) {
      return;
    }
    synchronized (versions) {
      List<Entry> open = new ArrayList<>();
      for (Entry entry : versions.descendingMap().values()) {
        if (entry.session != null) {
          open.add(entry);
        }
      }
      if (open.size() <= openSessionsPerModel) {
        return;
      }
      List<Entry> candidates = new ArrayList<>(open.subList(1, open.size()));
      candidates.sort((a, b) -> Long.compare(a.lastUsed, b.lastUsed));
      for (int i = 0; i < open.size() - openSessionsPerModel; i++) {
        Entry victim = candidates.get(i);
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

  private static void closeQuietly(GenerativeModel model) {
    if (model != null) {
      model.close();
    }
  }

  /**
   * One version: its manifest, its bytes while retained, its session while open, why it failed
   * to load if it did.
   */
  private final class Entry {
    final ModelManifest manifest;
    /** The bytes to load from; null once dropped by the retention bound. */
    volatile PublishedModel model;
    volatile Session session;
    /** Why this version can never load (an invalid model); null while it may. */
    volatile String permanentFailure;
    /** Guarded by this entry: the last transient failure, how many in a row, next retry. */
    String lastFailure;
    int failures;
    long retryAtNanos;
    /** Guarded by this entry. */
    boolean removed;
    volatile long lastUsed;

    Entry(PublishedModel model, GenerativeModel preloaded) {
      this.manifest = model.manifest();
      this.model = model;
      this.session = preloaded == null ? null : new Session(preloaded);
    }

    void touch() {
      lastUsed = useClock.incrementAndGet();
    }

    synchronized ModelRegistry.VersionInfo info() {
      ModelRegistry.VersionStatus status = session != null ? ModelRegistry.VersionStatus.LOADED
          : permanentFailure != null ? ModelRegistry.VersionStatus.FAILED
          : failures > 0 ? ModelRegistry.VersionStatus.RETRYING
          : model != null ? ModelRegistry.VersionStatus.AVAILABLE
          : ModelRegistry.VersionStatus.EVICTED;
      return new ModelRegistry.VersionInfo(manifest, status,
          permanentFailure != null ? permanentFailure : lastFailure);
    }

    ModelLease lease(String name) {
      Session current = session;
      if (current != null && current.tryRetain()) {
        touch();
        return new Lease(current);
      }
      Session opened;
      synchronized (this) {
        if (permanentFailure != null) {
          throw new UnknownModelException("model '" + name + "' version "
              + manifest.version() + " cannot be loaded: " + permanentFailure);
        }
        long wait = retryAtNanos - nanoClock.getAsLong();
        if (failures > 0 && wait > 0) {
          throw new ModelNotReadyException("model '" + name + "' version " + manifest.version()
              + " failed to load (" + lastFailure + "); retrying in "
              + TimeUnit.NANOSECONDS.toMillis(wait) + " ms");
        }
        if (closed) {
          throw new IllegalStateException("model registry is closed");
        }
        if (removed) {
          // A tombstone raced this request: a session opened now would belong to no one.
          throw new UnknownModelException("model '" + name + "' version "
              + manifest.version() + " was removed");
        }
        // Another request may have opened it while we waited for the lock.
        current = session;
        if (current != null && current.tryRetain()) {
          touch();
          return new Lease(current);
        }
        PublishedModel bytes = model;
        if (bytes == null) {
          throw new UnknownModelException("model '" + name + "' version " + manifest.version()
              + " is no longer retained: only the newest " + retainedVersionsPerModel
              + " versions per model keep their ONNX bytes (registry option retainedVersionsPerModel)");
        }
        try {
          opened = new Session(load(bytes));
        } catch (RuntimeException | OutOfMemoryError e) {
          throw failed(name, e);
        }
        if (failures > 0) {
          log.info("model {} version {} loaded after {} failed attempt(s)", name,
              manifest.version(), failures);
          failures = 0;
          lastFailure = null;
        }
        // Retained for our caller before anyone can see it, so that eviction below (with a
        // bound of 1, an old pinned version is evicted at once) cannot close it under the lease.
        opened.tryRetain();
        session = opened;
        touch();
      }
      evictBeyondBound(name);
      return new Lease(opened);
    }

    /**
     * Records a failed load (caller holds this entry's lock); returns what to throw: an
     * {@link UnknownModelException} (permanent) or a {@link ModelNotReadyException} (transient).
     */
    RuntimeException failed(String name, Throwable e) {
      String reason = String.valueOf(e.getMessage() == null ? e : e.getMessage());
      if (isPermanent(e)) {
        permanentFailure = reason;
        model = null; // it will never load: its bytes are dead weight
        log.warn("model {} version {} cannot be loaded: {}", name, manifest.version(), reason);
        return new UnknownModelException("model '" + name + "' version "
            + manifest.version() + " cannot be loaded: " + reason);
      }
      failures++;
      lastFailure = reason;
      long backOff = Math.min(MAX_RETRY_NANOS, FIRST_RETRY_NANOS << Math.min(failures - 1, 20));
      retryAtNanos = nanoClock.getAsLong() + backOff;
      log.warn("model {} version {} failed to load (attempt {}), will retry on a request after {} ms: {}",
          name, manifest.version(), failures, TimeUnit.NANOSECONDS.toMillis(backOff), reason);
      return new ModelNotReadyException("model '" + name + "' version " + manifest.version()
          + " failed to load (" + reason + "); retrying in "
          + TimeUnit.NANOSECONDS.toMillis(backOff) + " ms");
    }

    /** Removed by a tombstone: no new session may be opened for it; the current one is evicted. */
    void remove() {
      synchronized (this) {
        removed = true;
      }
      evict();
    }

    void evict() {
      Session evicted;
      synchronized (this) {
        evicted = session;
        session = null;
      }
      if (evicted != null) {
        evicted.release();
      }
    }
  }

  /** An open model and its reference count; the count's first unit belongs to the catalog. */
  private static final class Session {
    final GenerativeModel model;
    final AtomicInteger references = new AtomicInteger(1);

    Session(GenerativeModel model) {
      this.model = model;
    }

    boolean tryRetain() {
      for (;;) {
        int count = references.get();
        if (count == 0) {
          return false;
        }
        if (references.compareAndSet(count, count + 1)) {
          return true;
        }
      }
    }

    void release() {
      if (references.decrementAndGet() == 0) {
        model.close();
        log.debug("closed the session of model {} version {}", model.manifest().name(),
            model.manifest().version());
      }
    }
  }

  private static final class Lease implements ModelLease {
    private final Session session;
    private final AtomicBoolean open = new AtomicBoolean(true);

    Lease(Session session) {
      this.session = session;
    }

    @Override
    public GenerativeModel model() {
      if (!open.get()) {
        throw new IllegalStateException("lease already closed");
      }
      return session.model;
    }

    @Override
    public void close() {
      if (open.compareAndSet(true, false)) {
        session.release();
      }
    }
  }
}
