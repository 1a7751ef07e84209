package io.genstream.generator.http;

import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.generator.BestVersion;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.ModelRegistry.VersionInfo;
import io.genstream.generator.UnknownModelException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * What the HTTP routes know about models: the registry's versions, looked up by name and by
 * version as a request names them. A model the registry does not know is unknown (404) once the
 * registry has caught up with the models topic; before that it may simply not be read yet (503).
 * Thread-safe; never blocks.
 */
final class ModelDirectory {

  private final ModelRegistry registry;
  private final BooleanSupplier caughtUp;

  ModelDirectory(ModelRegistry registry, BooleanSupplier caughtUp) {
    this.registry = registry;
    this.caughtUp = caughtUp;
  }

  ModelRegistry registry() {
    return registry;
  }

  /** Whether the registry has read the versions published before it started. */
  boolean caughtUp() {
    return caughtUp.getAsBoolean();
  }

  /** Every model name, sorted. */
  List<String> names() {
    return new ArrayList<>(registry.versions().keySet());
  }

  /**
   * Every version of {@code name}, ascending.
   *
   * @throws UnknownModelException if the registry, caught up, does not know it
   * @throws ModelNotReadyException if the registry does not know it and is still catching up
   */
  List<VersionInfo> versions(String name) {
    List<VersionInfo> versions = registry.describe(name);
    if (versions.isEmpty()) {
      if (!caughtUp()) {
        throw new ModelNotReadyException("model registry is still reading the models topic; "
            + "model '" + name + "' may be among the versions not read yet");
      }
      throw new UnknownModelException("unknown model '" + name + "', known models: " + names());
    }
    return versions;
  }

  /**
   * The version {@code version} names: {@code latest} (or {@code null}) is the newest that can
   * serve ({@link #latest}), falling back to the newest known; {@code best} is the one its
   * trainer promoted ({@link BestVersion#resolve}); a number is that version.
   *
   * @throws UnknownModelException naming the known versions
   * @throws ModelNotReadyException for {@code best} while no version is promoted (503)
   */
  VersionInfo version(String name, String version) {
    List<VersionInfo> versions = versions(name);
    if (version == null || version.equals(GenerationRequest.LATEST)) {
      VersionInfo latest = latest(versions);
      return latest != null ? latest : versions.get(versions.size() - 1);
    }
    if (version.equals(GenerationRequest.BEST)) {
      long best = BestVersion.resolve(name, status(name), numbers(versions));
      return versions.stream().filter(v -> v.manifest().version() == best).findFirst()
          .orElseThrow();
    }
    long number;
    try {
      number = Long.parseLong(version);
    } catch (NumberFormatException e) {
      throw new UnknownModelException(
          "version must be 'latest', 'best' or a number, got '" + version + "'");
    }
    for (VersionInfo info : versions) {
      if (info.manifest().version() == number) {
        return info;
      }
    }
    throw new UnknownModelException("unknown version " + number + " of model '" + name
        + "', known versions: " + numbers(versions));
  }

  /** The latest promotion record of {@code name}, or null. */
  ModelStatus status(String name) {
    return registry.status(name);
  }

  /**
   * The version {@code latest} resolves to: the newest that is loaded or available, or
   * {@code null} if none can serve now.
   */
  static VersionInfo latest(List<VersionInfo> versions) {
    for (int i = versions.size() - 1; i >= 0; i--) {
      if (versions.get(i).status().servable()) {
        return versions.get(i);
      }
    }
    return null;
  }

  static List<Long> numbers(List<VersionInfo> versions) {
    return versions.stream().map(v -> v.manifest().version()).toList();
  }
}
