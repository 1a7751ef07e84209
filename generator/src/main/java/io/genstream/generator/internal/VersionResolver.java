package io.genstream.generator.internal;

import io.genstream.generator.BestVersion;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.UnknownModelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Resolves what a request asks for, a model and {@code latest}, {@code best} or a version
 * number, to a lease on one version of a {@link ModelCatalog}:
 * <ul>
 *   <li>{@code latest}: the newest version that loads; if none does, the request waits
 *       ({@link ModelNotReadyException}) while one may still load, else is refused;
 *   <li>{@code best}: the version the model's latest status promotes ({@link BestVersion#resolve});
 *   <li>a number: that version.
 * </ul>
 * Refusals are {@link UnknownModelException}s that list what is known.
 *
 * <p>Works on the catalog's own map of versions and its statuses, which it only reads; loading a
 * version happens in {@link VersionEntry#lease()}, under the entry's lock. Thread-safe.
 */
final class VersionResolver {

  private final Map<String, ConcurrentSkipListMap<Long, VersionEntry>> models;
  private final ModelStatuses statuses;

  /** @param models the catalog's versions by model name, read (never changed) here */
  VersionResolver(Map<String, ConcurrentSkipListMap<Long, VersionEntry>> models,
      ModelStatuses statuses) {
    this.models = models;
    this.statuses = statuses;
  }

  /**
   * A lease on the version of {@code name} that {@code version} names, loading it if no session
   * is open (blocks).
   *
   * @throws UnknownModelException if the model or version is unknown, or can never load
   * @throws ModelNotReadyException while a transient failure's back-off runs
   */
  ModelLease lease(String name, String version) {
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
}
