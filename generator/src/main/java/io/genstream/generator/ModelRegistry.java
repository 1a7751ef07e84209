package io.genstream.generator;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;

import io.genstream.generator.internal.KafkaModelRegistry;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * The model versions a generator can serve, kept up to date from the models topic.
 *
 * <ul>
 *   <li><b>Following.</b> {@link #start()} reads the compacted models topic from the beginning
 *       and keeps following it (no consumer group, nothing committed). Every valid version is
 *       kept as bytes; invalid records (bad manifest, SHA-256 mismatch, a graph that does not
 *       match its manifest) are logged and skipped, never fatal. A load that fails for any other
 *       reason (the runtime out of memory, a provider error) is not remembered: the version stays
 *       listed and a request retries it after a back-off. A tombstone removes a version.
 *   <li><b>Other graphs.</b> A version's other graphs ({@code <model>/<version>/<graph>}, a
 *       VAE's encoder) are kept with it, checked against the manifest's SHA-256, whether their
 *       record comes before the version's (as the trainer publishes them) or after; their
 *       tombstones remove them. The encoder is loaded on the first
 *       {@link ModelLease#encoder()} that asks for it and closed with its version's session.
 *   <li><b>Promotion.</b> The trainer's status record ({@code <model>/status}, a
 *       {@link ModelStatus}) names the version {@code best} serves; the latest one read wins, a
 *       tombstone clears it. Until a version is promoted, {@code best} is not ready (a request
 *       waits); a status may come before the model's versions and applies once they arrive.
 *   <li><b>Bounded memory.</b> See {@link RegistryOptions#retainedVersionsPerModel()}.
 *   <li><b>Readiness.</b> {@link #ready()} completes once the follower has read up to the end
 *       offsets the topic had at start, so a service can hold requests until then instead of
 *       rejecting models it simply has not read yet.
 *   <li><b>Hot swap.</b> After catch-up a new version's session is built <em>before</em> it
 *       becomes {@code latest}, so the swap is one atomic step and no request waits for a
 *       load. Requests hold a {@link ModelLease}; a session is closed only after its last lease.
 *   <li><b>Bounded sessions.</b> See {@link RegistryOptions#openSessionsPerModel()}.
 * </ul>
 *
 * <p><b>Threading.</b> All methods are thread-safe. {@link #acquire} may block while it loads a
 * version that has no open session (old pinned versions): call it from the inference
 * scheduler. The follower loads versions on a thread of its own.
 *
 * <p><b>Ownership.</b> The registry owns every session it opens and the consumer it follows
 * with. {@link #close()} stops following and closes each session as soon as its last lease is
 * closed; acquiring after close throws {@link IllegalStateException}.
 */
public interface ModelRegistry extends AutoCloseable {

  /** A registry following {@code options.modelsTopic()}, loading sessions with {@code loader}. */
  static ModelRegistry create(RegistryOptions options, ModelLoader loader) {
    return new KafkaModelRegistry(options, loader);
  }

  /**
   * A registry of one loaded version and nothing to follow, serving {@code latest} and its
   * number; it owns the model and closes it on {@link #close()}.
   */
  static ModelRegistry of(GenerativeModel model) {
    return new SingleModelRegistry(model);
  }

  /** Starts following the topic; returns {@code this}. Calling it twice is an error. */
  ModelRegistry start();

  /** Completes once the versions published before {@link #start()} have been read. */
  Mono<Void> ready();

  /**
   * Leases a version for one piece of work.
   *
   * @param model the model name
   * @param version {@code latest} (the newest version that loads), {@code best} (the version
   *     its trainer promoted, see {@link #status}) or a version number
   * @throws UnknownModelException if the model or version is unknown or cannot be loaded; the
   *     message names the valid choices
   * @throws ModelNotReadyException if the version may serve later: its load is being retried,
   *     or {@code best} while no version is promoted yet
   * @throws IllegalStateException after {@link #close()}
   */
  ModelLease acquire(String model, String version);

  /**
   * Where the sessions loaded from now on run: the loader's requested provider, or CPU once it
   * fell back (see {@link ModelLoader#onnxRuntime(int, ModelLoader.ExecutionProvider)}).
   */
  default ModelLoader.ExecutionProvider executionProvider() {
    return ModelLoader.ExecutionProvider.CPU;
  }

  /**
   * Every known version of {@code model}, ascending, with its manifest and status (for
   * {@code /v1/models} and the Open Inference Protocol's metadata); empty for an unknown model.
   */
  default List<VersionInfo> describe(String model) {
    return List.of();
  }

  /**
   * The latest promotion record of {@code model} ({@code <model>/status} on the models topic):
   * which version is {@code best} and each judged version's status; null if none was read.
   */
  default ModelStatus status(String model) {
    return null;
  }

  /** Whether a version serves now, may serve, or cannot. */
  enum VersionStatus {
    /** A session is open: requests run at once. */
    LOADED,
    /** Its bytes are kept; the first request loads it. */
    AVAILABLE,
    /** Its last load failed for a reason that may pass; retried after a back-off. */
    RETRYING,
    /** It can never load (invalid model); requests for it are refused. */
    FAILED,
    /** Listed, but its bytes were dropped by the retention bound; it cannot be loaded again. */
    EVICTED;

    /** Whether a request for this version may be served now or after a load. */
    public boolean servable() {
      return this == LOADED || this == AVAILABLE;
    }
  }

  /**
   * One version as the registry knows it.
   *
   * @param reason why it failed or is retrying; null otherwise
   */
  record VersionInfo(ModelManifest manifest, VersionStatus status, String reason) {}

  /** The versions known per model, ascending; a snapshot. */
  Map<String, List<Long>> versions();

  /** Stops following, then closes every session once it is unused. Idempotent. */
  @Override
  void close();
}
