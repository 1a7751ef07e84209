package io.genstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.folder.FolderSource;
import io.genstream.ingest.folder.ImageFolderSource;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Folder sources reading several files at a time give what reading one at a time gives: the
 * same items in the files' order (sorted, large slow files first, so that reads finish out of
 * order), and through ingest with a ledger, each file exactly once, in the epoch's shuffled
 * order, after an interruption.
 */
class ParallelFolderIngestTest {

  private static final DatasetSpec SPEC = new DatasetSpec(28, 1, Resize.FIT);
  private static EmbeddedKafka broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  /** Sorted names, sizes falling: with reads in parallel the later, smaller files finish first. */
  private List<Path> files(Path folder) throws Exception {
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      int side = i % 6 == 0 ? 600 - i * 10 : 28 + i;
      Path file = folder.resolve(String.format("%02d.%s", i, i % 2 == 0 ? "png" : "jpg"));
      files.add(TestFiles.write(TestFiles.noise(side, side, BufferedImage.TYPE_INT_RGB, i),
          i % 2 == 0 ? "png" : "jpeg", file));
      if (i % 7 == 3) {
        files.add(Files.writeString(folder.resolve(String.format("%02d-bad.png", i)), "not an image " + i));
      }
    }
    return files;
  }

  @Test
  void severalWorkersGiveTheItemsOfOneInTheFilesOrder() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("order"));
    List<Path> files = files(folder);
    List<SourceItem> one = new FolderSource(folder, SPEC, null, 1, Order.SORTED).items().collectList().block();
    List<SourceItem> four = new FolderSource(folder, SPEC, null, 4, Order.SORTED).items().collectList().block();
    assertThat(four).extracting(SourceItem::origin)
        .containsExactlyElementsOf(files.stream().map(Path::toString).sorted().toList());
    assertThat(four).hasSameSizeAs(one);
    for (int i = 0; i < one.size(); i++) {
      if (one.get(i) instanceof SourceItem.Image image) {
        SourceItem.Image other = (SourceItem.Image) four.get(i);
        assertThat(other.image().png()).isEqualTo(image.image().png());
        assertThat(other.attributes()).isEqualTo(image.attributes());
      } else {
        assertThat(four.get(i)).isEqualTo(one.get(i));
      }
    }
  }

  @Test
  void labelledFoldersKeepTheirOrderWithSeveralWorkers() throws Exception {
    Path root = dir.resolve("classes");
    List<Path> cats = files(Files.createDirectories(root.resolve("cat")));
    List<SourceItem> items =
        new ImageFolderSource(root, SPEC, 3, Order.SORTED).items().collectList().block();
    assertThat(items).extracting(SourceItem::origin)
        .containsExactlyElementsOf(cats.stream().map(Path::toString).sorted().toList());
  }

  @Test
  void interruptedParallelIngestRerunSendsEachFileOnceInTheSamePermutation() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("ledger"));
    List<Path> files = files(folder);
    long images = files.stream().filter(f -> !f.toString().endsWith("-bad.png")).count();
    long bad = files.size() - images;
    Topics topics = Topics.withPrefix("parallel.");
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    Path ledgerFile = IngestLedger.defaultFile(folder, topics.images());

    IngestService.Summary first = ingest(folder, topics, ledgerFile, 7);
    assertThat(first.published()).isEqualTo(7);
    IngestService.Summary rerun = ingest(folder, topics, ledgerFile, 0);
    assertThat(rerun.published()).isEqualTo(images - 7);
    assertThat(first.deadLettered() + rerun.deadLettered()).isEqualTo(bad);
    assertThat(rerun.alreadySent()).isEqualTo(7 + first.deadLettered());

    List<ConsumerRecord<String, byte[]>> records =
        TopicReader.read(broker.bootstrapServers(), topics.images(), (int) images + 1, Duration.ofSeconds(5));
    // The rerun went on where the first run stopped: together, epoch 1's permutation.
    List<String> permutation = Order.defaults()
        .arrange(files.stream().sorted().toList(), f -> folder.relativize(f).toString(), 1)
        .stream().map(Path::toString).filter(f -> !f.endsWith("-bad.png")).toList();
    assertThat(permutation).isNotEqualTo(permutation.stream().sorted().toList());
    assertThat(records).extracting(r -> CloudEvents.requiredAttribute(r.headers(), "origin"))
        .containsExactlyElementsOf(permutation);
  }

  private static IngestService.Summary ingest(Path folder, Topics topics, Path ledgerFile,
      long maxImages) {
    try (IngestLedger ledger = IngestLedger.open(ledgerFile);
        KafkaSender<String, byte[]> sender =
            KafkaSender.create(IngestService.senderOptions(broker.bootstrapServers()));
        IngestService ingest = new IngestService(new FolderSource(folder, SPEC, null, 4), sender,
            new IngestService.Options(topics, 0, maxImages), ledger)) {
      return ingest.run().block(Duration.ofSeconds(60));
    }
  }
}
