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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Writes results in an ImageFolder layout,
 * {@code OUT/<model>/<version>/<label>/<cleaned-id>-<hash>-<index>.png}, and appends one JSON
 * line per image to {@code OUT/manifest.jsonl} (path, request id, model, version, seed, index,
 * count, label, content type, shape, bytes, sha256).
 *
 * <p>Names: the cleaned, cut request id keeps names readable; the hash of the exact model and
 * request id keeps them one-to-one (see {@link #relativePath}). Two different results never
 * share a path; a redelivered result (same request id, model, version, label and index)
 * rewrites its own file with the same bytes and adds a second manifest line for it, so readers
 * key manifest lines by {@code path}. Raw results ({@link GeneratedImage#raw()}) are stored as
 * they travel, {@code C×H×W} uint8 bytes, under {@code .raw}, with {@code "shape": "C,H,W"} in
 * their manifest line; they are not re-encoded as PNG.
 *
 * <p>Durability is the contract: {@link io.genstream.sinks.SinkService} commits a result's offset as soon as
 * {@link #write} completes, so {@code write} completes only once the image and its manifest line
 * are on disk. Each image is written to a temporary file in its final directory (named
 * {@code .<name>.tmp}, which readers of the layout ignore), forced, atomically renamed over its
 * final name, and the directory forced; only then is its manifest line appended and forced. A
 * kill at any point leaves either no file or the whole file under the final name, and a manifest
 * line only for an image that is durable. On construction the sink deletes temp files left by
 * such a kill and cuts off a manifest line torn by one, so later lines start on a line of their
 * own.
 *
 * <p>Thread-safe; writes are serialised because the manifest is one file. {@code write} blocks
 * on file I/O inside the returned {@code Mono}; subscribe to it on a scheduler meant for that.
 * The creator closes the sink; writing after close fails.
 *
 * @see io.genstream.sinks.SinkService
 */
public final class FileSink implements ResultSink {

  public static final String MANIFEST = "manifest.jsonl";

  private final Path root;
  private final FileChannel manifest;
  private final DurableFiles.Mover mover;

  /**
   * Creates {@code root} if needed, removes temp files a killed writer left under it, and opens
   * its manifest for appending; the caller closes.
   *
   * @throws UncheckedIOException if the folder or manifest cannot be created or opened
   */
  public FileSink(Path root) {
    this(root, DurableFiles::moveAtomically);
  }

  FileSink(Path root, DurableFiles.Mover mover) {
    this.mover = mover;
    try {
      this.root = Files.createDirectories(root).toAbsolutePath();
      DurableFiles.deleteTempFiles(this.root);
      Path manifestFile = this.root.resolve(MANIFEST);
      try (FileChannel existing = FileChannel.open(manifestFile,
          StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        cutTornLine(existing);
      }
      this.manifest = FileChannel.open(manifestFile,
          StandardOpenOption.WRITE, StandardOpenOption.APPEND);
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

  /**
   * Where {@code image} is (or will be) stored, relative to the root:
   * {@code <model>/<version>/<label>/<cleaned-id>-<hash>-<index>.png} ({@code .raw} for raw
   * results), where model and id are cleaned to {@code [A-Za-z0-9._-]} and cut at 100
   * characters, {@code label} is {@code unlabelled} for unconditional models, and {@code hash} is
   * the first 16 hex digits of SHA-256 over the exact model and request id.
   */
  public static Path relativePath(GeneratedImage image) {
    return FileLayout.relativePath(image);
  }

  /** Stores {@code image}; completes once it and its manifest line are durable. */
  @Override
  public Mono<Void> write(GeneratedImage image) {
    return Mono.fromRunnable(() -> store(image));
  }

  private synchronized void store(GeneratedImage image) {
    if (!manifest.isOpen()) {
      throw new IllegalStateException("file sink at " + root + " is closed");
    }
    Path relative = relativePath(image);
    Path target = root.resolve(relative);
    try {
      DurableFiles.replace(root, target, image.data(), mover);
      DurableFiles.writeFully(manifest, ByteBuffer.wrap(manifestLine(relative, image)));
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
    line.put("contentType", image.contentType());
    if (image.shape() != null) {
      line.put("shape", image.shape());
    }
    line.put("bytes", image.data().length);
    line.put("sha256", PublishedModel.sha256(image.data()));
    line.put("writtenAt", Instant.now().toString());
    return (Json.write(line) + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Truncates the manifest after its last newline, dropping a line a kill cut short.
   */
  private static void cutTornLine(FileChannel channel) throws IOException {
    long end = channel.size();
    ByteBuffer chunk = ByteBuffer.allocate(8192);
    long keep = 0;
    search:
    for (long pos = end; pos > 0; ) {
      int length = (int) Math.min(chunk.capacity(), pos);
      pos -= length;
      chunk.clear().limit(length);
      while (chunk.hasRemaining()) {
        if (channel.read(chunk, pos + chunk.position()) < 0) {
          throw new IOException("manifest shrank while being read");
        }
      }
      for (int i = length - 1; i >= 0; i--) {
        if (chunk.get(i) == '\n') {
          keep = pos + i + 1;
          break search;
        }
      }
    }
    if (keep < end) {
      channel.truncate(keep);
      channel.force(true);
    }
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
