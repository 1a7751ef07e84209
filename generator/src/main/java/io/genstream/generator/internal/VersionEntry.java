package io.genstream.generator.internal;

import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ImageEncoder;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.UnknownModelException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * One version in a {@link ModelCatalog}: its manifest, its bytes while retained (the
 * generator's and those of its other graphs, kept and dropped together), its session while
 * open, and the load history ({@link LoadRetry}) of its generator and of its encoder.
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
  /**
   * The bytes of its other graphs received so far, by graph name (declared by the manifest,
   * SHA-256 checked); replaced, never changed in place, under this entry's lock. Emptied with
   * {@link #model}.
   */
  private volatile Map<String, byte[]> graphs;
  volatile Session session;
  /** Guarded by this entry. */
  private final LoadRetry retry;
  private final LoadRetry encoderRetry;
  /** Guarded by this entry: removed by a tombstone. */
  private boolean removed;
  /** Guarded by this entry: graphs removed by their own tombstones. */
  private final Set<String> removedGraphs = new HashSet<>();
  volatile long lastUsed;

  /** @param graphs bytes of its other graphs, checked against the manifest already */
  VersionEntry(ModelCatalog catalog, PublishedModel model, Map<String, byte[]> graphs,
      GenerativeModel preloaded) {
    this.catalog = catalog;
    this.manifest = model.manifest();
    this.model = model;
    this.graphs = Map.copyOf(graphs);
    this.session = preloaded == null ? null : new Session(preloaded);
    this.retry = new LoadRetry(catalog.nanoClock());
    this.encoderRetry = new LoadRetry(catalog.nanoClock());
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
      return new Lease(this, current);
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
        return new Lease(this, current);
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
    return new Lease(this, opened);
  }

  /**
   * Records a failed load (caller holds this entry's lock); returns what to throw. A version
   * that can never load lets go of its bytes.
   */
  RuntimeException failed(Throwable e) {
    RuntimeException toThrow = retry.failed(subject(), e);
    if (retry.failedForGood()) {
      dropBytes(); // it will never load: its bytes are dead weight
    }
    return toThrow;
  }

  /**
   * The encoder of {@code session} (a session of this entry, held by the caller's lease),
   * loading it on first use: blocks, under this entry's lock, for as long as the load takes.
   *
   * @throws InvalidRequestException if the manifest declares no encoder graph
   * @throws UnknownModelException if it can never load: removed by a tombstone, never
   *     received, bytes no longer retained, or invalid
   * @throws ModelNotReadyException while a transient failure's back-off runs
   */
  ImageEncoder encoder(Session session) {
    if (!manifest.graphs().containsKey(ImageEncoder.GRAPH)) {
      throw new InvalidRequestException(subject() + " has no encoder graph (family "
          + manifest.family() + "); variations need a VAE");
    }
    String graphSubject = subject() + "'s encoder graph";
    synchronized (this) {
      if (removedGraphs.contains(ImageEncoder.GRAPH)) {
        throw new UnknownModelException(graphSubject + " was removed");
      }
      ImageEncoder loaded = session.encoder();
      if (loaded != null) {
        return loaded;
      }
      encoderRetry.check(graphSubject);
      byte[] bytes = graphs.get(ImageEncoder.GRAPH);
      if (bytes == null) {
        throw new UnknownModelException(model == null
            ? graphSubject + " is no longer retained: only the newest "
                + catalog.retainedVersionsPerModel() + " versions per model keep their ONNX "
                + "bytes (registry option retainedVersionsPerModel)"
            : graphSubject + " was not received: no valid record "
                + new PublishedModel.Key(manifest.name(), manifest.version(), ImageEncoder.GRAPH)
                + " on the models topic");
      }
      try {
        loaded = catalog.loadEncoder(manifest, bytes);
      } catch (RuntimeException | OutOfMemoryError e) {
        RuntimeException toThrow = encoderRetry.failed(graphSubject, e);
        if (encoderRetry.failedForGood()) {
          graphs = without(graphs, ImageEncoder.GRAPH); // it will never load
        }
        throw toThrow;
      }
      encoderRetry.succeeded(graphSubject);
      session.encoder(loaded);
      return loaded;
    }
  }

  /**
   * Keeps the bytes of another graph of this version (checked against the manifest by the
   * caller); a graph already held is left as it is.
   *
   * @return false if they were not kept: the version's own bytes are gone (dropped by the
   *     retention bound, or invalid), so its graphs go with them
   */
  synchronized boolean addGraph(String graph, byte[] bytes) {
    if (model == null) {
      return false;
    }
    removedGraphs.remove(graph);
    if (!graphs.containsKey(graph)) {
      Map<String, byte[]> more = new HashMap<>(graphs);
      more.put(graph, bytes);
      graphs = Map.copyOf(more);
    }
    return true;
  }

  /**
   * Removed by the graph's tombstone: its bytes are dropped and leases no longer get it (an
   * encoder already handed out serves its lease, and closes with its session).
   */
  synchronized void removeGraph(String graph) {
    removedGraphs.add(graph);
    graphs = without(graphs, graph);
  }

  /**
   * Lets go of the version's bytes and its graphs' (the retention bound); an open session
   * serves on.
   *
   * @return whether there were bytes to drop
   */
  synchronized boolean dropBytes() {
    boolean had = model != null || !graphs.isEmpty();
    model = null;
    graphs = Map.of();
    return had;
  }

  /** ONNX bytes held: the generator's and its graphs'. */
  long retainedBytes() {
    PublishedModel bytes = model;
    long total = bytes == null ? 0 : bytes.onnx().length;
    for (byte[] graph : graphs.values()) {
      total += graph.length;
    }
    return total;
  }

  /** Graphs whose bytes are held. */
  int retainedGraphs() {
    return graphs.size();
  }

  private static Map<String, byte[]> without(Map<String, byte[]> graphs, String graph) {
    if (!graphs.containsKey(graph)) {
      return graphs;
    }
    Map<String, byte[]> fewer = new HashMap<>(graphs);
    fewer.remove(graph);
    return Map.copyOf(fewer);
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
