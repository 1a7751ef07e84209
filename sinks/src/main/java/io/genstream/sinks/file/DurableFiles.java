package io.genstream.sinks.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Whole-file writes that survive a kill at any point: the bytes go to a temp file beside the
 * target ({@link FileLayout#tempFor}), are forced, atomically renamed over the target, and the
 * directory is forced. Readers see either the old file or the whole new one. Shared by the sinks
 * that write files.
 */
final class DurableFiles {

  /** Renames a forced temp file over its final name; a seam for crash tests. */
  @FunctionalInterface
  interface Mover {
    void move(Path temp, Path target) throws IOException;
  }

  private DurableFiles() {}

  /**
   * Writes {@code data} to {@code target} durably, creating (and forcing) missing directories up
   * to {@code root}.
   */
  static void replace(Path root, Path target, byte[] data, Mover mover) throws IOException {
    Path dir = createDirectories(root, target.getParent());
    Path temp = FileLayout.tempFor(target);
    try {
      try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE,
          StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        writeFully(out, ByteBuffer.wrap(data));
        out.force(true);
      }
      mover.move(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
    forceDirectory(dir);
  }

  static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Creates {@code dir} and forces each parent that gained an entry, up to {@code root}. */
  private static Path createDirectories(Path root, Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return dir;
    }
    Path missing = dir;
    while (!Files.isDirectory(missing.getParent())) {
      missing = missing.getParent();
    }
    Files.createDirectories(dir);
    for (Path d = dir; !d.equals(missing.getParent()); d = d.getParent()) {
      forceDirectory(d.getParent());
    }
    return dir;
  }

  /** Makes a rename or new entry durable; not every platform lets a directory be opened. */
  static void forceDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Windows: directories cannot be opened; the rename is durable enough there.
    }
  }

  static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /** Deletes the temp files a killed writer left under {@code root}. */
  static void deleteTempFiles(Path root) throws IOException {
    List<Path> temps;
    try (Stream<Path> files = Files.walk(root)) {
      temps = files.filter(Files::isRegularFile).filter(FileLayout::isTemp).toList();
    }
    for (Path temp : temps) {
      Files.deleteIfExists(temp);
    }
  }
}
