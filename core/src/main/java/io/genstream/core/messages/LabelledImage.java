package io.genstream.core.messages;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A training image with its class label, as it travels on the images topic: PNG bytes as the
 * value, {@code ce_label} and {@code ce_streamid} headers, the stream id as the key.
 */
public record LabelledImage(String streamId, int label, byte[] png) {

  public static final String CONTENT_TYPE = "image/png";

  public ProducerRecord<String, byte[]> toRecord(String topic, String source) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_IMAGE, source, CONTENT_TYPE);
    CloudEvents.header(headers, "label", label);
    CloudEvents.header(headers, "streamid", streamId);
    return new ProducerRecord<>(topic, null, streamId, png, headers);
  }

  /**
   * Reads and validates an image record: its {@code ce_type}, if it has one, must be
   * {@value CloudEvents#TYPE_IMAGE}; it must have an integer {@code ce_label} and a value that
   * decodes as a gray PNG within {@link Png#MAX_PIXELS} (checked from the header first).
   *
   * @throws IllegalArgumentException (the dead-letter reason) if it does not
   */
  public static Decoded decode(ConsumerRecord<String, byte[]> record) {
    CloudEvents.attribute(record.headers(), "type").ifPresent(type -> {
      if (!type.equals(CloudEvents.TYPE_IMAGE)) {
        throw new IllegalArgumentException("ce_type must be " + CloudEvents.TYPE_IMAGE
            + " on the images topic, got '" + LogSafe.text(type) + "'");
      }
    });
    String labelText = CloudEvents.requiredAttribute(record.headers(), "label");
    int label;
    try {
      label = Integer.parseInt(labelText.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ce_label must be an integer, got '" + labelText + "'");
    }
    GrayImage image = Png.decode(record.value());
    return new Decoded(label, image);
  }

  /** A decoded training example. */
  public record Decoded(int label, GrayImage image) {}
}
