package io.genstream.ingest.folder;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.ImageSource;
import io.genstream.ingest.SourceItem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import reactor.core.publisher.Flux;

/**
 * The images of a folder and its sub-folders, unlabelled, in sorted path order: PNG, JPEG, BMP
 * and GIF, recognised by content. Each is normalised to the {@link DatasetSpec}; a file that is
 * not a usable image becomes a rejection with its path and the reason.
 *
 * <p>Unlabelled: every image has label 0 (the images topic requires an integer label; an
 * unconditional model ignores it) and no {@code ce_labelname}.
 */
public final class FolderSource implements ImageSource {

  private final Path dir;
  private final DatasetSpec spec;

  public FolderSource(Path dir, DatasetSpec spec) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a folder: " + dir);
    }
    this.dir = dir;
    this.spec = spec;
  }

  @Override
  public String name() {
    return "folder";
  }

  /**
   * Finite: lists the folder on subscription, then reads one file per request, synchronously on
   * the subscriber's thread (file and decoding work: subscribe on a thread that may block).
   */
  @Override
  public Flux<SourceItem> items() {
    return Flux.defer(() -> {
      ImageFiles files = new ImageFiles(spec, name() + ":" + dir.getFileName());
      return Flux.fromIterable(ImageFiles.list(dir)).map(file -> files.read(file, 0, Map.of()));
    });
  }
}
