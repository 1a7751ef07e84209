package io.genstream.generator.internal;

import io.genstream.core.messages.PublishedModel;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graph records ({@code <model>/<version>/<graph>}) read before the record of their version,
 * held until it arrives. The trainer publishes a version's other graphs first and its generator
 * last, so on the topic a graph normally comes just before its version; with several partitions
 * whole runs of graphs may come first.
 *
 * <p><b>Bounded</b> like the registry's retained bytes: at most {@code versionsPerModel}
 * versions per model are held; beyond that the lowest-numbered version's graphs are dropped
 * with a log line (the retention bound would drop that version's bytes anyway). Graphs whose
 * version never arrives (a trainer stopped between the two sends) stay until pushed out so, or
 * until a tombstone of the graph or of the version removes them.
 *
 * <p>Thread-safe (each method is synchronized); in the registry only the follower thread
 * changes it, the accessors for tests and metrics may run anywhere.
 */
final class PendingGraphs {

  private static final Logger log = LoggerFactory.getLogger(PendingGraphs.class);

  private final int versionsPerModel;
  /** Model name → version → graph name → bytes. */
  private final Map<String, NavigableMap<Long, Map<String, byte[]>>> byModel = new HashMap<>();

  /** @param versionsPerModel versions held per model, at least 1 */
  PendingGraphs(int versionsPerModel) {
    if (versionsPerModel < 1) {
      throw new IllegalArgumentException("versionsPerModel must be >= 1, got " + versionsPerModel);
    }
    this.versionsPerModel = versionsPerModel;
  }

  /** Holds a graph until its version arrives; a later record of the same key replaces it. */
  synchronized void put(PublishedModel.Key key, byte[] bytes) {
    NavigableMap<Long, Map<String, byte[]>> versions =
        byModel.computeIfAbsent(key.model(), m -> new TreeMap<>());
    versions.computeIfAbsent(key.version(), v -> new HashMap<>()).put(key.graph(), bytes);
    while (versions.size() > versionsPerModel) {
      Map.Entry<Long, Map<String, byte[]>> oldest = versions.pollFirstEntry();
      log.warn("dropping graphs {} of model {} version {}: read before their version, which has "
          + "not arrived, and only {} versions per model are held so", oldest.getValue().keySet(),
          key.model(), oldest.getKey(), versionsPerModel);
    }
  }

  /** Removes and returns the graphs held for a version, by graph name; empty if none. */
  synchronized Map<String, byte[]> take(String model, long version) {
    NavigableMap<Long, Map<String, byte[]>> versions = byModel.get(model);
    Map<String, byte[]> graphs = versions == null ? null : versions.remove(version);
    if (versions != null && versions.isEmpty()) {
      byModel.remove(model);
    }
    return graphs == null ? Map.of() : graphs;
  }

  /** Forgets one graph (its tombstone). */
  synchronized void remove(PublishedModel.Key key) {
    NavigableMap<Long, Map<String, byte[]>> versions = byModel.get(key.model());
    Map<String, byte[]> graphs = versions == null ? null : versions.get(key.version());
    if (graphs != null && graphs.remove(key.graph()) != null && graphs.isEmpty()) {
      take(key.model(), key.version());
    }
  }

  /** Graphs held, all versions together. */
  synchronized int size() {
    int count = 0;
    for (NavigableMap<Long, Map<String, byte[]>> versions : byModel.values()) {
      for (Map<String, byte[]> graphs : versions.values()) {
        count += graphs.size();
      }
    }
    return count;
  }

  /** Bytes held. */
  synchronized long bytes() {
    long total = 0;
    for (NavigableMap<Long, Map<String, byte[]>> versions : byModel.values()) {
      for (Map<String, byte[]> graphs : versions.values()) {
        for (byte[] bytes : graphs.values()) {
          total += bytes.length;
        }
      }
    }
    return total;
  }
}
