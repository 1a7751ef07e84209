package io.genstream.ingest;

import reactor.core.publisher.Flux;

/**
 * A finite data set that can be sent again, epoch after epoch, each epoch in the
 * {@link Order} it gives for that epoch: a folder, an ImageFolder, IDX files.
 * {@link IngestService} sends several epochs with {@link IngestService.Options#epochs()}.
 *
 * <p>Only the list of items (paths, IDX indices) is arranged, before anything is read, so
 * memory is what one epoch in the listed order takes; the source's parallel readers, if it has
 * them, read in the arranged order. Each subscription to {@link #items(long)} lists again and
 * logs one line: how many items, and the order with its seed and the epoch.
 */
public interface EpochSource extends ImageSource {

  /** The order of every epoch. */
  Order order();

  /**
   * The items of epoch {@code epoch} (the first is 1), in {@link #order()} for it; lazy and
   * honouring demand, as {@link ImageSource#items()}. Finite, except a source that also watches
   * for new files (these follow the epoch in the order they arrive).
   *
   * @throws IllegalArgumentException if {@code epoch < 1}
   */
  Flux<SourceItem> items(long epoch);

  /** Epoch 1. */
  @Override
  default Flux<SourceItem> items() {
    return items(1);
  }
}
