package io.genstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.folder.FolderSource;
import io.genstream.ingest.folder.ImageFolderSource;
import io.genstream.ingest.idx.IdxSource;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Folder, image-folder and IDX sources on real files through a real broker: each good image
 * arrives exactly once with its label and shape, each bad input gives exactly one dead letter
 * naming the file and the reason, and the ingest completes.
 */
class SourcesIngestTest {

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
  void folderOfMixedFormatsAndBadFiles() throws Exception {
    TestFiles.write(TestFiles.noise(40, 30, BufferedImage.TYPE_INT_RGB, 1), "png", dir.resolve("a/rgb.png"));
    TestFiles.write(TestFiles.noise(20, 20, BufferedImage.TYPE_BYTE_GRAY, 2), "jpeg", dir.resolve("a/b/gray.jpg"));
    TestFiles.write(TestFiles.noise(50, 64, BufferedImage.TYPE_3BYTE_BGR, 3), "bmp", dir.resolve("c.bmp"));
    TestFiles.write(TestFiles.noise(16, 24, BufferedImage.TYPE_BYTE_GRAY, 4), "gif", dir.resolve("d.gif"));
    TestFiles.write(TestFiles.noise(8, 8, BufferedImage.TYPE_BYTE_GRAY, 5), "png", dir.resolve("e-gray.png"));
    Files.write(dir.resolve(".DS_Store"), new byte[] {1, 2, 3}); // hidden: skipped
    Map<String, String> bad = badCorpus(dir.resolve("bad"));

    Topics topics = Topics.withPrefix("folder" + RUNS.incrementAndGet() + ".");
    IngestService.Summary summary =
        ingest(new FolderSource(dir, new DatasetSpec(32, 3, Resize.CROP)), topics, 0);

    assertThat(summary.published()).isEqualTo(5);
    assertThat(summary.deadLettered()).isEqualTo(bad.size());
    List<ConsumerRecord<String, byte[]>> images = TopicReader.read(broker.bootstrapServers(), topics.images(), 5);
    assertThat(images).extracting(r -> attribute(r, "origin")).containsExactlyInAnyOrder(
        dir.resolve("a/rgb.png").toString(), dir.resolve("a/b/gray.jpg").toString(),
        dir.resolve("c.bmp").toString(), dir.resolve("d.gif").toString(),
        dir.resolve("e-gray.png").toString());
    for (ConsumerRecord<String, byte[]> record : images) {
      ImageTensor tensor = ImageTensor.fromPng(record.value(), 3);
      assertThat(tensor.width()).isEqualTo(32);
      assertThat(tensor.height()).isEqualTo(32);
      assertThat(LabelledImage.label(record)).isZero();
      assertThat(CloudEvents.attribute(record.headers(), "labelname")).isEmpty();
    }
    Map<String, String> conversions = images.stream().collect(Collectors.toMap(
        r -> Path.of(attribute(r, "origin")).getFileName().toString(),
        r -> CloudEvents.attribute(r.headers(), "conversion").orElse("none")));
    assertThat(conversions).containsEntry("gray.jpg", "gray-to-rgb")
        .containsEntry("e-gray.png", "gray-to-rgb").containsEntry("rgb.png", "none");
    assertDeadLetters(topics, bad);
  }

  @Test
  void imageFolderLabelsClassesInSortedOrder() throws Exception {
    TestFiles.write(TestFiles.noise(28, 28, BufferedImage.TYPE_BYTE_GRAY, 1), "png", dir.resolve("zebra/z1.png"));
    TestFiles.write(TestFiles.noise(10, 40, BufferedImage.TYPE_INT_RGB, 2), "png", dir.resolve("cat/c1.png"));
    TestFiles.write(TestFiles.noise(60, 30, BufferedImage.TYPE_3BYTE_BGR, 3), "jpeg", dir.resolve("cat/more/c2.jpg"));
    TestFiles.write(TestFiles.noise(28, 28, BufferedImage.TYPE_BYTE_GRAY, 4), "bmp", dir.resolve("dog/d1.bmp"));
    Files.writeString(dir.resolve("dog/readme.txt"), "woof");
    Files.writeString(dir.resolve("stray.png"), "not in a class");

    ImageFolderSource source = new ImageFolderSource(dir, new DatasetSpec(28, 1, Resize.PAD));
    assertThat(source.labelNames()).containsExactly("cat", "dog", "zebra");
    Topics topics = Topics.withPrefix("classes" + RUNS.incrementAndGet() + ".");
    IngestService.Summary summary = ingest(source, topics, 0);

    assertThat(summary.published()).isEqualTo(4);
    assertThat(summary.deadLettered()).isEqualTo(2);
    List<ConsumerRecord<String, byte[]>> images = TopicReader.read(broker.bootstrapServers(), topics.images(), 4);
    Map<String, String> labels = images.stream().collect(Collectors.toMap(
        r -> Path.of(attribute(r, "origin")).getFileName().toString(),
        r -> LabelledImage.label(r) + "=" + attribute(r, "labelname")));
    assertThat(labels).containsExactlyInAnyOrderEntriesOf(Map.of(
        "c1.png", "0=cat", "c2.jpg", "0=cat", "d1.bmp", "1=dog", "z1.png", "2=zebra"));
    for (ConsumerRecord<String, byte[]> record : images) {
      ImageTensor tensor = ImageTensor.fromPng(record.value(), 1);
      assertThat(tensor.width()).isEqualTo(28);
      assertThat(tensor.height()).isEqualTo(28);
    }
    assertDeadLetters(topics, Map.of(
        dir.resolve("dog/readme.txt").toString(), "unsupported file",
        dir.resolve("stray.png").toString(), "not in a class folder"));
  }

