package io.genstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.folder.FolderSource;
import io.genstream.ingest.folder.ImageFolderSource;
import io.genstream.ingest.idx.IdxSource;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Folder, ImageFolder and IDX sources send each epoch in their order: shuffled by default, a
 * permutation of the sorted items (the same images, labels and bytes) that differs per epoch and
 * repeats with its seed; sorted as before. Read without a broker.
 */
class SourceOrderTest {

  private static final DatasetSpec SPEC = new DatasetSpec(4, 1, Resize.FIT);
  private static final int CLASSES = 10;
  private static final int PER_CLASS = 50;

  @TempDir static Path dir;
  private static Path classes;

  /** 10 class folders of 50 tiny PNGs each: an ImageFolder listed class after class. */
  @BeforeAll
  static void writeClasses() throws Exception {
    classes = dir.resolve("classes");
    for (int c = 0; c < CLASSES; c++) {
      for (int i = 0; i < PER_CLASS; i++) {
        TestFiles.write(TestFiles.noise(4, 4, BufferedImage.TYPE_BYTE_GRAY, c * 1000 + i), "png",
            classes.resolve("class" + c).resolve(String.format("%03d.png", i)));
      }
    }
  }

  @Test
  void aShuffledImageFolderMixesTheClassesFromTheFirstRecords() {
    List<SourceItem> sorted = items(new ImageFolderSource(classes, SPEC, 1, Order.SORTED), 1);
    List<SourceItem> shuffled = items(new ImageFolderSource(classes, SPEC, 1, Order.shuffled(42)), 1);

    // Sorted is today's order: class after class, each in path order.
    assertThat(labels(sorted.subList(0, 100))).containsOnly(0, 1);
    assertThat(origins(sorted)).isSorted();
    // Shuffled: the same records (origin, label, bytes), in another order, classes mixed.
    assertThat(records(shuffled)).isEqualTo(records(sorted));
    assertThat(origins(shuffled)).isNotEqualTo(origins(sorted));
    assertThat(labels(shuffled.subList(0, 100)).stream().distinct().count())
        .as("classes among the first 100 of 500").isGreaterThanOrEqualTo(6);
  }

  @Test
  void eachEpochHasItsOwnOrderAndASeedRepeatsIt() {
    ImageFolderSource source = new ImageFolderSource(classes, SPEC, 1, Order.shuffled(42));
    List<String> epoch1 = origins(items(source, 1));
    List<String> epoch2 = origins(items(source, 2));
    assertThat(epoch2).containsExactlyInAnyOrderElementsOf(epoch1).isNotEqualTo(epoch1);
    assertThat(origins(items(new ImageFolderSource(classes, SPEC, 1, Order.shuffled(42)), 2)))
        .isEqualTo(epoch2);
    assertThat(origins(items(new ImageFolderSource(classes, SPEC, 1, Order.shuffled(43)), 2)))
        .isNotEqualTo(epoch2);
    // The parallel readers keep the arranged order.
    assertThat(origins(items(new ImageFolderSource(classes, SPEC, 3, Order.shuffled(42)), 2)))
        .isEqualTo(epoch2);
  }

  @Test
  void theDefaultOrderIsShuffledWithSeedOne() {
    assertThat(new ImageFolderSource(classes, SPEC).order()).isEqualTo(Order.shuffled(1));
    assertThat(origins(items(new ImageFolderSource(classes, SPEC), 1))).isEqualTo(
        origins(items(new ImageFolderSource(classes, SPEC, 1, Order.shuffled(1)), 1)));
  }

  @Test
  void aFlatFolderShufflesItsFilesAndSortedKeepsPathOrder() throws Exception {
    Path folder = classes.resolve("class3");
    List<SourceItem> sorted = items(new FolderSource(folder, SPEC, null, 1, Order.SORTED), 1);
    List<SourceItem> shuffled = items(new FolderSource(folder, SPEC, null, 2, Order.shuffled(5)), 1);
    List<SourceItem> again = items(new FolderSource(folder, SPEC, null, 1, Order.shuffled(5)), 2);
    assertThat(origins(sorted)).isSorted().hasSize(PER_CLASS);
    assertThat(records(shuffled)).isEqualTo(records(sorted));
    assertThat(origins(shuffled)).isNotEqualTo(origins(sorted));
    assertThat(origins(again)).containsExactlyInAnyOrderElementsOf(origins(shuffled))
        .isNotEqualTo(origins(shuffled));
  }

