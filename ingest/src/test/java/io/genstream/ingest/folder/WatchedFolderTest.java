package io.genstream.ingest.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.TestFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

class WatchedFolderTest {

  @TempDir Path dir;

  @Test
  void streamsTheFilesThereAndThenEachNewOneAsItAppears() throws Exception {
    image("a.png", 1);
    FolderSource source = new FolderSource(dir, new DatasetSpec(8, 1, DatasetSpec.Resize.FIT),
        Duration.ofMillis(50));
    List<SourceItem> items = new CopyOnWriteArrayList<>();

    Disposable watching = source.items().subscribe(items::add);
    try {
      await().atMost(Duration.ofSeconds(5)).until(() -> items.size() == 1);
      image("b.png", 2);
      image("sub/c.png", 3);
      Files.writeString(dir.resolve("notes.txt"), "not an image");

      await().atMost(Duration.ofSeconds(10)).until(() -> items.size() == 4);
      assertThat(items).filteredOn(i -> i instanceof SourceItem.Image).hasSize(3);
      assertThat(items).filteredOn(i -> i instanceof SourceItem.Rejection).hasSize(1);
    } finally {
      watching.dispose();
    }
  }

  @Test
  void takesAFileOnlyOnceItStoppedChanging() throws Exception {
    FolderSource.Arrivals arrivals = new FolderSource.Arrivals(List.of());
    Path growing = dir.resolve("growing.png");
    Files.write(growing, new byte[10]);

    assertThat(arrivals.settled(List.of(growing))).isEmpty(); // first sight
    Files.write(growing, new byte[20]); // still being copied
    assertThat(arrivals.settled(List.of(growing))).isEmpty();
    assertThat(arrivals.settled(List.of(growing))).containsExactly(growing);
    assertThat(arrivals.settled(List.of(growing))).isEmpty(); // taken once
  }

  @Test
  void remembersOnlyWhatTheFolderStillHolds() throws Exception {
    FolderSource.Arrivals arrivals = new FolderSource.Arrivals(List.of());
    for (int round = 0; round < 20; round++) {
      List<Path> files = IntStream.range(0, 10)
          .mapToObj(i -> dir.resolve("f" + i + ".png")).toList();
      for (Path file : files) {
        Files.write(file, new byte[] {1});
        Files.setLastModifiedTime(file, FileTime.fromMillis(1000));
      }
      arrivals.settled(files);
      arrivals.settled(files);
      for (Path file : files) {
        Files.delete(file); // moved away after processing, as a pipeline would
      }
      arrivals.settled(List.of());
    }

    assertThat(arrivals.remembered()).isZero();
  }

  private void image(String name, long seed) throws Exception {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    TestFiles.write(TestFiles.noise(8, 8, BufferedImage.TYPE_BYTE_GRAY, seed), "png", file);
  }
}
