package io.genstream.generator.internal;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.UnknownModelException;

/**
 * One version in a {@link ModelCatalog}: its manifest, its bytes while retained, its session
 * while open, and its load history ({@link LoadRetry}).
 *
 * <p><b>Locks.</b> Loading happens under this entry's lock, so a version is loaded once however
 * many requests ask at the same moment; the fast path of {@link #lease} (a session already open)
 * takes no lock. Never takes the catalog's per-model lock while holding its own.
 */
final class VersionEntry {

  private final ModelCatalog catalog;
  final ModelManifest manifest;
  /** The bytes to load from; null once dropped by the retention bound or as invalid. */
  volatile PublishedModel model;
  volatile Session session;
  /** Guarded by this entry. */
  private final LoadRetry retry;
  /** Guarded by this entry: removed by a tombstone. */
  private boolean removed;
  volatile long lastUsed;

  VersionEntry(ModelCatalog catalog, PublishedModel model, GenerativeModel preloaded) {
    this.catalog = catalog;
    this.manifest = model.manifest();
    this.model = model;
    this.session = preloaded == null ? null : new Session(preloaded);
    this.retry = new LoadRetry(catalog.nanoClock());
  }

  void touch() {
    lastUsed = catalog.nextUse();
  }

  synchronized ModelRegistry.VersionInfo info() {
    ModelRegistry.VersionStatus status = session != null ? ModelRegistry.VersionStatus.LOADED
        : retry.failedForGood() ? ModelRegistry.VersionStatus.FAILED
        : retry.retrying() ? ModelRegistry.VersionStatus.RETRYING
        : model != null ? ModelRegistry.VersionStatus.AVAILABLE
        : ModelRegistry.VersionStatus.EVICTED;
    return new ModelRegistry.VersionInfo(manifest, status, retry.reason());
  }

  /**
   * A lease on this version's session, opening it (blocking, under this entry's lock) if none
   * is open.
   *
   * @throws UnknownModelException if it can never load (invalid, removed, bytes dropped)
   * @throws ModelNotReadyException while a transient failure's back-off runs
   * @throws IllegalStateException once the catalog is closed
   */
  ModelLease lease() {
    Session current = session;
    if (current != null && current.tryRetain()) {
      touch();
      return new Lease(current);
    }
    Session opened;
    synchronized (this) {
      retry.check(subject());
      if (catalog.isClosed()) {
        throw new IllegalStateException("model registry is closed");
      }
      if (removed) {
        // A tombstone raced this request: a session opened now would belong to no one.
        throw new UnknownModelException(subject() + " was removed");
      }
      // Another request may have opened it while we waited for the lock.
      current = session;
      if (current != null && current.tryRetain()) {
        touch();
        return new Lease(current);
      }
      PublishedModel bytes = model;
      if (bytes == null) {
        throw new UnknownModelException(subject() + " is no longer retained: only the newest "
            + catalog.retainedVersionsPerModel() + " versions per model keep their ONNX bytes "
            + "(registry option retainedVersionsPerModel)");
      }
      try {
        opened = new Session(catalog.load(bytes));
      } catch (RuntimeException | OutOfMemoryError e) {
        throw failed(e);
      }
      retry.succeeded(subject());
      // Retained for our caller before anyone can see it, so that eviction below (with a
      // bound of 1, an old pinned version is evicted at once) cannot close it under the lease.
      opened.tryRetain();
      session = opened;
      touch();
    }
    catalog.evictBeyondBound(manifest.name());
    return new Lease(opened);
  }

  /**
   * Records a failed load (caller holds this entry's lock); returns what to throw. A version
   * that can never load lets go of its bytes.
   */
  RuntimeException failed(Throwable e) {
    RuntimeException toThrow = retry.failed(subject(), e);
    if (retry.failedForGood()) {
      model = null; // it will never load: its bytes are dead weight
    }
    return toThrow;
  }

  /** Removed by a tombstone: no new session may be opened for it; the current one is evicted. */
  void remove() {
    synchronized (this) {
      removed = true;
    }
    evict();
  }

  /** Drops the catalog's reference on the session; it closes once its last lease does. */
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

  private String subject() {
    return "model '" + manifest.name() + "' version " + manifest.version();
  }
}
