package io.genstream.core.messages;

import io.genstream.core.image.Png;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One generated image on the results topic: PNG bytes as the value, the request id as the key,
 * and everything needed to reproduce it in headers ({@code ce_requestid}, {@code ce_model},
 * {@code ce_modelversion}, {@code ce_seed}, {@code ce_index}, {@code ce_count},
 * {@code ce_label} where the model is conditional).
 *
 * @param index 0-based position of this image in its request
 * @param count how many images the request asked for
 * @param label class label, or -1 for an unconditional model
 */
public record GeneratedImage(
    String requestId, String model, long version, long seed, int index, int count, int label,
    byte[] png) {

  public static final String CONTENT_TYPE = "image/png";

  public ProducerRecord<String, byte[]> toRecord(String topic, String source) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_RESULT, source, CONTENT_TYPE);
    CloudEvents.header(headers, "requestid", requestId);
    CloudEvents.header(headers, "model", model);
    CloudEvents.header(headers, "modelversion", version);
    CloudEvents.header(headers, "seed", seed);
    CloudEvents.header(headers, "index", index);
    CloudEvents.header(headers, "count", count);
    if (label >= 0) {
      CloudEvents.header(headers, "label", label);
    }
    return new ProducerRecord<>(topic, null, requestId, png, headers);
  }

  /**
   * @throws IllegalArgumentException if a required header is missing or not a number, or the
   *     value is not a PNG
   */
  public static GeneratedImage fromRecord(ConsumerRecord<String, byte[]> record) {
    if (!Png.hasSignature(record.value())) {
      throw new IllegalArgumentException("value is not a PNG image");
    }
    Headers h = record.headers();
    return new GeneratedImage(
        CloudEvents.requiredAttribute(h, "requestid"),
        CloudEvents.requiredAttribute(h, "model"),
        Long.parseLong(CloudEvents.requiredAttribute(h, "modelversion")),
        Long.parseLong(CloudEvents.requiredAttribute(h, "seed")),
        Integer.parseInt(CloudEvents.requiredAttribute(h, "index")),
        Integer.parseInt(CloudEvents.requiredAttribute(h, "count")),
        CloudEvents.attribute(h, "label").map(Integer::parseInt).orElse(-1),
        record.value());
  }
}
