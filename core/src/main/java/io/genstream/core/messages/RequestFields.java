package io.genstream.core.messages;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Reads a {@link GenerationRequest} from a parsed JSON tree: field names, types and array sizes,
 * with messages that name the field and quote (a cut of) the value. The record checks what the
 * values mean. Used by {@link RequestParser}, which bounds the bytes before parsing.
 */
final class RequestFields {

  private static final Set<String> FIELDS = Set.of("requestId", "model", "version", "count",
      "seed", "label", "labels", "truncation", "latents", "interpolation", "image", "spread",
      "format", "replyTopic", "labelName");
  private static final Set<String> INTERPOLATION_FIELDS = Set.of("from", "to", "steps");
  /** Longest piece of a rejected value quoted in a message: enough to recognise it. */
  private static final int SHOWN_CHARS = 40;

  private RequestFields() {}

  /**
   * The request in a parsed JSON tree. {@link RequestParser} checked the bytes' limits, the
   * length of field names and the nesting; string values are checked here, per field, because
   * one of them ({@code image}) may take the whole request. Arrays are checked for size before
   * anything is allocated for them.
   */
  static GenerationRequest read(
      JsonNode node, int maxStringLength, String defaultRequestId, LongSupplier defaultSeed) {
    if (node == null || !node.isObject()) {
      throw new InvalidRequestException("request must be a JSON object");
    }
    checkFieldNames(node, FIELDS, "");
    List<Integer> labels = node.hasNonNull("labels") ? labels(node.get("labels")) : null;
    float[][] latents = node.hasNonNull("latents") ? latents(node.get("latents")) : null;
    GenerationRequest.Interpolation interpolation =
        node.hasNonNull("interpolation") ? interpolation(node.get("interpolation")) : null;
    int count;
    if (node.has("count")) {
      count = integer(node.get("count"), "count");
    } else if (latents != null) {
      count = latents.length;
    } else if (interpolation != null) {
      count = interpolation.steps();
    } else if (labels != null) {
      count = labels.size();
    } else {
      count = 1;
    }
    return new GenerationRequest(
        node.hasNonNull("requestId") ? text(node, "requestId", maxStringLength) : defaultRequestId,
        node.hasNonNull("model") ? text(node, "model", maxStringLength) : null,
        node.hasNonNull("version") ? text(node, "version", maxStringLength) : GenerationRequest.LATEST,
        count,
        node.hasNonNull("seed") ? longValue(node.get("seed"), "seed") : defaultSeed.getAsLong(),
        node.hasNonNull("label") && !node.get("label").isTextual()
            ? integer(node.get("label"), "label") : null,
        labels,
        node.hasNonNull("truncation") ? floatValue(node.get("truncation"), "truncation") : null,
        latents,
        interpolation,
        node.hasNonNull("image") ? image(node.get("image")) : null,
        node.hasNonNull("spread") ? floatValue(node.get("spread"), "spread") : null,
        node.hasNonNull("format") ? GenerationRequest.Format.of(text(node, "format", maxStringLength)) : null,
        node.hasNonNull("replyTopic") ? text(node, "replyTopic", maxStringLength) : null,
        labelName(node, maxStringLength));
  }

