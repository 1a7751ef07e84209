package io.genstream.core.messages;

import io.genstream.core.image.ImageTensor;
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
   * Reads and validates a gray image record: {@link #decode(ConsumerRecord, int)} with 1
   * channel.
   */
  public static Decoded decode(ConsumerRecord<String, byte[]> record) {
    return decode(record, 1);
  }

  /**
   * Reads and validates an image record: its {@code ce_type}, if it has one, must be
   * {@value CloudEvents#TYPE_IMAGE}; it must have an integer {@code ce_label} and a value that
   * decodes as a PNG within {@link io.genstream.core.image.Png#MAX_PIXELS} (checked from the
   * header first) with {@code channels} channels: a colour PNG is refused for 1 channel, a gray
   * one is spread over the 3 of an RGB image.
   *
   * @throws IllegalArgumentException (the dead-letter reason) if it does not
   */
  public static Decoded decode(ConsumerRecord<String, byte[]> record, int channels) {
    CloudEvents.attribute(record.headers(), "type").ifPresent(type -> {
      if (!type.equals(CloudEvents.TYPE_IMAGE)) {
        throw new IllegalArgumentException("ce_type must be " + CloudEvents.TYPE_IMAGE
            + " on the images topic, got '" + LogSafe.text(type) + "'");
      }
    });
    int label = label(record);
    return new Decoded(label, ImageTensor.fromPng(record.value(), channels));
  }

  /**
   * The record's {@code ce_label}, without decoding the image.
   *
   * @throws IllegalArgumentException if it is missing or not an integer
   */
  public static int label(ConsumerRecord<String, byte[]> record) {
    String labelText = CloudEvents.requiredAttribute(record.headers(), "label");
    try {
      return Integer.parseInt(labelText.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("ce_label must be an integer, got '" + labelText + "'");
    }
  }

  /** A decoded training example. */
  public record Decoded(int label, ImageTensor image) {}
}