  @Test
  void idxPlainAndGzipSendEveryImageWithItsLabel() throws Exception {
    int count = 7;
    byte[] pixels = new byte[count * 28 * 28];
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      Arrays.fill(pixels, i * 784, (i + 1) * 784, (byte) (i * 30));
      labels[i] = (byte) (i % 10);
    }
    Path images = Files.write(dir.resolve("images-idx3-ubyte"), TestFiles.idxImages(count, 28, 28, pixels));
    Path labelFile = Files.write(dir.resolve("labels-idx1-ubyte"), TestFiles.idxLabels(count, labels));
    Path imagesGz = Files.write(dir.resolve("images-idx3-ubyte.gz"), TestFiles.gzip(Files.readAllBytes(images)));
    Path labelsGz = Files.write(dir.resolve("labels-idx1-ubyte.gz"), TestFiles.gzip(Files.readAllBytes(labelFile)));

    for (Path[] pair : new Path[][] {{images, labelFile}, {imagesGz, labelsGz}}) {
      Topics topics = Topics.withPrefix("idx" + RUNS.incrementAndGet() + ".");
      IngestService.Summary summary =
          ingest(new IdxSource(pair[0], pair[1], new DatasetSpec(28, 1, Resize.FIT)), topics, 0);
      assertThat(summary.published()).isEqualTo(count);
      assertThat(summary.deadLettered()).isZero();
      List<ConsumerRecord<String, byte[]>> records =
          TopicReader.read(broker.bootstrapServers(), topics.images(), count);
      assertThat(records).hasSize(count);
      for (ConsumerRecord<String, byte[]> record : records) {
        String origin = attribute(record, "origin");
        int index = Integer.parseInt(origin.substring(origin.lastIndexOf('#') + 1));
        assertThat(origin).startsWith(pair[0].toString());
        ImageTensor tensor = ImageTensor.fromPng(record.value(), 1);
        assertThat(tensor.chw()).containsOnly((byte) (index * 30));
        assertThat(LabelledImage.label(record)).isEqualTo(index % 10);
      }
      assertThat(TopicReader.read(broker.bootstrapServers(), topics.deadLetter(), 0,
          Duration.ofSeconds(2))).isEmpty();
    }
  }

  @Test
  void idxWhoseHeaderLiesSendsWhatIsThereAndOneDeadLetter() throws Exception {
    byte[] pixels = new byte[3 * 4 * 4];
    Path images = Files.write(dir.resolve("short-images"), TestFiles.idxImages(5, 4, 4, pixels));
    Path labelFile = Files.write(dir.resolve("labels"), TestFiles.idxLabels(5, new byte[] {1, 2, 3, 4, 5}));
    Topics topics = Topics.withPrefix("idxshort" + RUNS.incrementAndGet() + ".");
    IngestService.Summary summary =
        ingest(new IdxSource(images, labelFile, new DatasetSpec(8, 3, Resize.FIT)), topics, 0);
    assertThat(summary.published()).isEqualTo(3);
    assertThat(summary.deadLettered()).isEqualTo(1);
    for (ConsumerRecord<String, byte[]> record : TopicReader.read(broker.bootstrapServers(), topics.images(), 3)) {
      assertThat(ImageTensor.fromPng(record.value(), 3).width()).isEqualTo(8);
      assertThat(attribute(record, "conversion")).isEqualTo("gray-to-rgb");
    }
    assertDeadLetters(topics, Map.of(images.toString(), "header declares 5 images, the file holds 3"));

    Path fewerLabels = Files.write(dir.resolve("fewer-labels"), TestFiles.idxLabels(4, new byte[] {1, 2, 3, 4}));
    Topics mismatch = Topics.withPrefix("idxmismatch" + RUNS.incrementAndGet() + ".");
    summary = ingest(new IdxSource(images, fewerLabels, new DatasetSpec(4, 1, Resize.FIT)), mismatch, 0);
    assertThat(summary.published()).isZero();
    assertDeadLetters(mismatch, Map.of(images.toString(), "counts differ"));

    Topics wrongMagic = Topics.withPrefix("idxmagic" + RUNS.incrementAndGet() + ".");
    summary = ingest(new IdxSource(labelFile, labelFile, new DatasetSpec(4, 1, Resize.FIT)), wrongMagic, 0);
    assertThat(summary.published()).isZero();
    assertDeadLetters(wrongMagic, Map.of(labelFile.toString(), "not an IDX image file"));
  }

  @Test
  void maxImagesEndsAFolderIngestEarly() throws Exception {
    for (int i = 0; i < 6; i++) {
      TestFiles.write(TestFiles.noise(28, 28, BufferedImage.TYPE_BYTE_GRAY, i), "png", dir.resolve(i + ".png"));
    }
    Topics topics = Topics.withPrefix("max" + RUNS.incrementAndGet() + ".");
    IngestService.Summary summary =
        ingest(new FolderSource(dir, new DatasetSpec(28, 1, Resize.FIT)), topics, 4);
    assertThat(summary.published()).isEqualTo(4);
    assertThat(TopicReader.read(broker.bootstrapServers(), topics.images(), 4)).hasSize(4);
  }

  /** The bad-file corpus: file name → a word of the reason its dead letter must give. */
  private static Map<String, String> badCorpus(Path dir) throws Exception {
    Files.createDirectories(dir);
    Map<String, String> bad = new HashMap<>();
    Files.write(dir.resolve("empty.png"), new byte[0]);
    bad.put(dir.resolve("empty.png").toString(), "empty file");
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(TestFiles.noise(64, 64, BufferedImage.TYPE_INT_RGB, 9), "png", png);
    byte[] whole = png.toByteArray();
    Files.write(dir.resolve("truncated.png"), Arrays.copyOf(whole, whole.length / 2));
    bad.put(dir.resolve("truncated.png").toString(), "truncated png");
    // ImageIO decodes these partially and silently (gray rows, or a GIF without its trailer).
    byte[] jpeg = TestFiles.encode(TestFiles.noise(64, 64, BufferedImage.TYPE_INT_RGB, 10), "jpeg");
    Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length * 2 / 3));
    bad.put(dir.resolve("truncated.jpg").toString(), "truncated JPEG: no end-of-image marker");
    byte[] gif = TestFiles.encode(TestFiles.noise(64, 64, BufferedImage.TYPE_BYTE_GRAY, 11), "gif");
    Files.write(dir.resolve("no-trailer.gif"), Arrays.copyOf(gif, gif.length - 1));
    bad.put(dir.resolve("no-trailer.gif").toString(), "truncated GIF: no trailer");
    Files.write(dir.resolve("cut.gif"), Arrays.copyOf(gif, gif.length / 2));
    bad.put(dir.resolve("cut.gif").toString(), "truncated GIF: the data ends inside image 1's data");
    Files.writeString(dir.resolve("text.png"), "this is not an image\n");
    bad.put(dir.resolve("text.png").toString(), "unsupported file");
    Files.write(dir.resolve("huge.png"), TestFiles.pngHeaderOnly(100_000, 100_000));
    bad.put(dir.resolve("huge.png").toString(), "100000x100000");
    Files.writeString(dir.resolve("notes.txt"), "some notes");
    bad.put(dir.resolve("notes.txt").toString(), "unsupported file");
    return bad;
  }

  private static void assertDeadLetters(Topics topics, Map<String, String> expected) throws Exception {
    List<ConsumerRecord<String, byte[]>> deadLetters =
        TopicReader.read(broker.bootstrapServers(), topics.deadLetter(), expected.size());
    Map<String, ConsumerRecord<String, byte[]>> byOrigin = deadLetters.stream()
        .collect(Collectors.toMap(r -> attribute(r, "origin"), Function.identity()));
    assertThat(deadLetters).hasSize(expected.size()); // exactly one each
    assertThat(byOrigin.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    for (Map.Entry<String, String> entry : expected.entrySet()) {
      ConsumerRecord<String, byte[]> record = byOrigin.get(entry.getKey());
      assertThat(DeadLetter.reason(record)).as(entry.getKey()).containsIgnoringCase(entry.getValue());
      assertThat(CloudEvents.attribute(record.headers(), "type")).contains(CloudEvents.TYPE_DEADLETTER);
      assertThat(record.value()).as("value of " + entry.getKey())
          .isEqualTo(Files.readAllBytes(Path.of(entry.getKey())));
    }
  }

  private static IngestService.Summary ingest(ImageSource source, Topics topics, long maxImages) {
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    try (KafkaSender<String, byte[]> sender =
            KafkaSender.create(IngestService.senderOptions(broker.bootstrapServers()));
        IngestService ingest = new IngestService(source, sender, new IngestService.Options(topics, 0, maxImages))) {
      return ingest.run().block(Duration.ofSeconds(60));
    }
  }

  private static String attribute(ConsumerRecord<String, byte[]> record, String name) {
    return CloudEvents.requiredAttribute(record.headers(), name);
  }
}
