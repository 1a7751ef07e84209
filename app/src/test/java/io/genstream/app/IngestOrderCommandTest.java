package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.app.demo.DemoData;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.Order;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.folder.FolderLayout;
import io.genstream.ingest.folder.ImageFolderSource;
import io.genstream.trainer.family.ModelSpec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genstream ingest --order shuffled|sorted --seed S --epochs N} on a class-sorted
 * ImageFolder, and {@code demo --data DIR --order}: shuffled by default, one order per epoch,
 * sorted on request; the options are refused where they mean nothing.
 */
class IngestOrderCommandTest extends CliTest {

  private static final DatasetSpec SPEC = new DatasetSpec(8, 1, DatasetSpec.Resize.FIT);
  private static EmbeddedKafka kafka;
  @TempDir static Path classes;

  /** 5 classes of 12 images, listed class after class. */
  @BeforeAll
  static void start() throws Exception {
    kafka = EmbeddedKafka.start();
    Random random = new Random(3);
    for (int c = 0; c < 5; c++) {
      Files.createDirectories(classes.resolve("class" + c));
      for (int i = 0; i < 12; i++) {
        BufferedImage image = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
        for (int p = 0; p < 64; p++) {
          image.getRaster().setSample(p % 8, p / 8, 0, random.nextInt(256));
        }
        ImageIO.write(image, "png", classes.resolve("class" + c).resolve(i + ".png").toFile());
      }
    }
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void ingestShufflesEachEpochOfAnImageFolderByDefault() {
    List<ConsumerRecord<String, byte[]>> records = ingest("shuffled.", "--seed", "42", "--epochs", "2");

    ImageFolderSource expected = new ImageFolderSource(classes, SPEC, 1, Order.shuffled(42));
    assertThat(origins(records.subList(0, 60))).containsExactlyElementsOf(origins(expected, 1));
    assertThat(origins(records.subList(60, 120))).containsExactlyElementsOf(origins(expected, 2))
        .isNotEqualTo(origins(records.subList(0, 60)));
    assertThat(records.subList(0, 20).stream().map(LabelledImage::label).distinct().count())
        .as("classes among the first 20 of 60").isGreaterThanOrEqualTo(4);
  }

  @Test
  void ingestSortedKeepsThePathOrderClassAfterClass() {
    List<ConsumerRecord<String, byte[]>> records = ingest("sorted.", "--order", "sorted");

    assertThat(records).hasSize(60);
    assertThat(origins(records)).isSorted()
        .containsExactlyElementsOf(origins(new ImageFolderSource(classes, SPEC, 1, Order.SORTED), 1));
    assertThat(records.subList(0, 12)).allSatisfy(r -> assertThat(LabelledImage.label(r)).isZero());
  }

  @Test
  void orderAndEpochsAreRefusedWhereTheyMeanNothing() {
    assertThat(run("ingest", "--help")).isZero();
    assertThat(out.toString()).contains("--order", "--epochs", "default: shuffled");
    assertThat(run("ingest", "--image-folder", classes.toString(), "--order", "random")).isEqualTo(2);
    assertThat(err.toString()).contains("order must be one of [shuffled, sorted], got 'random'");
    assertThat(run("ingest", "--order", "sorted")).isEqualTo(2);
    assertThat(err.toString()).contains("--order is for --folder, --image-folder and --idx");
    assertThat(run("ingest", "--http-port", "0", "--epochs", "2")).isEqualTo(2);
    assertThat(err.toString()).contains("--epochs is for --folder, --image-folder and --idx");
    assertThat(run("ingest", "--folder", classes.toString(), "--watch", "--epochs", "2")).isEqualTo(2);
    assertThat(err.toString()).contains("--epochs is for a finite data set");
    assertThat(run("demo", "--order", "sorted")).isEqualTo(2);
    assertThat(err.toString()).contains("--order is for --data DIR");
  }

  @Test
  void demoDataIsShuffledUnlessSortedIsAsked() {
    ModelSpec spec = ModelSpec.defaults(ModelSpec.Family.CGAN);
    assertThat(DemoData.open(classes, spec).source().order()).isEqualTo(Order.shuffled(1));
    DemoData sorted = DemoData.open(classes, spec, FolderLayout.AUTO, Order.SORTED);
    assertThat(sorted.source().order()).isEqualTo(Order.SORTED);
    assertThat(sorted.source().items(2).take(12).map(i -> ((SourceItem.Image) i).image().label())
        .collectList().block()).containsOnly(0);
  }

  /** Runs an ingest of the classes into one-partition topics; its records, in topic order. */
  private List<ConsumerRecord<String, byte[]>> ingest(String prefix, String... options) {
    TopicSetup.ensure(kafka.bootstrapServers(), Topics.withPrefix(prefix), 1);
    List<String> args = new java.util.ArrayList<>(List.of("ingest", "-b", kafka.bootstrapServers(),
        "--topic-prefix", prefix, "--image-folder", classes.toString(), "--size", "8",
        "--no-ledger"));
    args.addAll(List.of(options));
    assertThat(run(args.toArray(String[]::new))).as(err.toString()).isZero();
    return TopicReader.read(kafka.bootstrapServers(), prefix + "images", 60);
  }

  private static List<String> origins(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> CloudEvents.requiredAttribute(r.headers(), "origin")).toList();
  }

  private static List<String> origins(ImageFolderSource source, long epoch) {
    return source.items(epoch).map(SourceItem::origin).collectList().block();
  }
}
