package io.genstream.generator.internal;

import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.LogSafe;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLease;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the records of the models topic to a {@link ModelCatalog}, one at a time, as the
 * registry's follower reads them. Keys say what a record is:
 * <ul>
 *   <li>{@code <model>/<version>}: a version ({@link PublishedModel}). Before catch-up it is
 *       only recorded with its bytes; after, it is loaded first and added with its session,
 *       which is the atomic hot swap. A tombstone (null value) removes it, loaded or not; one
 *       for a version never seen (compaction may keep a tombstone longer than the record it
 *       deleted) changes nothing.
 *   <li>{@code <model>/<version>/<graph>}: another graph of a version (e.g. a VAE's
 *       {@code encoder}), kept with it under the same bound. Its SHA-256 is checked against the
 *       manifest's {@link ModelManifest#graphs() graphs} (a mismatch is an invalid record); a
 *       graph the manifest does not declare is skipped with a log line (nothing could check or
 *       use it). The trainer publishes graphs <em>before</em> their version, so a graph read
 *       before its version is held in {@link PendingGraphs} and added together with the
 *       version, which therefore never becomes visible without them. A graph's tombstone
 *       removes it from its version (or from the pending ones). The encoder is loaded on the
 *       first {@link ModelLease#encoder()} of a session, not here.
 *   <li>{@code <model>/status}: a {@link ModelStatus}, which replaces the model's status in the
 *       catalog ({@code best} resolves with it); its tombstone clears it.
 * </ul>
 * An invalid record of any kind is skipped with a log line and counted
 * ({@link #invalidRecords()}); it never stops the follower. A record that is not the pipeline's
 * (its {@code ce_type} is neither {@value CloudEvents#TYPE_MODEL} for a version or graph nor
 * {@value ModelStatus#TYPE} for a status) is skipped unread and counted apart
 * ({@link #foreignRecords()}), whatever its key says.
 *
 * <p>Not thread-safe: the follower's thread applies records; {@link #invalidRecords()} may be
 * read anywhere.
 */
final class ModelRecords {

  private static final Logger log = LoggerFactory.getLogger(ModelRecords.class);

  private final ModelCatalog catalog;
  private final PendingGraphs pendingGraphs;
  private final BooleanSupplier caughtUp;
  private final AtomicLong invalidRecords = new AtomicLong();
  private final AtomicLong foreignRecords = new AtomicLong();

  /**
   * @param pendingGraphs where graphs read before their version wait for it
   * @param caughtUp whether the follower has caught up: from then on a new version is loaded
   *     before it is added
   */
  ModelRecords(ModelCatalog catalog, PendingGraphs pendingGraphs, BooleanSupplier caughtUp) {
    this.catalog = catalog;
    this.pendingGraphs = pendingGraphs;
    this.caughtUp = caughtUp;
  }

  /** Records skipped as invalid so far. */
  long invalidRecords() {
    return invalidRecords.get();
  }

  /** Records skipped as not the pipeline's (a wrong or missing {@code ce_type}) so far. */
  long foreignRecords() {
    return foreignRecords.get();
  }

  /** Applies one record; never throws, since a bad record must not stop the follower. */
  void apply(ConsumerRecord<String, byte[]> record) {
    boolean status = ModelStatus.isStatusKey(record.key());
    if (!CloudEvents.isOfType(record, status ? ModelStatus.TYPE : CloudEvents.TYPE_MODEL)) {
      long skipped = foreignRecords.incrementAndGet();
      if (skipped == 1 || skipped % 1000 == 0) { // a flood of them must not flood the log
        log.warn("skipping a record that is not a model's ({}-{}@{}, ce_type {}); {} so far",
            record.topic(), record.partition(), record.offset(),
            LogSafe.text(CloudEvents.attribute(record.headers(), "type").orElse("missing")),
            skipped);
      }
      return;
    }
    try {
      if (status) {
        applyStatus(record);
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
      log.warn("skipping invalid model record {} ({}-{}@{}): {}", LogSafe.text(record.key()),
          record.topic(),
          record.partition(), record.offset(), e.getMessage());
    }
  }

  /** A status record: the model's promotion as its trainer last judged it. */
  private void applyStatus(ConsumerRecord<String, byte[]> record) {
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
    if (!caughtUp.getAsBoolean()) {
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
        throw (RuntimeException) e; // an invalid record: counted and logged by apply
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
}
