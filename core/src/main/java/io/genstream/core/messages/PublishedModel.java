package io.genstream.core.messages;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One model version on the models topic: its manifest and its ONNX bytes.
 *
 * <p>On Kafka: key {@code <name>/<version>} (so compaction keeps every version), value the ONNX
 * bytes, the manifest as JSON in header {@code ce_manifest}.
 */
public record PublishedModel(ModelManifest manifest, byte[] onnx) {

  public static final String CONTENT_TYPE = "application/onnx";

  public PublishedModel {
    String actual = sha256(onnx);
    if (manifest.sha256() != null && !manifest.sha256().equals(actual)) {
      throw new IllegalArgumentException("model " + key(manifest) + ": SHA-256 mismatch, manifest says "
          + manifest.sha256() + ", bytes hash to " + actual);
    }
  }

  public static String key(ModelManifest manifest) {
    return new Key(manifest.name(), manifest.version()).toString();
  }

  /** A models-topic key, {@code <model>/<version>}. */
  public record Key(String model, long version) {

    /** @throws IllegalArgumentException if {@code key} is not {@code <model>/<version>} */
    public static Key parse(String key) {
      int slash = key == null ? -1 : key.indexOf('/');
      if (slash <= 0) {
        throw new IllegalArgumentException("model key must be <model>/<version>, got '" + key + "'");
      }
      try {
        return new Key(key.substring(0, slash), Long.parseLong(key.substring(slash + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("model key must be <model>/<version>, got '" + key + "'");
      }
    }

    @Override
    public String toString() {
      return model + "/" + version;
    }
  }

  public ProducerRecord<String, byte[]> toRecord(String topic, String source) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_MODEL, source, CONTENT_TYPE);
    CloudEvents.header(headers, "model", manifest.name());
    CloudEvents.header(headers, "modelversion", manifest.version());
    CloudEvents.header(headers, "family", manifest.family());
    CloudEvents.header(headers, "sha256", manifest.sha256());
    CloudEvents.header(headers, "manifest", manifest.toJson());
    return new ProducerRecord<>(topic, null, key(manifest), onnx, headers);
  }

  /**
   * @throws IllegalArgumentException if the record is not a valid model version
   */
  public static PublishedModel fromRecord(ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      throw new IllegalArgumentException("model record " + record.key() + " has no ONNX bytes");
    }
    String manifest = CloudEvents.requiredAttribute(record.headers(), "manifest");
    return new PublishedModel(ModelManifest.fromJson(manifest), record.value());
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "PublishedModel[" + key(manifest) + ", " + onnx.length + " bytes]";
  }
}
