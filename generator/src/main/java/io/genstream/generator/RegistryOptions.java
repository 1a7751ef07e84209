package io.genstream.generator;

import io.genstream.core.kafka.KafkaConnection;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link ModelRegistry} follows the models topic.
 *
 * @param kafka the cluster and the client settings of the registry's Kafka clients
 * @param modelsTopic the compacted topic versions are published on
 * @param openSessionsPerModel how many versions per model keep a session open, at least 1. The
 *     newest loadable version is always open; older versions asked for by number are loaded on
 *     demand from the bytes the registry keeps and the least recently used one beyond this bound
 *     is closed once no request holds it. Each session costs the model's weights in native
 *     memory plus the runtime's arena.
 * @param catchUpTimeout how long {@link ModelRegistry#ready()} waits to reach the end offsets
 *     seen at start before it completes anyway (with a warning); guards against offsets that can
 *     never be reached, such as transaction markers at the end of a partition
 * @param retainedVersionsPerModel how many of the newest versions per model keep their ONNX
 *     bytes (their other graphs', such as a VAE's encoder, included) on the heap, and how many
 *     versions' graphs read before their version are held for it,
 *     1..{@value #MAX_RETAINED_VERSIONS} (default
 *     {@value #DEFAULT_RETAINED_VERSIONS}). Older versions stay listed (their manifest is kept)
 *     and keep serving while a session is open for them, but once it is closed they cannot be
 *     loaded again: asking for one names the reason. Bounds the heap to this many model sizes
 *     per model however long the trainer publishes. For every version kept on the topic to stay
 *     loadable, set it to the trainer's {@code --keep-versions} plus its pinned versions.
 */
public record RegistryOptions(
    KafkaConnection kafka, String modelsTopic, int openSessionsPerModel, Duration catchUpTimeout,
    int retainedVersionsPerModel) {

  /** The trainer's default {@code --keep-versions}: every version kept on the topic stays loadable. */
  public static final int DEFAULT_RETAINED_VERSIONS = 20;
  public static final int MAX_RETAINED_VERSIONS = 1000;

  public RegistryOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(modelsTopic, "modelsTopic");
    Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
    if (openSessionsPerModel < 1) {
      throw new IllegalArgumentException("openSessionsPerModel must be >= 1, got " + openSessionsPerModel);
    }
    if (catchUpTimeout.isNegative() || catchUpTimeout.isZero()) {
      throw new IllegalArgumentException("catchUpTimeout must be positive, got " + catchUpTimeout);
    }
    if (retainedVersionsPerModel < 1 || retainedVersionsPerModel > MAX_RETAINED_VERSIONS) {
      throw new IllegalArgumentException("retainedVersionsPerModel must be 1.." + MAX_RETAINED_VERSIONS
          + ", got " + retainedVersionsPerModel);
    }
  }

  /** The options with {@value #DEFAULT_RETAINED_VERSIONS} retained versions per model. */
  public RegistryOptions(
      KafkaConnection kafka, String modelsTopic, int openSessionsPerModel, Duration catchUpTimeout) {
    this(kafka, modelsTopic, openSessionsPerModel, catchUpTimeout, DEFAULT_RETAINED_VERSIONS);
  }

  /** The options for a plaintext cluster without client properties. */
  public RegistryOptions(String bootstrapServers, String modelsTopic, int openSessionsPerModel,
      Duration catchUpTimeout, int retainedVersionsPerModel) {
    this(KafkaConnection.of(bootstrapServers), modelsTopic, openSessionsPerModel, catchUpTimeout,
        retainedVersionsPerModel);
  }

  /** The options for a plaintext cluster, {@value #DEFAULT_RETAINED_VERSIONS} retained versions. */
  public RegistryOptions(
      String bootstrapServers, String modelsTopic, int openSessionsPerModel, Duration catchUpTimeout) {
    this(KafkaConnection.of(bootstrapServers), modelsTopic, openSessionsPerModel, catchUpTimeout);
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /**
   * Two open sessions per model (the newest and one pinned), 30 s to catch up, the bytes of the
   * newest {@value #DEFAULT_RETAINED_VERSIONS} versions per model kept.
   */
  public static RegistryOptions defaults(String bootstrapServers, String modelsTopic) {
    return new RegistryOptions(bootstrapServers, modelsTopic, 2, Duration.ofSeconds(30));
  }
}
