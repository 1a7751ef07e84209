package io.genstream.sinks.file;

import io.genstream.core.messages.GeneratedImage;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where a result is stored, relative to the sink's root:
 * {@code <model>/<version>/<label>/<cleaned-id>-<hash>-<index>.png} ({@code .raw} for raw
 * results).
 *
 * <p>Model and request id come from users, so they are cleaned to {@code [A-Za-z0-9._-]}, may
 * not start with {@code .} and are cut at {@value #MAX_NAME} characters: readable, but lossy
 * ({@code col/x}, {@code col_x} and {@code col:x} all clean to {@code col_x}). The
 * {@value #HASH_HEX}-hex-digit hash of the exact model and request id beside the cleaned id is
 * what keeps the mapping one-to-one: two results differing in request id, model, version, label,
 * index or format never share a path (barring a 64-bit SHA-256 prefix collision), and a
 * redelivered result maps to its own path again.
 */
final class FileLayout {

  /** Longest cleaned model or request id kept in a name. */
  static final int MAX_NAME = 100;

  /**
   * 64 bits: a birthday collision needs about 4 billion ids with the same model, version, label
   * and index, where 40 bits would give one in a million-image folder about half the time.
   */
  static final int HASH_HEX = 16;

  private FileLayout() {}

  static Path relativePath(GeneratedImage image) {
    String label = image.label() >= 0 ? Integer.toString(image.label()) : "unlabelled";
    String extension = image.raw() ? ".raw" : ".png";
    return Path.of(clean(image.model()), Long.toString(image.version()), label,
        clean(image.requestId()) + "-" + hash(image.model(), image.requestId()) + "-"
            + image.index() + extension);
  }

  /**
   * The first {@value #HASH_HEX} hex digits of SHA-256 over the model's UTF-8 bytes, length
   * first so that no two (model, id) pairs give the same input, then the request id's.
   */
  static String hash(String model, String requestId) {
    byte[] modelBytes = model.getBytes(StandardCharsets.UTF_8);
    byte[] idBytes = requestId.getBytes(StandardCharsets.UTF_8);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ByteBuffer.allocate(Integer.BYTES).putInt(modelBytes.length).array());
      sha.update(modelBytes);
      sha.update(idBytes);
      return HexFormat.of().formatHex(sha.digest()).substring(0, HASH_HEX);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Readable, safe, lossy: the hash beside it carries the exact value. */
  static String clean(String name) {
    String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
    if (cleaned.isEmpty() || cleaned.startsWith(".")) {
      cleaned = "_" + cleaned.substring(Math.min(1, cleaned.length()));
    }
    return cleaned.length() > MAX_NAME ? cleaned.substring(0, MAX_NAME) : cleaned;
  }

  /** Temp files start with {@code .} and end in {@code .tmp}; no stored name does. */
  static Path tempFor(Path target) {
    return target.resolveSibling("." + target.getFileName() + ".tmp");
  }

  static boolean isTemp(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") && name.endsWith(".tmp");
  }
}
