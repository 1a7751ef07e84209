package io.genstream.ingest;

import io.genstream.core.messages.CloudEvents;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A dead letter for an input that never was a record (a file, an entry of a file): value = the
 * file's bytes up to {@link #MAX_VALUE_BYTES} (else empty, with the size in the reason), key =
 * the origin, headers {@code ce_reason}, {@code ce_origin}, {@code ce_service}. Compare
 * {@link io.genstream.core.messages.DeadLetter}, which forwards a consumed record.
 */
public final class FileDeadLetter {

  /** 1 MiB: enough to look at a broken image, not a way to copy a data set into Kafka. */
  public static final int MAX_VALUE_BYTES = 1024 * 1024;

  private FileDeadLetter() {}

  public static ProducerRecord<String, byte[]> of(
      SourceItem.Rejection rejection, String topic, String service) {
    String reason = rejection.reason();
    byte[] value = new byte[0];
    if (rejection.file().isPresent()) {
      Path file = rejection.file().get();
      try {
        long size = Files.size(file);
        if (size <= MAX_VALUE_BYTES) {
          value = readAll(file);
        } else {
          reason += " (file of " + size + " bytes, over the " + MAX_VALUE_BYTES
              + " a dead letter carries: value left empty)";
        }
      } catch (IOException e) {
        reason += " (file unreadable for the dead letter: " + e.getMessage() + ")";
      }
    }
    Headers headers = CloudEvents.headers(
        CloudEvents.TYPE_DEADLETTER, service, "application/octet-stream");
    CloudEvents.header(headers, "reason", reason);
    CloudEvents.header(headers, "origin", rejection.origin());
    CloudEvents.header(headers, "service", service);
    return new ProducerRecord<>(topic, null, rejection.origin(), value, headers);
  }

  /**
   * A dead letter for a rejected input held in memory (an upload): value = {@code bytes} up to
   * {@link #MAX_VALUE_BYTES} (else empty, with the size in the reason).
   */
  public static ProducerRecord<String, byte[]> of(
      SourceItem.Rejection rejection, byte[] bytes, String topic, String service) {
    String reason = rejection.reason();
    byte[] value = bytes;
    if (bytes.length > MAX_VALUE_BYTES) {
      value = new byte[0];
      reason += " (file of " + bytes.length + " bytes, over the " + MAX_VALUE_BYTES
          + " a dead letter carries: value left empty)";
    }
    Headers headers = CloudEvents.headers(
        CloudEvents.TYPE_DEADLETTER, service, "application/octet-stream");
    CloudEvents.header(headers, "reason", reason);
    CloudEvents.header(headers, "origin", rejection.origin());
    CloudEvents.header(headers, "service", service);
    return new ProducerRecord<>(topic, null, rejection.origin(), value, headers);
  }

  private static byte[] readAll(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(MAX_VALUE_BYTES);
    }
  }
}
