package io.genstream.core.messages;

import io.genstream.core.image.Png;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * One generated image on the results topic (or a request's reply topic): the image as the
 * value, the request id as the key, and everything needed to reproduce it in headers
 * ({@code ce_requestid}, {@code ce_model}, {@code ce_modelversion}, {@code ce_seed},
 * {@code ce_index}, {@code ce_count}, {@code ce_label} where the model is conditional), plus
 * {@code ce_shape} ({@code C,H,W}) and {@code ce_provider} (where it was computed) when known.
 *
 * <p>Two formats: {@value #CONTENT_TYPE} (PNG, gray or RGB), or {@value #RAW_CONTENT_TYPE}
 * with {@code ce_dtype=uint8}: {@code C×H×W} bytes, channel planes one after another.
 *
 * @param index 0-based position of this image in its request
 * @param count how many images the request asked for
 * @param label class label, or -1 for an unconditional model
 * @param data the PNG or raw bytes, as {@code contentType} says
 * @param contentType {@value #CONTENT_TYPE} or {@value #RAW_CONTENT_TYPE}
 * @param shape {@code "C,H,W"}, or {@code null} where unknown (required for raw)
 * @param provider the execution provider that computed it ({@code cpu}, {@code cuda}), or null
 */
public record GeneratedImage(
    String requestId, String model, long version, long seed, int index, int count, int label,
    byte[] data, String contentType, String shape, String provider) {

  public static final String CONTENT_TYPE = "image/png";
  public static final String RAW_CONTENT_TYPE = "application/octet-stream";

  public GeneratedImage {
    if (!CONTENT_TYPE.equals(contentType) && !RAW_CONTENT_TYPE.equals(contentType)) {
      throw new IllegalArgumentException("contentType must be " + CONTENT_TYPE + " or "
          + RAW_CONTENT_TYPE + ", got " + contentType);
    }
    if (RAW_CONTENT_TYPE.equals(contentType) && shape == null) {
      throw new IllegalArgumentException("a raw image needs its shape");
    }
  }

  /** A PNG result without shape or provider (tests, older producers). */
  public GeneratedImage(String requestId, String model, long version, long seed, int index,
      int count, int label, byte[] png) {
    this(requestId, model, version, seed, index, count, label, png, CONTENT_TYPE, null, null);
  }

  /** Whether the value is raw uint8 CHW bytes rather than a PNG. */
  public boolean raw() {
    return RAW_CONTENT_TYPE.equals(contentType);
  }

  /**
   * The PNG bytes.
   *
   * @throws IllegalStateException if this is a raw result
   */
  public byte[] png() {
    if (raw()) {
      throw new IllegalStateException("result " + requestId + "#" + index + " is raw, not PNG");
    }
    return data;
  }

  public ProducerRecord<String, byte[]> toRecord(String topic, String source) {
    // The extension names are constants that the headers do not have yet: added directly,
    // without CloudEvents.header's name check and replace (this runs for every result).
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_RESULT, source, contentType);
    CloudEvents.add(headers, "ce_requestid", String.valueOf(requestId));
    CloudEvents.add(headers, "ce_model", String.valueOf(model));
    CloudEvents.add(headers, "ce_modelversion", Long.toString(version));
    CloudEvents.add(headers, "ce_seed", Long.toString(seed));
    CloudEvents.add(headers, "ce_index", Integer.toString(index));
    CloudEvents.add(headers, "ce_count", Integer.toString(count));
    if (label >= 0) {
      CloudEvents.add(headers, "ce_label", Integer.toString(label));
    }
    if (shape != null) {
      CloudEvents.add(headers, "ce_shape", shape);
    }
    if (raw()) {
      CloudEvents.add(headers, "ce_dtype", "uint8");
    }
    if (provider != null) {
      CloudEvents.add(headers, "ce_provider", provider);
    }
    return new ProducerRecord<>(topic, null, requestId, data, headers);
  }

  /**
   * @throws IllegalArgumentException if a required header is missing or not a number, or the
   *     value is not what its content type says
   */
  public static GeneratedImage fromRecord(ConsumerRecord<String, byte[]> record) {
    Headers h = record.headers();
    Header type = h.lastHeader(CloudEvents.CONTENT_TYPE);
    String contentType = type == null || type.value() == null
        ? CONTENT_TYPE : new String(type.value(), StandardCharsets.UTF_8);
    String shape = CloudEvents.attribute(h, "shape").orElse(null);
    if (CONTENT_TYPE.equals(contentType) && !Png.hasSignature(record.value())) {
      throw new IllegalArgumentException("value is not a PNG image");
    }
    if (RAW_CONTENT_TYPE.equals(contentType) && shape == null) {
      throw new IllegalArgumentException("missing header ce_shape on a raw image");
    }
    return new GeneratedImage(
        CloudEvents.requiredAttribute(h, "requestid"),
        CloudEvents.requiredAttribute(h, "model"),
        Long.parseLong(CloudEvents.requiredAttribute(h, "modelversion")),
        Long.parseLong(CloudEvents.requiredAttribute(h, "seed")),
        Integer.parseInt(CloudEvents.requiredAttribute(h, "index")),
        Integer.parseInt(CloudEvents.requiredAttribute(h, "count")),
        CloudEvents.attribute(h, "label").map(Integer::parseInt).orElse(-1),
        record.value(), contentType, shape,
        CloudEvents.attribute(h, "provider").orElse(null));
  }
}