  @Test
  void idxSendsAPermutationOfItsEntriesPlainOrGzipAlike() throws Exception {
    int count = 300;
    byte[] pixels = new byte[count * 4];
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      pixels[4 * i] = (byte) i;
      pixels[4 * i + 1] = (byte) (i >> 8);
      labels[i] = (byte) (i / 30); // class-sorted, as MNIST is not but a user's file may be
    }
    Path images = Files.write(dir.resolve("images"), TestFiles.idxImages(count, 2, 2, pixels));
    Path labelFile = Files.write(dir.resolve("labels"), TestFiles.idxLabels(count, labels));
    Path imagesGz = Files.write(dir.resolve("images.gz"), TestFiles.gzip(Files.readAllBytes(images)));
    Path labelsGz = Files.write(dir.resolve("labels.gz"), TestFiles.gzip(Files.readAllBytes(labelFile)));

    List<SourceItem> sorted = items(new IdxSource(images, labelFile, SPEC, Order.SORTED), 1);
    List<SourceItem> shuffled = items(new IdxSource(images, labelFile, SPEC, Order.shuffled(9)), 1);
    List<SourceItem> gzipped = items(new IdxSource(imagesGz, labelsGz, SPEC, Order.shuffled(9)), 1);
    List<SourceItem> epoch2 = items(new IdxSource(images, labelFile, SPEC, Order.shuffled(9)), 2);

    assertThat(indices(sorted)).isEqualTo(java.util.stream.IntStream.range(0, count).boxed().toList());
    assertThat(payloads(shuffled)).isEqualTo(payloads(sorted));
    assertThat(indices(shuffled)).isNotEqualTo(indices(sorted))
        .isEqualTo(java.util.Arrays.stream(Order.shuffled(9).arrange(count, 1)).boxed().toList());
    assertThat(indices(gzipped)).isEqualTo(indices(shuffled));
    assertThat(payloads(gzipped)).isEqualTo(payloads(shuffled));
    assertThat(indices(epoch2)).isNotEqualTo(indices(shuffled));
    assertThat(labels(shuffled.subList(0, 60)).stream().distinct().count()).isGreaterThanOrEqualTo(6);
    for (SourceItem item : shuffled) {
      SourceItem.Image image = (SourceItem.Image) item;
      int index = index(item);
      assertThat(image.image().label()).isEqualTo(index / 30);
    }
  }

  @Test
  void aShortIdxFileSendsItsCompleteEntriesShuffledThenOneRejection() throws Exception {
    Path images = Files.write(dir.resolve("short"), TestFiles.idxImages(9, 2, 2, new byte[6 * 4 + 2]));
    Path labelFile = Files.write(dir.resolve("short-labels"), TestFiles.idxLabels(9, new byte[9]));
    List<SourceItem> items = items(new IdxSource(images, labelFile, SPEC, Order.shuffled(3)), 1);
    assertThat(items).hasSize(7);
    assertThat(indices(items.subList(0, 6))).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5)
        .isNotEqualTo(List.of(0, 1, 2, 3, 4, 5));
    assertThat(((SourceItem.Rejection) items.get(6)).reason())
        .contains("header declares 9 images, the file holds 6 complete ones");
  }

  private static List<SourceItem> items(EpochSource source, long epoch) {
    return source.items(epoch).collectList().block();
  }

  private static List<String> origins(List<SourceItem> items) {
    return items.stream().map(SourceItem::origin).toList();
  }

  private static List<Integer> labels(List<SourceItem> items) {
    return items.stream().map(i -> ((SourceItem.Image) i).image().label()).toList();
  }

  /** Origin → label and PNG bytes (as a string), every record of a list. */
  private static Map<String, String> records(List<SourceItem> items) {
    return items.stream().collect(Collectors.toMap(SourceItem::origin, i -> {
      LabelledImage image = ((SourceItem.Image) i).image();
      return image.label() + ":" + java.util.HexFormat.of().formatHex(image.png());
    }));
  }

  private static int index(SourceItem item) {
    return Integer.parseInt(item.origin().substring(item.origin().lastIndexOf('#') + 1));
  }

  private static List<Integer> indices(List<SourceItem> items) {
    return items.stream().map(SourceOrderTest::index).toList();
  }

  /** Index → PNG bytes. */
  private static Map<Integer, String> payloads(List<SourceItem> items) {
    Map<Integer, String> payloads = new java.util.HashMap<>();
    for (SourceItem item : items) {
      payloads.put(index(item), java.util.HexFormat.of().formatHex(((SourceItem.Image) item).image().png()));
    }
    return payloads;
  }
}
