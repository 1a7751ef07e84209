package io.genstream.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's log directory: a caller's (kept) or a temporary one (deleted by
 * {@link #deleteIfTemporary()}), formatted for KRaft once. A formatted directory keeps its
 * cluster id, topics and offsets across starts.
 */
record KraftStorage(Path dir, boolean temporary) {

  private static final Logger log = LoggerFactory.getLogger(KraftStorage.class);

  /**
   * Creates {@code dir} if needed ({@code null}: a fresh temporary directory) and formats it
   * unless it already is.
   */
  static KraftStorage prepare(Path dir, int nodeId, String controllerListener) {
    KraftStorage storage;
    try {
      storage = dir == null
          ? new KraftStorage(Files.createTempDirectory("genstream-kafka-"), true)
          : new KraftStorage(Files.createDirectories(dir), false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data directory", e);
    }
    try {
      if (!Files.exists(storage.dir().resolve("meta.properties"))) {
        storage.format(nodeId, controllerListener);
      }
      return storage;
    } catch (RuntimeException | Error e) {
      storage.deleteIfTemporary();
      throw e;
    }
  }

  private void format(int nodeId, String controllerListener) {
    // Output goes nowhere: the formatter prints to stdout, which is the demo's console.
    try (PrintStream quiet =
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
      String absolute = dir.toAbsolutePath().toString();
      new Formatter()
          .setPrintStream(quiet)
          .setNodeId(nodeId)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(absolute))
          .setMetadataLogDirectory(absolute)
          .setControllerListenerName(controllerListener)
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + dir, e);
    }
  }

  /** Deletes the directory and everything in it if it was a temporary one; logs what it cannot. */
  void deleteIfTemporary() {
    if (!temporary || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          log.warn("Cannot delete {}: {}", path, e.toString());
        }
      });
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", dir, e.toString());
    }
  }
}
