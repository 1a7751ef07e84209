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

  /**
   * A models-topic key: {@code <model>/<version>} for a version's generator graph, or
   * {@code <model>/<version>/<graph>} for another graph of the same version (a VAE's encoder).
   *
   * @param graph null for the generator graph
   */
  public record Key(String model, long version, String graph) {

    public Key(String model, long version) {
      this(model, version, null);
    }

    /** @throws IllegalArgumentException if {@code key} is not {@code <model>/<version>[/<graph>]} */
    public static Key parse(String key) {
      int slash = key == null ? -1 : key.indexOf('/');
      if (slash <= 0) {
        throw new IllegalArgumentException(
            "model key must be <model>/<version>[/<graph>], got '" + key + "'");
      }
      int second = key.indexOf('/', slash + 1);
      String version = second < 0 ? key.substring(slash + 1) : key.substring(slash + 1, second);
      String graph = second < 0 ? null : key.substring(second + 1);
      if (graph != null && !ModelManifest.isValidName(graph)) {
        throw new IllegalArgumentException("model key must be <model>/<version>[/<graph>], got '"
            + key + "'");
      }
      try {
        return new Key(key.substring(0, slash), Long.parseLong(version), graph);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "model key must be <model>/<version>[/<graph>], got '" + key + "'");
      }
    }

    /** Whether this key names the version's generator graph (what generators load). */
    public boolean isGenerator() {
      return graph == null;
    }

    @Override
    public String toString() {
      return model + "/" + version + (graph == null ? "" : "/" + graph);
    }
  }

  /**
   * The record of another graph of a version (same manifest header, key
   * {@code <model>/<version>/<graph>}, value that graph's ONNX bytes).
   */
  public static ProducerRecord<String, byte[]> extraGraphRecord(ModelManifest manifest,
      String graph, byte[] onnx, String topic, String source) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_MODEL, source, CONTENT_TYPE);
    CloudEvents.header(headers, "model", manifest.name());
    CloudEvents.header(headers, "modelversion", manifest.version());
    CloudEvents.header(headers, "family", manifest.family());
    CloudEvents.header(headers, "graph", graph);
    CloudEvents.header(headers, "sha256", sha256(onnx));
    CloudEvents.header(headers, "manifest", manifest.toJson());
    return new ProducerRecord<>(topic, null,
        new Key(manifest.name(), manifest.version(), graph).toString(), onnx, headers);
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
