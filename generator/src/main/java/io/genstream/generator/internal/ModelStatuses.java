package io.genstream.generator.internal;

import io.genstream.core.messages.ModelStatus;
import io.genstream.generator.BestVersion;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest {@link ModelStatus} of each model, as its trainer last judged it: the version
 * {@code best} leases ({@link BestVersion#resolve}). A status may come before any version of its
 * model and is kept to apply once they arrive, but only for {@value #MAX_WITHOUT_VERSIONS} such
 * models, so that stray records cannot grow it.
 *
 * <p>Thread-safe: the follower replaces statuses while requests read them.
 */
final class ModelStatuses {

  private static final Logger log = LoggerFactory.getLogger(ModelStatuses.class);
  /** Statuses kept for models with no version known. */
  static final int MAX_WITHOUT_VERSIONS = 64;

  private final Map<String, ModelStatus> statuses = new ConcurrentHashMap<>();
  private final Predicate<String> hasVersions;

  /** @param hasVersions whether the catalog knows a version of the named model */
  ModelStatuses(Predicate<String> hasVersions) {
    this.hasVersions = hasVersions;
  }

  /**
   * Replaces the status of its model. One for a model with no version known is kept only while
   * fewer than {@value #MAX_WITHOUT_VERSIONS} such models have one.
   *
   * @return false if it was not kept
   */
  boolean set(ModelStatus status) {
    String name = status.model();
    if (!hasVersions.test(name) && !statuses.containsKey(name)) {
      long withoutVersions = statuses.keySet().stream().filter(n -> !hasVersions.test(n)).count();
      if (withoutVersions >= MAX_WITHOUT_VERSIONS) {
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
  void clear(String name) {
    if (statuses.remove(name) != null) {
      log.info("model {}: status removed from the registry; no version is best", name);
    }
  }

  /** The latest status of {@code name}, or null. */
  ModelStatus get(String name) {
    return statuses.get(name);
  }
}
