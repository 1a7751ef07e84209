package io.genstream.generator;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ModelRegistry} follows the models topic.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param modelsTopic the compacted topic versions are published on
 * @param openSessionsPerModel how many versions per model keep a session open, at least 1. The
 *     newest loadable version is always open; older versions asked for by number are loaded on
 *     demand from the bytes the registry keeps and the least recently used one beyond this bound
 *     is closed once no request holds it. Each session costs the model's weights in native
 *     memory plus the runtime's arena.
 * @param catchUpTimeout how long {@link ModelRegistry#ready()} waits to reach the end offsets
 *     seen at start before it completes anyway (with a warning); guards against offsets that can
 *     never be reached, such as transaction markers at the end of a partition
 */
public record RegistryOptions(
    String bootstrapServers, String modelsTopic, int openSessionsPerModel, Duration catchUpTimeout) {

  public RegistryOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(modelsTopic, "modelsTopic");
    Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
    if (openSessionsPerModel < 1) {
      throw new IllegalArgumentException("openSessionsPerModel must be >= 1, got " + openSessionsPerModel);
    }
    if (catchUpTimeout.isNegative() || catchUpTimeout.isZero()) {
      throw new IllegalArgumentException("catchUpTimeout must be positive, got " + catchUpTimeout);
    }
  }

  /** Two open sessions per model (the newest and one pinned), 30 s to catch up. */
  public static RegistryOptions defaults(String bootstrapServers, String modelsTopic) {
    return new RegistryOptions(bootstrapServers, modelsTopic, 2, Duration.ofSeconds(30));
  }
}