  private static void checkFieldNames(JsonNode node, Set<String> known, String prefix) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        throw new InvalidRequestException(
            "unknown field '" + prefix + name + "', expected one of " + known);
      }
    }
  }

  private static String text(JsonNode node, String field, int maxStringLength) {
    JsonNode value = node.get(field);
    if (field.equals("version") && value.isIntegralNumber()) {
      return value.asText(); // "version": 3 is as clear as "version": "3"
    }
    if (!value.isTextual()) {
      throw new InvalidRequestException(field + " must be a string, got " + shown(value));
    }
    // Jackson lets strings as long as the request through (an image takes all of it); this is
    // the limit of every other string, and names the field.
    if (value.asText().length() > maxStringLength) {
      throw new InvalidRequestException(field + " of " + value.asText().length()
          + " characters exceeds maxStringLength " + maxStringLength);
    }
    return value.asText();
  }

  private static int integer(JsonNode value, String field) {
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new InvalidRequestException(field + " must be an integer, got " + shown(value));
    }
    return value.intValue();
  }

  private static long longValue(JsonNode value, String field) {
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new InvalidRequestException(field + " must be an integer, got " + shown(value));
    }
    return value.longValue();
  }

  /**
   * The float nearest the number's decimal text. {@link RequestParser} reads fractions as
   * {@link java.math.BigDecimal}s, so this rounds once: going through a double could round twice
   * and miss the float that {@link #toJson} wrote.
   */
  private static float floatValue(JsonNode value, String field) {
    if (!value.isNumber()) {
      throw new InvalidRequestException(field + " must be a number, got " + shown(value));
    }
    float f = value.decimalValue().floatValue();
    if (!Float.isFinite(f)) {
      throw new InvalidRequestException(
          field + " must be a finite float, got " + shown(value) + ", out of float's range");
    }
    return f;
  }

  /**
   * A class name given as {@code "label": "cat"}, or as {@code labelName} (how
   * {@link GenerationRequest#toJson} writes it); not both.
   */
  private static String labelName(JsonNode node, int maxStringLength) {
    boolean named = node.hasNonNull("label") && node.get("label").isTextual();
    if (named && node.hasNonNull("labelName")) {
      throw new InvalidRequestException("give label or labelName, not both");
    }
    if (named) {
      return text(node, "label", maxStringLength);
    }
    return node.hasNonNull("labelName") ? text(node, "labelName", maxStringLength) : null;
  }

  private static List<Integer> labels(JsonNode value) {
    checkArray(value, "labels", "labels", GenerationRequest.MAX_COUNT, "images per request (MAX_COUNT)");
    List<Integer> labels = new ArrayList<>(value.size());
    for (int i = 0; i < value.size(); i++) {
      labels.add(integer(value.get(i), "labels[" + i + "]"));
    }
    return labels;
  }

  private static float[][] latents(JsonNode value) {
    checkArray(value, "latents", "rows", GenerationRequest.MAX_COUNT, "images per request (MAX_COUNT)");
    float[][] latents = new float[value.size()][];
    for (int i = 0; i < value.size(); i++) {
      JsonNode row = value.get(i);
      checkArray(row, "latents row " + i, "values", GenerationRequest.MAX_LATENT_DIM, "(MAX_LATENT_DIM)");
      latents[i] = new float[row.size()];
      for (int j = 0; j < row.size(); j++) {
        latents[i][j] = floatValue(row.get(j), "latents[" + i + "][" + j + "]");
      }
    }
    return latents;
  }

  private static void checkArray(JsonNode value, String field, String items, int max, String why) {
    if (!value.isArray()) {
      throw new InvalidRequestException(field + " must be an array, got " + shown(value));
    }
    if (value.isEmpty() || value.size() > max) {
      throw new InvalidRequestException(field + " has " + value.size() + " " + items
          + ", must have 1.." + max + " " + why);
    }
  }

  private static GenerationRequest.Interpolation interpolation(JsonNode value) {
    if (!value.isObject()) {
      throw new InvalidRequestException("interpolation must be an object"
          + " {\"from\": <seed>, \"to\": <seed>, \"steps\": <n>}, got " + shown(value));
    }
    checkFieldNames(value, INTERPOLATION_FIELDS, "interpolation.");
    for (String field : List.of("from", "to", "steps")) {
      if (!value.hasNonNull(field)) {
        throw new InvalidRequestException("interpolation." + field + " is required");
      }
    }
    return new GenerationRequest.Interpolation(longValue(value.get("from"), "interpolation.from"),
        longValue(value.get("to"), "interpolation.to"),
        integer(value.get("steps"), "interpolation.steps"));
  }

  private static byte[] image(JsonNode value) {
    if (!value.isTextual()) {
      throw new InvalidRequestException(
          "image must be a base64 string of PNG bytes, got " + shown(value));
    }
    try {
      return Base64.getDecoder().decode(value.asText());
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException("image must be standard base64 (A-Z a-z 0-9 + /, '='"
          + " padding, no line breaks) of PNG bytes: " + e.getMessage());
    }
  }

  /** A value for a message: its JSON, cut short, since it may be as long as the request. */
  private static String shown(JsonNode value) {
    String json = value.toString();
    return json.length() <= SHOWN_CHARS
        ? json
        : json.substring(0, SHOWN_CHARS) + "…(" + json.length() + " characters)";
  }
}
