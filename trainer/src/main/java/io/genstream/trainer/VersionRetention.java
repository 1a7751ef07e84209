package io.genstream.trainer;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Keeps the newest {@code keep} versions of one model on the compacted models topic, plus any
 * version that is pinned or currently {@code best}, and tombstones the rest, so that the topic,
 * a generator's memory and a trainer's start-up scan stay bounded however long training runs.
 *
 * <p>A version owns every key whose first two parts are {@code <model>/<version>}: the version
 * record itself and any graph records {@code <model>/<version>/<graph>} (e.g.
 * {@code digits/7/encoder}). All of them are tombstoned together.
 *
 * <p>Use: {@link #learnExisting(String, Duration)} once at start (reads the topic), then
 * {@link #published(long, List)} after each version is on the broker. Either may be followed by
 * {@link #trim()}; {@code published} trims by itself.
 *
 * <p><b>Memory.</b> Only the versions still live are tracked: after a successful trim, at most
 * {@code keep + pinned + 1} (the {@code +1} being {@code best}). Versions whose tombstones
 * could not be sent stay tracked, so the next trim retries them.
 *
 * <p><b>Threads.</b> Thread-safe: the tracked set is guarded by this object, and no lock is held
 * while sending. Two trims running at once never pick the same version (a victim leaves the
 * tracked set when it is picked). {@link #learnExisting} blocks; call it from a worker thread.
 * The {@code best} supplier is called on the caller's thread of {@code published}/{@code trim}
 * and must be cheap and thread-safe.
 *
 * <p>Tombstones are plain Kafka deletes: key, null value, and CloudEvents headers
 * ({@code ce_type} {@value CloudEvents#TYPE_MODEL}, {@code ce_model}, {@code ce_modelversion},
 * {@code ce_reason=retention}) so that a person reading the topic sees who deleted what.
 * Compaction removes the deleted records only from closed segments of the topic.
 */
public final class VersionRetention {

  private static final Logger log = LoggerFactory.getLogger(VersionRetention.class);

  public static final int MAX_KEEP = 10_000;
  /** A sensible K for a long run: about four minutes of the demo's versions. */
  public static final int DEFAULT_KEEP = 10;
  static final String SOURCE = "genstream-trainer";

  private final KafkaSender<String, byte[]> sender;
  private final String modelsTopic;
  private final String modelName;
  private final int keep;
  private final Set<Long> pinned;
  private final LongSupplier best;

  /** Live versions of this model and their live keys; guarded by {@code this}. */
  private final NavigableMap<Long, Set<String>> tracked = new TreeMap<>();

  /**
   * @param sender sends the tombstones; owned by the caller (not closed here)
   * @param modelsTopic the compacted models topic
   * @param modelName the model whose versions this retains; other models are never touched
   * @param keep how many of the newest versions to keep, 1..{@value #MAX_KEEP}
   * @param pinned versions kept whatever their age (copied)
   * @param best the version currently marked {@code best}, 0 for none; asked at each trim
   * @throws IllegalArgumentException naming the bad value
   */
  public VersionRetention(KafkaSender<String, byte[]> sender, String modelsTopic,
      String modelName, int keep, Set<Long> pinned, LongSupplier best) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.modelsTopic = Objects.requireNonNull(modelsTopic, "modelsTopic");
    this.best = Objects.requireNonNull(best, "best");
    Objects.requireNonNull(pinned, "pinned");
    if (modelsTopic.isBlank()) {
      throw new IllegalArgumentException("modelsTopic must not be blank");
    }
    if (!ModelManifest.isValidName(modelName)) {
      throw new IllegalArgumentException(
          "modelName must be [A-Za-z0-9._-]+, got '" + modelName + "'");
    }
    if (keep < 1 || keep > MAX_KEEP) {
      throw new IllegalArgumentException(
          "keep must be 1.." + MAX_KEEP + " (versions kept per model), got " + keep);
    }
    for (Long version : pinned) {
      if (version == null || version < 1) {
        throw new IllegalArgumentException(
            "pinned versions must be >= 1, got " + version + " in " + pinned);
      }
    }
    this.modelName = modelName;
    this.keep = keep;
    this.pinned = Collections.unmodifiableSet(new TreeSet<>(pinned));
  }

  /** A retention with no pinned versions and no {@code best}. */
  public VersionRetention(KafkaSender<String, byte[]> sender, String modelsTopic,
      String modelName, int keep) {
    this(sender, modelsTopic, modelName, keep, Set.of(), () -> 0L);
  }

  public int keep() {
    return keep;
  }

  public Set<Long> pinned() {
    return pinned;
  }

  /**
   * Reads the models topic to its current end (blocking) and tracks every live version of this
   * model found there. Nothing is deleted yet: call {@link #trim()} for that.
   *
   * @return the live versions found, oldest first
   * @throws IllegalStateException if the end is not reached within {@code timeout}
   */
  public List<Long> learnExisting(KafkaConnection kafka, Duration timeout) {
    SortedMap<Long, Set<String>> live = scan(kafka, modelsTopic, modelName, timeout);
    live.forEach(this::track);
    return List.copyOf(live.keySet());
  }

  /** {@link #learnExisting(KafkaConnection, Duration)} of a plaintext cluster. */
  public List<Long> learnExisting(String bootstrapServers, Duration timeout) {
    return learnExisting(KafkaConnection.of(bootstrapServers), timeout);
  }

  /** {@link #scan(KafkaConnection, String, String, Duration)} of a plaintext cluster. */
  public static SortedMap<Long, Set<String>> scan(String bootstrapServers, String modelsTopic,
      String modelName, Duration timeout) {
    return scan(KafkaConnection.of(bootstrapServers), modelsTopic, modelName, timeout);
  }

  /**
   * The live keys of {@code modelName} on the models topic right now, by version: every key
   * {@code <model>/<version>[/...]} whose latest record has a value. Blocks; other models' keys
   * and keys that are not of this form are ignored.
   */
  public static SortedMap<Long, Set<String>> scan(KafkaConnection kafka, String modelsTopic,
      String modelName, Duration timeout) {
    SortedMap<Long, Set<String>> live = new TreeMap<>();
    TopicScan.readToEnd(kafka, modelsTopic, timeout, record -> {
      long version = versionOf(record.key(), modelName);
      if (version <= 0 || !CloudEvents.isOfType(record, CloudEvents.TYPE_MODEL)) {
        return;
      }
      if (record.value() == null) {
        Set<String> keys = live.get(version);
        if (keys != null) {
          keys.remove(record.key());
          if (keys.isEmpty()) {
            live.remove(version);
          }
        }
      } else {
        live.computeIfAbsent(version, v -> new LinkedHashSet<>()).add(record.key());
      }
    });
    return live;
  }

  /** Tracks {@code version} under its own key only, then trims. */
  public Mono<Void> published(long version) {
    return published(version, List.of(modelName + "/" + version));
  }

  /**
   * Records that {@code version} is on the topic under {@code keys} (its key
   * {@code <model>/<version>} and any graph keys {@code <model>/<version>/<graph>}), then
   * tombstones every version beyond the newest {@code keep} that is neither pinned nor best.
   * Call it once the version's records were acknowledged. The tracking happens at once; the
   * tombstones are sent on subscription.
   *
   * @return completes when every tombstone was acknowledged; errors if one was not (those
   *     versions stay tracked and the next trim retries them)
   * @throws IllegalArgumentException if a key does not belong to {@code <model>/<version>}
   */
  public Mono<Void> published(long version, List<String> keys) {
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("keys of " + modelName + "/" + version
          + " must not be empty (at least " + modelName + "/" + version + ")");
    }
    for (String key : keys) {
      if (versionOf(key, modelName) != version) {
        throw new IllegalArgumentException("key '" + key + "' does not belong to " + modelName
            + "/" + version + " (want " + modelName + "/" + version + "[/<graph>])");
      }
    }
    track(version, keys);
    return trim();
  }

  /**
   * Tombstones, on subscription, every tracked version beyond the newest {@code keep} that is
   * neither pinned nor {@code best}, and forgets them.
   */
  public Mono<Void> trim() {
    return Mono.defer(() -> {
      SortedMap<Long, Set<String>> victims = pickVictims();
      if (victims.isEmpty()) {
        return Mono.empty();
      }
      log.info("retention of {} (keep {}, pinned {}): tombstoning versions {}", modelName, keep,
          pinned, victims.keySet());
      // Victims not yet confirmed deleted: tracked again if a send fails or the trim is
      // cancelled, so that the next trim retries them.
      Map<Long, Set<String>> pending = new ConcurrentHashMap<>(victims);
      return Flux.fromIterable(victims.entrySet())
          .concatMapDelayError(victim -> tombstone(victim.getKey(), victim.getValue())
              .doOnSuccess(done -> pending.remove(victim.getKey()))
              .doOnError(e -> log.warn("retention of {}: version {} not tombstoned ({}), will "
                  + "retry at the next trim", modelName, victim.getKey(), e.toString())), 1)
          .doFinally(signal -> pending.forEach(this::track))
          .then();
    });
  }

  /** The versions tracked right now and their live keys (a snapshot). */
  public synchronized SortedMap<Long, Set<String>> tracked() {
    SortedMap<Long, Set<String>> copy = new TreeMap<>();
    tracked.forEach((version, keys) -> copy.put(version, Set.copyOf(keys)));
    return Collections.unmodifiableSortedMap(copy);
  }

  private synchronized void track(long version, Collection<String> keys) {
    tracked.computeIfAbsent(version, v -> new LinkedHashSet<>()).addAll(keys);
  }

  /** Removes and returns the versions to delete; the rest stay tracked. */
  private SortedMap<Long, Set<String>> pickVictims() {
    long currentBest = best.getAsLong();
    SortedMap<Long, Set<String>> victims = new TreeMap<>();
    synchronized (this) {
      int newer = 0;
      for (Long version : new ArrayList<>(tracked.descendingKeySet())) {
        newer++;
        if (newer <= keep || pinned.contains(version) || version == currentBest) {
          continue;
        }
        victims.put(version, tracked.remove(version));
      }
    }
    return victims;
  }

  /** All keys of one version, version key last (its tombstone is what generators act on). */
  private Mono<Void> tombstone(long version, Set<String> keys) {
    String versionKey = modelName + "/" + version;
    List<String> ordered = new ArrayList<>();
    keys.stream().filter(k -> !k.equals(versionKey)).forEach(ordered::add);
    if (keys.contains(versionKey)) {
      ordered.add(versionKey);
    }
    return Flux.fromIterable(ordered)
        .concatMap(key -> sender.send(tombstoneRecord(key, version)), 1)
        .then();
  }

  private ProducerRecord<String, byte[]> tombstoneRecord(String key, long version) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_MODEL, SOURCE, "application/onnx");
    headers.remove(CloudEvents.CONTENT_TYPE); // no data, so no content type
    CloudEvents.header(headers, "model", modelName);
    CloudEvents.header(headers, "modelversion", version);
    CloudEvents.header(headers, "reason", "retention");
    return new ProducerRecord<>(modelsTopic, null, key, null, headers);
  }

  /**
   * The version a key {@code <model>/<version>[/...]} names for {@code modelName}; 0 for
   * another model's key or one not of that form.
   */
  static long versionOf(String key, String modelName) {
    try {
      PublishedModel.Key parsed = PublishedModel.Key.parse(key);
      return parsed.model().equals(modelName) && parsed.version() > 0 ? parsed.version() : 0;
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }
}
