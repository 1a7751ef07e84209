package io.genstream.core.messages;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * CloudEvents' Kafka binary mode: event attributes travel as {@code ce_*} headers, the payload
 * is the record value.
 *
 * <p>Domain attributes are CloudEvents extensions; their names must be lower-case letters and
 * digits only, which {@link #header(Headers, String, Object)} checks.
 */
public final class CloudEvents {

  public static final String SPEC_VERSION = "1.0";
  public static final String PREFIX = "ce_";
  public static final String CONTENT_TYPE = "content-type";

  /** Event types, versioned so that consumers can refuse what they do not understand. */
  public static final String TYPE_IMAGE = "genstream.image.v1";
  public static final String TYPE_REQUEST = "genstream.request.v1";
  public static final String TYPE_RESULT = "genstream.result.v1";
  public static final String TYPE_MODEL = "genstream.model.v1";
  public static final String TYPE_TRAINING = "genstream.training.v1";
  public static final String TYPE_DEADLETTER = "genstream.deadletter.v1";
  public static final String TYPE_CHECKPOINT = "genstream.checkpoint.v1";
  public static final String TYPE_FRAME = "genstream.frame.v1";
  public static final String TYPE_PREDICTION = "genstream.prediction.v1";

  private CloudEvents() {}

  /**
   * New headers with the required attributes ({@code ce_specversion}, {@code ce_id},
   * {@code ce_source}, {@code ce_type}, {@code ce_time}) and the content type.
   */
  public static Headers headers(String type, String source, String contentType) {
    // New headers have nothing to replace: add, rather than put's remove-then-add.
    Headers headers = new RecordHeaders();
    add(headers, "ce_specversion", SPEC_VERSION);
    add(headers, "ce_id", EventIds.next());
    add(headers, "ce_source", source);
    add(headers, "ce_type", type);
    add(headers, "ce_time", EventTimes.format(Instant.now()));
    add(headers, CONTENT_TYPE, contentType);
    return headers;
  }

  /**
   * Adds header {@code key} (the full name, {@code ce_} included) without looking for one to
   * replace and without checking the name: for a record's own constant extension names, on
   * headers that do not have them yet.
   */
  static void add(Headers headers, String key, String value) {
    headers.add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Adds (or replaces) the extension attribute {@code ce_<name>} with {@code value}'s string form. */
  public static Headers header(Headers headers, String name, Object value) {
    if (!isAttributeName(name)) {
      throw new IllegalArgumentException(
          "CloudEvents attribute names are lower-case letters and digits, got '" + name + "'");
    }
    put(headers, name, String.valueOf(value));
    return headers;
  }

  /** The value of attribute {@code ce_<name>}, if present. */
  public static Optional<String> attribute(Headers headers, String name) {
    Header header = headers.lastHeader(PREFIX + name);
    return header == null || header.value() == null
        ? Optional.empty()
        : Optional.of(new String(header.value(), StandardCharsets.UTF_8));
  }

  /**
   * Whether {@code record} is of {@code type}, for the readers of the pipeline's own topics
   * (models, statuses, checkpoints), which skip anything else rather than take a stranger's
   * record for theirs: its {@code ce_type} is {@code type}, or it is a tombstone (null value)
   * without one.
   */
  public static boolean isOfType(ConsumerRecord<?, byte[]> record, String type) {
    Optional<String> actual = attribute(record.headers(), "type");
    return actual.map(type::equals).orElse(record.value() == null);
  }

  /** The value of attribute {@code ce_<name>}, or an {@link IllegalArgumentException} naming it. */
  public static String requiredAttribute(Headers headers, String name) {
    return attribute(headers, name)
        .orElseThrow(() -> new IllegalArgumentException("missing header " + PREFIX + name));
  }

  /** Lower-case letters and digits, at least one: CloudEvents' rule for attribute names. */
  static boolean isAttributeName(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((c < 'a' || c > 'z') && (c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(PREFIX + name);
    headers.add(PREFIX + name, value.getBytes(StandardCharsets.UTF_8));
  }
}
