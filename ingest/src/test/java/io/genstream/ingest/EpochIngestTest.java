package io.genstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.folder.FolderSource;
import io.genstream.ingest.folder.ImageFolderSource;
import io.genstream.ingest.synthetic.SyntheticDigits;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several epochs of a finite data set through a real broker: each epoch sends every image once,
 * in that epoch's order, bad files are dead-lettered once, and a rerun with the ledger goes on in
 * the epoch and permutation it was in.
 */
class EpochIngestTest {

  private static final DatasetSpec SPEC = new DatasetSpec(8, 1, Resize.FIT);
  private static final AtomicInteger RUNS = new AtomicInteger();
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

  @Test
  void eachEpochSendsEveryImageInItsOwnOrderAndBadFilesOnce() throws Exception {
    for (String label : List.of("a", "b", "c")) {
      for (int i = 0; i < 8; i++) {
        image(dir.resolve(label).resolve(i + ".png"), label.charAt(0) * 100 + i);
      }
    }
    Files.writeString(dir.resolve("b/notes.png"), "not an image");
    ImageFolderSource source = new ImageFolderSource(dir, SPEC, 2, Order.shuffled(11));
    Topics topics = topics("epochs");

    IngestService.Summary summary = ingest(source, new IngestService.Options(topics, 0, 0, null, 3), null);

    assertThat(summary.published()).isEqualTo(72);
    assertThat(summary.deadLettered()).isEqualTo(1);
    List<String> sent = origins(TopicReader.read(broker.bootstrapServers(), topics.images(), 72));
    assertThat(sent).hasSize(72);
    for (int epoch = 1; epoch <= 3; epoch++) {
      assertThat(sent.subList(24 * (epoch - 1), 24 * epoch)).as("epoch %d", epoch)
          .containsExactlyElementsOf(imageOrigins(source, epoch));
    }
    assertThat(sent.subList(0, 24)).isNotEqualTo(sent.subList(24, 48));
    assertThat(TopicReader.read(broker.bootstrapServers(), topics.deadLetter(), 2,
        Duration.ofSeconds(2))).hasSize(1);
  }

  @Test
  void aRerunWithTheLedgerGoesOnInTheEpochAndPermutationItWasIn() throws Exception {
    for (int i = 0; i < 10; i++) {
      image(dir.resolve(String.format("%02d.png", i)), i);
    }
    FolderSource source = new FolderSource(dir, SPEC, null, 2, Order.shuffled(5));
    Topics topics = topics("resume");
    Path ledgerFile = IngestLedger.defaultFile(dir, topics.images());

    // Interrupted after the first epoch and 4 images of the second.
    try (IngestLedger ledger = IngestLedger.open(ledgerFile)) {
      assertThat(ingest(source, new IngestService.Options(topics, 0, 14, null, 2), ledger)
          .published()).isEqualTo(14);
      assertThat(ledger.epoch()).isEqualTo(2);
    }
    assertThat(Files.readAllLines(ledgerFile)).hasSize(5).first().isEqualTo("epoch 2");

    try (IngestLedger ledger = IngestLedger.open(ledgerFile)) {
      assertThat(ledger.epoch()).isEqualTo(2);
      assertThat(ledger.loaded()).isEqualTo(4);
      IngestService.Summary rest = ingest(source, new IngestService.Options(topics, 0, 0, null, 2), ledger);
      assertThat(rest.published()).isEqualTo(6);
      assertThat(rest.alreadySent()).isEqualTo(4);
    }
    List<String> sent = origins(TopicReader.read(broker.bootstrapServers(), topics.images(), 20));
    assertThat(sent.subList(0, 10)).containsExactlyElementsOf(imageOrigins(source, 1));
    assertThat(sent.subList(10, 20)).containsExactlyElementsOf(imageOrigins(source, 2));

    try (IngestLedger ledger = IngestLedger.open(ledgerFile)) {
      assertThatThrownBy(() -> IngestService.checkEpochs(source,
          new IngestService.Options(topics, 0, 0), ledger))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is in epoch 2, past the last epoch asked for (1)");
      IngestService.Summary third = ingest(source, new IngestService.Options(topics, 0, 0, null, 3), ledger);
      assertThat(third.published()).isEqualTo(10); // nothing left of epoch 2, all of epoch 3
      assertThat(third.alreadySent()).isEqualTo(10);
      assertThat(ledger.epoch()).isEqualTo(3);
    }
    List<String> all = origins(TopicReader.read(broker.bootstrapServers(), topics.images(), 30));
    assertThat(all.subList(20, 30)).containsExactlyElementsOf(imageOrigins(source, 3));
  }

  @Test
  void anEndlessRunEndsAfterAnEpochWithoutImages() throws Exception {
    Files.writeString(dir.resolve("notes.png"), "not an image");
    Topics topics = topics("empty");
    IngestService.Summary summary = ingest(new FolderSource(dir, SPEC, null, 1, Order.shuffled(1)),
        new IngestService.Options(topics, 0, 0, null, 0), null);
    assertThat(summary.published()).isZero();
    assertThat(summary.deadLettered()).isEqualTo(1);
  }

  @Test
  void epochsAreForAFiniteDataSet() {
    assertThatThrownBy(() -> IngestService.checkEpochs(new SyntheticDigits(28, 1),
        new IngestService.Options(Topics.defaults(), 0, 0, null, 2), null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not synthetic-digits: got 2");
    assertThatThrownBy(() -> new IngestService.Options(Topics.defaults(), 0, 0, null, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epochs must be >= 0");
  }

  private static Topics topics(String name) {
    Topics topics = Topics.withPrefix(name + RUNS.incrementAndGet() + ".");
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    return topics;
  }

  private static IngestService.Summary ingest(ImageSource source, IngestService.Options options,
      IngestLedger ledger) {
    try (KafkaSender<String, byte[]> sender =
            KafkaSender.create(IngestService.senderOptions(broker.bootstrapServers()));
        IngestService ingest = new IngestService(source, sender, options, ledger)) {
      return ingest.run().block(Duration.ofSeconds(60));
    }
  }

  /** The origins of the images of an epoch, in the source's order for it. */
  private static List<String> imageOrigins(EpochSource source, long epoch) {
    return source.items(epoch).filter(item -> item instanceof SourceItem.Image)
        .map(SourceItem::origin).collectList().block();
  }

  private static List<String> origins(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> CloudEvents.requiredAttribute(r.headers(), "origin")).toList();
  }

  private static void image(Path file, long seed) throws Exception {
    TestFiles.write(TestFiles.noise(8, 8, BufferedImage.TYPE_BYTE_GRAY, seed), "png", file);
  }
}
