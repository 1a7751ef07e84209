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
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An interrupted folder ingest rerun with its ledger sends only what was not acknowledged:
 * every file arrives once, a renamed copy is not sent again, a torn ledger line is survived.
 */
class LedgerIngestTest {

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
  void rerunAfterInterruptionSendsEachFileOnce() throws Exception {
    Path images = Files.createDirectories(dir.resolve("images"));
    for (int i = 0; i < 30; i++) {
      TestFiles.write(TestFiles.noise(28, 28, BufferedImage.TYPE_BYTE_GRAY, i), "png",
          images.resolve(String.format("%02d.png", i)));
    }
    Files.writeString(images.resolve("bad.txt"), "not an image");
    Topics topics = Topics.withPrefix("ledger.");
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    Path ledgerFile = IngestLedger.defaultFile(images, topics.images());

    IngestService.Summary first = ingest(images, topics, ledgerFile, 12); // interrupted
    assertThat(first.published()).isEqualTo(12);
    assertThat(first.alreadySent()).isZero();
    assertThat(Files.readAllLines(ledgerFile)).hasSize(12);

    IngestService.Summary rerun = ingest(images, topics, ledgerFile, 0);
    assertThat(rerun.published()).isEqualTo(18);
    assertThat(rerun.alreadySent()).isEqualTo(12);
    assertThat(rerun.deadLettered()).isEqualTo(1);
    assertThat(rerun.toString()).contains("18 images sent", "12 already sent");

    List<ConsumerRecord<String, byte[]>> records =
        TopicReader.read(broker.bootstrapServers(), topics.images(), 30);
    assertThat(records).hasSize(30);
    Set<String> hashes = records.stream()
        .map(r -> CloudEvents.requiredAttribute(r.headers(), "contenthash")).collect(Collectors.toSet());
    assertThat(hashes).hasSize(30);
    assertThat(hashes).contains(IngestLedger.hex(IngestLedger.sha256(images.resolve("07.png"))));

    // A renamed copy, and a torn last line as a crash mid-write leaves it.
    Files.copy(images.resolve("03.png"), images.resolve("copy-of-03.png"));
    Files.writeString(ledgerFile, "3fa9c0", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
    TestFiles.write(TestFiles.noise(28, 28, BufferedImage.TYPE_BYTE_GRAY, 100), "png", images.resolve("new.png"));
    IngestService.Summary third = ingest(images, topics, ledgerFile, 0);
    assertThat(third.published()).isEqualTo(1); // new.png only
    assertThat(third.deadLettered()).isZero(); // bad.txt was recorded
    assertThat(third.alreadySent()).isEqualTo(32); // 30 images, bad.txt, the copy
    assertThat(TopicReader.read(broker.bootstrapServers(), topics.images(), 31,
        Duration.ofSeconds(3))).hasSize(31);
    List<String> lines = Files.readAllLines(ledgerFile);
    assertThat(lines).contains("3fa9c0");
    assertThat(lines.get(lines.size() - 1)).hasSize(64);
    try (IngestLedger ledger = IngestLedger.open(ledgerFile)) {
      assertThat(ledger.loaded()).isEqualTo(32); // 31 images + bad.txt; the torn line ignored
    }
  }

  @Test
  void hashSetHoldsManyHashes() {
    IngestLedger.HashSet32 set = new IngestLedger.HashSet32();
    for (int i = 0; i < 100_000; i++) {
      assertThat(set.add(hash(i))).isTrue();
    }
    for (int i = 0; i < 100_000; i++) {
      assertThat(set.add(hash(i))).isFalse();
    }
    assertThat(set.size()).isEqualTo(100_000);
  }

  private static byte[] hash(int i) {
    byte[] hash = new byte[32];
    for (int b = 0; b < 4; b++) {
      hash[b] = (byte) (i >>> (8 * b)); // low bits first: collide on the first word's high bits
      hash[31 - b] = (byte) (i >>> (8 * b));
    }
    return hash;
  }

  private static IngestService.Summary ingest(Path folder, Topics topics, Path ledgerFile, long maxImages) {
    try (IngestLedger ledger = IngestLedger.open(ledgerFile);
        KafkaSender<String, byte[]> sender =
            KafkaSender.create(IngestService.senderOptions(broker.bootstrapServers()));
        IngestService ingest = new IngestService(new FolderSource(folder, new DatasetSpec(28, 1, Resize.FIT)),
            sender, new IngestService.Options(topics, 0, maxImages), ledger)) {
      return ingest.run().block(Duration.ofSeconds(60));
    }
  }
}
