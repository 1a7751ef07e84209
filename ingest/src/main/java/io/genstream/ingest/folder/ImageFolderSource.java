package io.genstream.ingest.folder;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.EpochSource;
import io.genstream.ingest.Order;
import io.genstream.ingest.SourceItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * A labelled data set laid out as one sub-folder per class ({@code root/cat/1.png},
 * {@code root/dog/7.jpg}): the class folders, sorted by name, become labels {@code 0..k-1}, and
 * each image's record carries its class name as {@code ce_labelname}. Images are found and
 * read as {@link FolderSource} finds and reads them (recursively, normalised). Each epoch sends
 * every class's images in its {@link Order}: shuffled (the default, seed
 * {@link Order#DEFAULT_SEED} unless given), classes mixed from the first record on, so that a
 * trainer's batches hold every class; sorted, class after class, each class's files in sorted
 * path order. A file directly in the root belongs to no class and is rejected, before the
 * images.
 *
 * <p>Memory: each epoch lists every class's files at once (a path and a label each) to arrange
 * them; images are read as they are sent.
 */
public final class ImageFolderSource implements EpochSource {

  private static final Logger log = LoggerFactory.getLogger(ImageFolderSource.class);

  private final Path root;
  private final DatasetSpec spec;
  private final List<String> labelNames;
  private final int workers;
  private final Order order;

  /** Lists the class folders now, so that the label names are known before ingest starts. */
  public ImageFolderSource(Path root, DatasetSpec spec) {
    this(root, spec, ImageFiles.DEFAULT_WORKERS);
  }

  /** @param workers files read and decoded at a time, as for {@link FolderSource} */
  public ImageFolderSource(Path root, DatasetSpec spec, int workers) {
    this(root, spec, workers, Order.defaults());
  }

  /** @param order the order of each epoch's images */
  public ImageFolderSource(Path root, DatasetSpec spec, int workers, Order order) {
    this.order = Objects.requireNonNull(order, "order");
    this.workers = ImageFiles.checkWorkers(workers);
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("not a folder: " + root);
    }
    this.root = root;
    this.spec = spec;
    try (Stream<Path> children = Files.list(root)) {
      this.labelNames = children.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(name -> !name.startsWith("."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
    if (labelNames.isEmpty()) {
      throw new IllegalArgumentException("no class folders in " + root
          + ": expected one sub-folder per class, e.g. " + root.resolve("cat"));
    }
    log.info("{}: {} classes: {}", root, labelNames.size(), labels());
  }

  /** The class names; a label is an index into this list. */
  public List<String> labelNames() {
    return labelNames;
  }

  @Override
  public String name() {
    return "image-folder";
  }

  @Override
  public Order order() {
    return order;
  }

  /**
   * Finite: the stray files' rejections, then the images of every class in the epoch's order,
   * read as {@link FolderSource} reads them, with its number of workers.
   */
  @Override
  public Flux<SourceItem> items(long epoch) {
    Order.checkEpoch(epoch);
    return Flux.defer(() -> {
      ImageFiles files = new ImageFiles(spec, name() + ":" + root.getFileName());
      List<SourceItem> strays = strayFiles();
      List<LabelledFile> all = new ArrayList<>();
      for (int label = 0; label < labelNames.size(); label++) {
        for (Path file : ImageFiles.list(root.resolve(labelNames.get(label)))) {
          all.add(new LabelledFile(file, label));
        }
      }
      List<LabelledFile> arranged =
          order.arrange(all, entry -> ImageFiles.key(root, entry.file()), epoch);
      log.info("{}: sending {} files of {} classes in {}", root, all.size(), labelNames.size(),
          order.describe(epoch));
      return Flux.fromIterable(strays).concatWith(ImageFiles.inOrder(Flux.fromIterable(arranged),
          entry -> files.read(entry.file(), entry.label(),
              Map.of("labelname", labelNames.get(entry.label()))), workers));
    });
  }

  private record LabelledFile(Path file, int label) {}

  private List<SourceItem> strayFiles() {
    try (Stream<Path> children = Files.list(root)) {
      return children.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .map(p -> (SourceItem) SourceItem.Rejection.ofFile(p,
              "not in a class folder: images go in " + root + "/<class>/"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  private String labels() {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < labelNames.size(); i++) {
      text.append(i == 0 ? "" : ", ").append(i).append('=').append(labelNames.get(i));
    }
    return text.toString();
  }
}
