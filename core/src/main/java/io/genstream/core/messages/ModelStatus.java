package io.genstream.core.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * Which versions of one model its trainer judged good: the version promoted to {@code best},
 * the metric that decided it, and each recent version's status ({@code candidate}, {@code best}
 * or {@code rejected}, with the reason). The trainer is its only writer; generators follow it to
 * serve {@code version: "best"}.
 *
 * <p>On Kafka: the models topic, key {@code <model>/status} (compaction keeps the latest), value
 * this record as JSON, {@code ce_type} {@value #TYPE}. A key that is not {@code <model>/<version>}
 * is skipped by readers that only want versions, so older readers are unaffected.
 *
 * @param model the model's name
 * @param best the version promoted to {@code best}, 0 for none yet
 * @param metric the main metric promotion compares (e.g. {@code fd}, lower is better)
 * @param bestValue that metric's value for {@code best}; null for none
 * @param versions the status of the newest {@value #MAX_VERSIONS} versions judged, by number
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelStatus(String model, long best, String metric, Double bestValue,
    Map<Long, VersionStatus> versions) {

  /** The CloudEvents type of a status record. */
  public static final String TYPE = "genstream.modelstatus.v1";
  /** What a status record's key ends with, after the model's name. */
  public static final String KEY_SUFFIX = "/status";
  /** Statuses kept: a long-running trainer's status record stays small. */
  public static final int MAX_VERSIONS = 256;

  public static final String CANDIDATE = "candidate";
  public static final String BEST = "best";
  public static final String REJECTED = "rejected";

  /**
   * One version's status.
   *
   * @param status {@value #CANDIDATE}, {@value #BEST} or {@value #REJECTED}
   * @param reason why, in words (the deciding figures); may be empty
   */
  public record VersionStatus(String status, String reason) {
    public VersionStatus {
      Objects.requireNonNull(status, "status");
      if (!status.equals(CANDIDATE) && !status.equals(BEST) && !status.equals(REJECTED)) {
        throw new IllegalArgumentException(
            "status must be candidate, best or rejected, got '" + status + "'");
      }
      reason = reason == null ? "" : reason;
    }
  }

  public ModelStatus {
    Objects.requireNonNull(model, "model");
    if (!ModelManifest.isValidName(model)) {
      throw new IllegalArgumentException("model name must be [A-Za-z0-9._-]+, got '" + model + "'");
    }
    if (best < 0) {
      throw new IllegalArgumentException("best must be >= 0, got " + best);
    }
    TreeMap<Long, VersionStatus> sorted = new TreeMap<>(versions == null ? Map.of() : versions);
    while (sorted.size() > MAX_VERSIONS) {
      sorted.pollFirstEntry();
    }
    versions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sorted));
  }

  /** A model none of whose versions was judged yet. */
  public static ModelStatus none(String model, String metric) {
    return new ModelStatus(model, 0, metric, null, Map.of());
  }

  /** The key of {@code model}'s status record. */
  public static String key(String model) {
    return model + KEY_SUFFIX;
  }

  /** Whether a models-topic key is a status record's (and not a version's). */
  public static boolean isStatusKey(String key) {
    return key != null && key.endsWith(KEY_SUFFIX)
        && ModelManifest.isValidName(key.substring(0, key.length() - KEY_SUFFIX.length()));
  }

  /** The model a status key belongs to. */
  public static String modelOf(String statusKey) {
    if (!isStatusKey(statusKey)) {
      throw new IllegalArgumentException("not a status key: '" + statusKey + "'");
    }
    return statusKey.substring(0, statusKey.length() - KEY_SUFFIX.length());
  }

  /** Whether some version is {@code best}. */
  public boolean hasBest() {
    return best > 0;
  }

  /**
   * The status of {@code version}: {@code best} if it is the best one, else what was recorded
   * for it, {@code null} if it was never judged (or is older than the versions kept).
   */
  public String statusOf(long version) {
    if (version == best && best > 0) {
      return BEST;
    }
    VersionStatus status = versions.get(version);
    if (status == null) {
      return null;
    }
    // A former best that was overtaken is a candidate again.
    return status.status().equals(BEST) ? CANDIDATE : status.status();
  }

  /** The reason recorded for {@code version}, empty if none. */
  public String reasonOf(long version) {
    VersionStatus status = versions.get(version);
    return status == null ? "" : status.reason();
  }

  /**
   * This status with {@code version} judged: promoted to best (with its metric's value),
   * rejected or left a candidate.
   */
  public ModelStatus judged(long version, VersionStatus status, Double value) {
    Map<Long, VersionStatus> next = new LinkedHashMap<>(versions);
    next.put(version, status);
    boolean promoted = status.status().equals(BEST);
    return new ModelStatus(model, promoted ? version : best, metric,
        promoted ? value : bestValue, next);
  }

  public String toJson() {
    return Json.write(this);
  }

  /** @throws IllegalArgumentException if {@code json} is not a valid status */
  public static ModelStatus fromJson(String json) {
    return Json.read(json, ModelStatus.class);
  }

  /** The record that publishes this status on {@code topic}. */
  public ProducerRecord<String, byte[]> toRecord(String topic, String source) {
    Headers headers = CloudEvents.headers(TYPE, source, "application/json");
    CloudEvents.header(headers, "model", model);
    if (best > 0) {
      CloudEvents.header(headers, "modelversion", best);
    }
    return new ProducerRecord<>(topic, null, key(model),
        toJson().getBytes(StandardCharsets.UTF_8), headers);
  }

  /**
   * The status a models-topic record carries.
   *
   * @throws IllegalArgumentException if the record is not a valid status record of the model
   *     its key names
   */
  public static ModelStatus fromRecord(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      throw new IllegalArgumentException("status record " + record.key() + " has no value");
    }
    ModelStatus status = fromJson(new String(record.value(), StandardCharsets.UTF_8));
    if (!key(status.model()).equals(record.key())) {
      throw new IllegalArgumentException("status record key '" + record.key()
          + "' does not match its model '" + status.model() + "'");
    }
    return status;
  }
}
