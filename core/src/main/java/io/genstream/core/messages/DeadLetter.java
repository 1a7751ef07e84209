package io.genstream.core.messages;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * A record that could not be processed, forwarded to the dead-letter topic with its original
 * key, value and headers, plus {@code ce_reason}, {@code ce_origintopic},
 * {@code ce_originpartition}, {@code ce_originoffset} and {@code ce_service}.
 */
public final class DeadLetter {

  private DeadLetter() {}

  public static ProducerRecord<String, byte[]> of(
      ConsumerRecord<String, byte[]> original, String reason, String topic, String service) {
    Headers headers =
        CloudEvents.headers(CloudEvents.TYPE_DEADLETTER, service, contentType(original.headers()));
    for (Header header : original.headers()) {
      // Keep the original's domain attributes (label, requestid, …) but not its envelope.
      if (headers.lastHeader(header.key()) == null) {
        headers.add(header);
      }
    }
    CloudEvents.attribute(original.headers(), "type")
        .ifPresent(type -> CloudEvents.header(headers, "origintype", type));
    CloudEvents.header(headers, "reason", reason == null ? "unknown error" : reason);
    CloudEvents.header(headers, "origintopic", original.topic());
    CloudEvents.header(headers, "originpartition", original.partition());
    CloudEvents.header(headers, "originoffset", original.offset());
    CloudEvents.header(headers, "service", service);
    return new ProducerRecord<>(topic, null, original.key(), original.value(), headers);
  }

  /** The reason attribute of a dead-letter record. */
  public static String reason(ConsumerRecord<?, ?> deadLetter) {
    return CloudEvents.attribute(deadLetter.headers(), "reason").orElse("");
  }

  private static String contentType(Headers headers) {
    Header header = headers.lastHeader(CloudEvents.CONTENT_TYPE);
    return header == null ? "application/octet-stream" : new String(header.value(), StandardCharsets.UTF_8);
  }
}
