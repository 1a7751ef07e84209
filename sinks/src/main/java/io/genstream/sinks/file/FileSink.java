package io.genstream.sinks.file;

import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.Json;
import io.genstream.core.messages.PublishedModel;
import io.genstream.sinks.ResultSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Writes results in an ImageFolder layout, {@code OUT/<model>/<version>/<label>/<requestId>-<index>.png},
 * and appends one JSON line per image to {@code OUT/manifest.jsonl}.
 *
 * <p>Durability: each PNG is written to a temporary file, forced to disk, atomically renamed and
 * its directory forced; the manifest line is forced too. Only then does {@link #write}
 * complete. A redelivered result (at-least-once) overwrites its own file with the same bytes
 * and adds a second manifest line for it; readers key manifest lines by {@code path}.
 *
 * <p>Thread-safe; writes are serialised because the manifest is one file.
 */
public final class FileSink implements ResultSink {

  public static final String MANIFEST = "manifest.jsonl";

  private final Path root;
  private final FileChannel manifest;

  /** Creates {@code root} if needed and opens its manifest for appending; the caller closes. */
  public FileSink(Path root) {
    try {
      this.root = Files.createDirectories(root).toAbsolutePath();
      this.manifest = FileChannel.open(this.root.resolve(MANIFEST),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open file sink at " + root, e);
    }
  }

  @Override
  public String name() {
    return "files";
  }

  public Path root() {
    return root;
  }

  /** Where {@code image} is (or will be) stored, relative to the root. */
  public static Path relativePath(GeneratedImage image) {
    String label = image.label() >= 0 ? Integer.toString(image.label()) : "unlabelled";
    return Path.of(safe(image.model()), Long.toString(image.version()), label,
        safe(image.requestId()) + "-" + image.index() + ".png");
  }

  @Override
  public Mono<Void> write(GeneratedImage image) {
    return Mono.fromRunnable(() -> store(image));
  }

  private synchronized void store(GeneratedImage image) {
    Path relative = relativePath(image);
    Path target = root.resolve(relative);
    try {
      Path dir = Files.createDirectories(target.getParent());
      Path temp = dir.resolve("." + target.getFileName() + ".tmp");
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writeFully(out, ByteBuffer.wrap(image.png()));
        out.force(true);
      }
      moveAtomically(temp, target);
      forceDirectory(dir);
      writeFully(manifest, ByteBuffer.wrap(manifestLine(relative, image)));
      manifest.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  private static byte[] manifestLine(Path relative, GeneratedImage image) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("path", relative.toString().replace('\\', '/'));
    line.put("requestId", image.requestId());
    line.put("model", image.model());
    line.put("version", image.version());
    line.put("seed", image.seed());
    line.put("index", image.index());
    line.put("count", image.count());
    if (image.label() >= 0) {
      line.put("label", image.label());
    }
    line.put("bytes", image.png().length);
    line.put("sha256", PublishedModel.sha256(image.png()));
    line.put("writtenAt", Instant.now().toString());
    return (Json.write(line) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Makes the rename itself durable; not every platform lets a directory be opened, hence the catch. */
  private static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Windows: directories cannot be opened; the rename is durable enough there.
    }
  }

  private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** Request ids come from users: keep file names to a safe alphabet and length. */
  private static String safe(String name) {
    String cleaned = name.replaceAll("[^A-Za-z0-9._-]", "_");
    if (cleaned.startsWith(".")) {
      cleaned = "_" + cleaned.substring(1);
    }
    return cleaned.length() > 100 ? cleaned.substring(0, 100) : cleaned;
  }

  @Override
  public synchronized void close() {
    try {
      manifest.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
