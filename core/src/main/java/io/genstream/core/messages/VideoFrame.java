package io.genstream.core.messages;

import io.genstream.core.image.ImageTensor;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One frame of a video stream, as it travels on the frames topic: PNG bytes as the value, the
 * stream id as the key (so that a stream stays ordered within its partition), and the
 * attributes {@code ce_streamid}, {@code ce_frame} (the frame's index in its stream, from 0) and
 * {@code ce_capturetime} (RFC 3339, when the frame was taken; the record's timestamp if absent),
 * and optionally {@code ce_horizon}: how many frames ahead the stream wants predicted.
 *
 * @param streamId which stream (camera, clip) the frame belongs to
 * @param frame the frame's index in its stream, counting from 0
 * @param captureTime when the frame was taken
 * @param png the frame's PNG bytes
 * @param horizon frames to predict ahead of this one, 1..{@value #MAX_HORIZON}, or
 *     {@value #DEFAULT_HORIZON} for the predictor's own setting
 */
public record VideoFrame(String streamId, long frame, Instant captureTime, byte[] png,
    int horizon) {

  public static final String CONTENT_TYPE = "image/png";
  /** The longest rollout a frame may ask for (and a predictor may be set to). */
  public static final int MAX_HORIZON = 16;
  /** {@code horizon}: no {@code ce_horizon}, the predictor's own setting applies. */
  public static final int DEFAULT_HORIZON = 0;

  public VideoFrame {
    requireStreamId(streamId);
    if (frame < 0) {
      throw new IllegalArgumentException("frame index must be >= 0, got " + frame);
    }
    if (captureTime == null || png == null) {
      throw new NullPointerException("captureTime and png are required");
    }
    if (horizon != DEFAULT_HORIZON) {
      requireHorizon(horizon);
    }
  }

  /** A frame that leaves the horizon to the predictor. */
  public VideoFrame(String streamId, long frame, Instant captureTime, byte[] png) {
    this(streamId, frame, captureTime, png, DEFAULT_HORIZON);
  }

  /** This frame asking for {@code horizon} predicted frames (see {@link #horizon()}). */
  public VideoFrame withHorizon(int horizon) {
    return new VideoFrame(streamId, frame, captureTime, png, horizon);
  }

  public ProducerRecord<String, byte[]> toRecord(String topic, String source) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_FRAME, source, CONTENT_TYPE);
    CloudEvents.header(headers, "streamid", streamId);
    CloudEvents.header(headers, "frame", frame);
    CloudEvents.header(headers, "capturetime", captureTime.toString());
    if (horizon != DEFAULT_HORIZON) {
      CloudEvents.header(headers, "horizon", horizon);
    }
    return new ProducerRecord<>(topic, null, captureTime.toEpochMilli(), streamId, png, headers);
  }

  /**
   * Reads and validates a frame record: its {@code ce_type}, if it has one, must be
   * {@value CloudEvents#TYPE_FRAME}; the stream id comes from {@code ce_streamid}, or from the
   * key when the header is absent; {@code ce_frame} must be a non-negative integer; the value must
   * decode as a PNG with {@code channels} channels (see {@link ImageTensor#fromPng}); a
   * {@code ce_horizon}, if present, must be an integer in 1..{@value #MAX_HORIZON}.
   *
   * @throws IllegalArgumentException (the dead-letter reason) if it does not
   */
  public static Decoded decode(ConsumerRecord<String, byte[]> record, int channels) {
    CloudEvents.attribute(record.headers(), "type").ifPresent(type -> {
      if (!type.equals(CloudEvents.TYPE_FRAME)) {
        throw new IllegalArgumentException("ce_type must be " + CloudEvents.TYPE_FRAME
            + " on the frames topic, got '" + LogSafe.text(type) + "'");
      }
    });
    String streamId = streamId(record);
    long frame = frameIndex(record);
    Instant captureTime = captureTime(record);
    int horizon = horizon(record);
    if (record.value() == null) {
      throw new IllegalArgumentException("frame record has no value (expected PNG bytes)");
    }
    return new Decoded(streamId, frame, captureTime, ImageTensor.fromPng(record.value(), channels),
        horizon);
  }

  private static int horizon(ConsumerRecord<String, byte[]> record) {
    Optional<String> text = CloudEvents.attribute(record.headers(), "horizon");
    if (text.isEmpty()) {
      return DEFAULT_HORIZON;
    }
    int horizon;
    try {
      horizon = Integer.parseInt(text.get().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "ce_horizon must be an integer, got '" + LogSafe.text(text.get()) + "'");
    }
    requireHorizon(horizon);
    return horizon;
  }

  private static void requireHorizon(int horizon) {
    if (horizon < 1 || horizon > MAX_HORIZON) {
      throw new IllegalArgumentException(
          "ce_horizon must be 1.." + MAX_HORIZON + ", got " + horizon);
    }
  }

  /** The stream id of a frame record: {@code ce_streamid}, else the key. */
  public static String streamId(ConsumerRecord<String, byte[]> record) {
    String id = CloudEvents.attribute(record.headers(), "streamid").orElse(record.key());
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("frame has no stream id (neither ce_streamid nor a key)");
    }
    requireStreamId(id);
    return id;
  }

  /**
   * The record's {@code ce_frame}.
   *
   * @throws IllegalArgumentException if it is missing, not an integer or negative
   */
  public static long frameIndex(ConsumerRecord<String, byte[]> record) {
    String text = CloudEvents.requiredAttribute(record.headers(), "frame");
    long frame;
    try {
      frame = Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "ce_frame must be an integer, got '" + LogSafe.text(text) + "'");
    }
    if (frame < 0) {
      throw new IllegalArgumentException("ce_frame must be >= 0, got " + frame);
    }
    return frame;
  }

  private static Instant captureTime(ConsumerRecord<String, byte[]> record) {
    Optional<String> text = CloudEvents.attribute(record.headers(), "capturetime");
    if (text.isEmpty()) {
      return Instant.ofEpochMilli(Math.max(0, record.timestamp()));
    }
    try {
      return Instant.parse(text.get().trim());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("ce_capturetime must be an RFC 3339 time such as "
          + "2026-11-30T12:00:00Z, got '" + LogSafe.text(text.get()) + "'");
    }
  }

  private static void requireStreamId(String id) {
    if (id == null || id.isEmpty() || id.length() > 200) {
      throw new IllegalArgumentException("stream id must be 1 to 200 characters");
    }
  }

  /**
   * A decoded frame; {@code horizon} is {@value #DEFAULT_HORIZON} when the record did not ask
   * for one.
   */
  public record Decoded(String streamId, long frame, Instant captureTime, ImageTensor image,
      int horizon) {}
}
