package io.genstream.ingest.folder;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.ImageSource;
import io.genstream.ingest.SourceItem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * A labelled data set laid out as one sub-folder per class ({@code root/cat/1.png},
 * {@code root/dog/7.jpg}): the class folders, sorted by name, become labels {@code 0..k-1}, and
 * each image's record carries its class name as {@code ce_labelname}. Images within a class are
 * read as {@link FolderSource} reads them (recursively, sorted, normalised); classes go one after
 * the other. A file directly in the root belongs to no class and is rejected.
 */
public final class ImageFolderSource implements ImageSource {

  private static final Logger log = LoggerFactory.getLogger(ImageFolderSource.class);

  private final Path root;
  private final DatasetSpec spec;
  private final List<String> labelNames;
  private final int workers;

  /** Lists the class folders now, so that the label names are known before ingest starts. */
  public ImageFolderSource(Path root, DatasetSpec spec) {
    this(root, spec, ImageFiles.DEFAULT_WORKERS);
  }

  /** @param workers files read and decoded at a time, as for {@link FolderSource} */
  public ImageFolderSource(Path root, DatasetSpec spec, int workers) {
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

  /** Finite; reads as {@link FolderSource} does, in order, with its number of workers. */
  @Override
  public Flux<SourceItem> items() {
    return Flux.defer(() -> {
      ImageFiles files = new ImageFiles(spec, name() + ":" + root.getFileName());
      List<Flux<SourceItem>> parts = new ArrayList<>();
      parts.add(Flux.defer(() -> Flux.fromStream(strayFiles().stream())));
      for (int label = 0; label < labelNames.size(); label++) {
        int l = label;
        String labelName = labelNames.get(label);
        parts.add(ImageFiles.inOrder(
            Flux.defer(() -> Flux.fromIterable(ImageFiles.list(root.resolve(labelName)))),
            file -> files.read(file, l, Map.of("labelname", labelName)), workers));
      }
      return Flux.concat(parts);
    });
  }

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
