package io.genstream.ingest.video;

import io.genstream.ingest.FileDeadLetter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * Frames from a folder of frame images: either a folder of per-stream sub-folders (the sub-folder
 * name is the stream id), or a folder of frames, which is one stream named after the folder.
 * Frames are ordered by file name in natural order ({@code frame2} before {@code frame10}); the
 * streams advance together, one frame of each in turn, a stream that ran out dropping out.
 *
 * <p>Names starting with a dot are skipped; with sub-folders, files directly in the folder are
 * ignored (and counted in {@link #ignoredFiles()}). A frame's index is its position in its
 * stream's sorted listing; a rejected file keeps its index. Files over {@code maxFrameBytes} are
 * refused from their size, unread. Frames are PNG, JPEG or BMP (see {@link FrameSpec}); the
 * capture time is when a frame was read.
 */
public final class FrameFolderSource implements FrameSource {

  private final Path dir;
  private final FrameSpec spec;
  private final long maxFrames;
  private final int maxFrameBytes;
  private final Clock clock;
  /** Stream id → its folder, in stream-id natural order. */
  private final List<StreamFolder> streams;
  private final int ignoredFiles;

  private record StreamFolder(String id, Path folder) {}

  /**
   * Lists the streams (not yet their frames) now, so that a wrong folder fails at once.
   *
   * @param maxFrames frames per stream at most; 0 for all
   * @throws IllegalArgumentException if {@code dir} is not a folder
   * @throws UncheckedIOException if it cannot be listed
   */
  public FrameFolderSource(Path dir, FrameSpec spec, long maxFrames, int maxFrameBytes, Clock clock) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a folder: " + dir);
    }
    if (maxFrames < 0) {
      throw new IllegalArgumentException("maxFrames must be >= 0, got " + maxFrames);
    }
    this.dir = dir;
    this.spec = Objects.requireNonNull(spec, "spec");
    this.maxFrames = maxFrames;
    this.maxFrameBytes = maxFrameBytes;
    this.clock = Objects.requireNonNull(clock, "clock");
    List<Path> entries = visible(dir);
    List<StreamFolder> folders = entries.stream().filter(Files::isDirectory)
        .map(folder -> new StreamFolder(folder.getFileName().toString(), folder)).toList();
    if (folders.isEmpty()) {
      String name = dir.toAbsolutePath().normalize().getFileName() == null
          ? "frames" : dir.toAbsolutePath().normalize().getFileName().toString();
      this.streams = List.of(new StreamFolder(name, dir));
      this.ignoredFiles = 0;
    } else {
      this.streams = folders;
      this.ignoredFiles = (int) entries.stream().filter(Files::isRegularFile).count();
    }
  }

  @Override
  public String name() {
    return "frame-folder";
  }

  @Override
  public List<String> streams() {
    return streams.stream().map(StreamFolder::id).toList();
  }

  @Override
  public boolean finite() {
    return true;
  }

  /** Files directly in a folder of stream sub-folders, which are not frames of any stream. */
  public int ignoredFiles() {
    return ignoredFiles;
  }

  /**
   * Finite: lists each stream's frames on subscription, then reads and checks one file per
   * request, blocking, on the subscriber's thread.
   */
  @Override
  public Flux<FrameItem> frames() {
    return Flux.defer(() -> {
      List<List<Path>> listings = new ArrayList<>();
      int longest = 0;
      for (StreamFolder stream : streams) {
        List<Path> files = visible(stream.folder()).stream().filter(Files::isRegularFile).toList();
        if (maxFrames > 0 && files.size() > maxFrames) {
          files = files.subList(0, (int) maxFrames);
        }
        listings.add(files);
        longest = Math.max(longest, files.size());
      }
      int rounds = longest;
      // Round r holds frame r of each stream that has one: the streams advance together.
      return Flux.range(0, rounds).concatMap(round -> Flux.range(0, streams.size())
              .filter(s -> round < listings.get(s).size())
              .map(s -> read(streams.get(s).id(), round, listings.get(s).get(round))), 1);
    });
  }

  private FrameItem read(String streamId, long index, Path file) {
    try {
      long size = Files.size(file);
      if (size > maxFrameBytes) {
        return new FrameItem.Rejection(streamId, index, file.toString(), "frame file of " + size
            + " bytes, over the limit of " + maxFrameBytes + " bytes", head(file));
      }
      return spec.check(streamId, index, file.toString(), Files.readAllBytes(file), clock.instant());
    } catch (IOException e) {
      return new FrameItem.Rejection(streamId, index, file.toString(),
          "unreadable frame file: " + e.getMessage(), new byte[0]);
    }
  }

  private static byte[] head(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(FileDeadLetter.MAX_VALUE_BYTES);
    }
  }

  /** The entries of {@code folder} not starting with a dot, in natural name order. */
  private static List<Path> visible(Path folder) {
    try (java.util.stream.Stream<Path> list = Files.list(folder)) {
      return list.filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted(Comparator.comparing(p -> p.getFileName().toString(), NaturalOrder.INSTANCE))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
    }
  }
}
