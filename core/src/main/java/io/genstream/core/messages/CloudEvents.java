package io.genstream.core.messages;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
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

  // Compiled once: headers are written several times per record on every hot path.
  private static final java.util.regex.Pattern ATTRIBUTE_NAME =
      java.util.regex.Pattern.compile("[a-z0-9]+");

  private CloudEvents() {}

  /**
   * New headers with the required attributes ({@code ce_specversion}, {@code ce_id},
   * {@code ce_source}, {@code ce_type}, {@code ce_time}) and the content type.
   */
  public static Headers headers(String type, String source, String contentType) {
    Headers headers = new RecordHeaders();
    put(headers, "specversion", SPEC_VERSION);
    put(headers, "id", UUID.randomUUID().toString());
    put(headers, "source", source);
    put(headers, "type", type);
    put(headers, "time", Instant.now().toString());
    headers.add(CONTENT_TYPE, contentType.getBytes(StandardCharsets.UTF_8));
    return headers;
  }

  /** Adds (or replaces) the extension attribute {@code ce_<name>} with {@code value}'s string form. */
  public static Headers header(Headers headers, String name, Object value) {
    if (!ATTRIBUTE_NAME.matcher(name).matches()) {
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

  /** The value of attribute {@code ce_<name>}, or an {@link IllegalArgumentException} naming it. */
  public static String requiredAttribute(Headers headers, String name) {
    return attribute(headers, name)
        .orElseThrow(() -> new IllegalArgumentException("missing header " + PREFIX + name));
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(PREFIX + name);
    headers.add(PREFIX + name, value.getBytes(StandardCharsets.UTF_8));
  }
}
