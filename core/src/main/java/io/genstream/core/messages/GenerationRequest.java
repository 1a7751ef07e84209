package io.genstream.core.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Set;
import java.util.UUID;

/**
 * A request for {@code count} images from a model, as JSON a person can type into a console
 * producer:
 *
 * <pre>{"requestId": "r1", "model": "digits", "count": 8, "seed": 42, "label": 7}</pre>
 *
 * <p>Only {@code model} is required. {@code version} is {@code latest} (the default) or a
 * version number; {@code seed} defaults to a random one that is echoed on every result, so a
 * result can always be reproduced; {@code label} (conditional models) defaults to labels drawn
 * from the seed; {@code requestId} defaults to a fresh UUID.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationRequest(
    String requestId, String model, String version, int count, long seed, Integer label) {

  public static final int MAX_COUNT = 256;
  private static final Set<String> FIELDS =
      Set.of("requestId", "model", "version", "count", "seed", "label");

  public GenerationRequest {
    if (requestId == null || requestId.isBlank()) {
      throw new InvalidRequestException("requestId must not be blank");
    }
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException("model is required");
    }
    if (version == null) {
      version = "latest";
    }
    if (!version.equals("latest") && !version.matches("[0-9]{1,18}")) {
      throw new InvalidRequestException(
          "version must be 'latest' or a version number, got '" + version + "'");
    }
    if (count < 1 || count > MAX_COUNT) {
      throw new InvalidRequestException("count must be 1.." + MAX_COUNT + ", got " + count);
    }
    if (label != null && label < 0) {
      throw new InvalidRequestException("label must be >= 0, got " + label);
    }
  }

  /**
   * Parses and validates a request's JSON bytes under {@link RequestParser}'s default limits; an
   * absent {@code requestId} becomes a fresh UUID, an absent {@code seed} a random one. A
   * service that can derive them from where the request came from uses
   * {@link RequestParser#parse} instead, so that a redelivered request gives the same images.
   *
   * @throws InvalidRequestException with a message fit for the dead-letter reason
   */
  public static GenerationRequest parse(byte[] json) {
    return RequestParser.defaults().parse(
        json, UUID.randomUUID().toString(), UUID.randomUUID().getMostSignificantBits() >>> 1);
  }

  /** The request in a parsed JSON tree; {@link RequestParser} checked the bytes' limits. */
  static GenerationRequest fromTree(
      JsonNode node, int maxStringLength, String defaultRequestId, long defaultSeed) {
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException("request must be a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) {
        throw new InvalidRequestException("unknown field '" + name + "', expected one of " + FIELDS);
      }
    }
    return new GenerationRequest(
        node.hasNonNull("requestId") ? text(node, "requestId", maxStringLength) : defaultRequestId,
        node.hasNonNull("model") ? text(node, "model", maxStringLength) : null,
        node.hasNonNull("version") ? text(node, "version", maxStringLength) : "latest",
        node.has("count") ? integer(node, "count") : 1,
        node.hasNonNull("seed") ? longValue(node, "seed") : defaultSeed,
        node.hasNonNull("label") ? integer(node, "label") : null);
  }

  public byte[] toJson() {
    return Json.write(this).getBytes(StandardCharsets.UTF_8);
  }

  private static String text(JsonNode node, String field, int maxStringLength) {
    JsonNode value = node.get(field);
    if (field.equals("version") && value.isIntegralNumber()) {
      return value.asText(); // "version": 3 is as clear as "version": "3"
    }
    if (!value.isTextual()) {
      throw new InvalidRequestException(field + " must be a string, got " + value);
    }
    // Jackson's limit counts UTF-16 units before decoding; this names the field.
    if (value.asText().length() > maxStringLength) {
      throw new InvalidRequestException(field + " of " + value.asText().length()
          + " characters exceeds maxStringLength " + maxStringLength);
    }
    return value.asText();
  }

  private static int integer(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (!value.canConvertToInt() || !value.isIntegralNumber()) {
      throw new InvalidRequestException(field + " must be an integer, got " + value);
    }
    return value.intValue();
  }

  private static long longValue(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new InvalidRequestException(field + " must be an integer, got " + value);
    }
    return value.longValue();
  }
}
