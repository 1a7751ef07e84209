package io.genstream.generator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two memory bounds of a {@link ModelCatalog}, per model, and what is held under them.
 *
 * <p><b>Retained bytes.</b> Only the newest {@code retainedVersionsPerModel} versions of each
 * model keep their ONNX bytes, those of their other graphs (a VAE's encoder) included; an older
 * version keeps its manifest (it stays listed) and serves while a session is open for it.
 * While the catalog catches up on the compacted topic the bound is {@link #deferRetention()
 * deferred}.
 *
 * <p><b>Open sessions</b> are bounded by {@code openSessionsPerModel}: beyond it the least
 * recently used are evicted, never the newest open version ({@code latest} requests want it).
 *
 * <p>Works on the catalog's own map of versions (model name → version → entry), which the
 * catalog changes; it only reads it. Eviction takes the model's lock (its version map), then
 * entry locks.
 */
final class CatalogBounds {

  private static final Logger log = LoggerFactory.getLogger(CatalogBounds.class);

  private final Map<String, ConcurrentSkipListMap<Long, VersionEntry>> models;
  private final int openSessionsPerModel;
  private final int retainedVersionsPerModel;
  private volatile boolean retentionDeferred;

  /** @param models the catalog's versions by model name, read (never changed) here */
  CatalogBounds(Map<String, ConcurrentSkipListMap<Long, VersionEntry>> models,
      int openSessionsPerModel, int retainedVersionsPerModel) {
    this.models = models;
    this.openSessionsPerModel = openSessionsPerModel;
    this.retainedVersionsPerModel = retainedVersionsPerModel;
  }

  int retainedVersionsPerModel() {
    return retainedVersionsPerModel;
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

  /** A version of {@code name} was added: drops the bytes beyond the bound unless deferred. */
  void versionAdded(String name, ConcurrentSkipListMap<Long, VersionEntry> versions) {
    if (!retentionDeferred) {
      dropBytesBeyondBound(name, versions);
    }
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

  /** Number of sessions currently open for {@code name}. */
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

  /** ONNX bytes held on the heap for all versions, their other graphs included. */
  long retainedBytes() {
    return sumOverVersions(VersionEntry::retainedBytes);
  }

  /** Other graphs (encoders) whose bytes are held, all versions together. */
  int retainedGraphs() {
    return (int) sumOverVersions(VersionEntry::retainedGraphs);
  }

  /** Versions whose ONNX bytes are held, all models together. */
  int retainedVersions() {
    return (int) sumOverVersions(entry -> entry.model == null ? 0 : 1);
  }

  private long sumOverVersions(ToLongFunction<VersionEntry> measure) {
    long sum = 0;
    for (ConcurrentSkipListMap<Long, VersionEntry> versions : models.values()) {
      for (VersionEntry entry : versions.values()) {
        sum += measure.applyAsLong(entry);
      }
    }
    return sum;
  }
}
