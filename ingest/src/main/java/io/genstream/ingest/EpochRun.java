package io.genstream.ingest;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * The epochs of one {@link IngestService} run and when they stop: from the ledger's epoch in
 * progress (or 1) up to {@link IngestService.Options#epochs()} (or without end), once for a
 * source that is not an {@link EpochSource}; earlier once {@code maxImages} images were taken,
 * or after an epoch in which the source gave no image (the data set is empty, or holds no usable
 * image: repeating it would list the folder in a loop).
 *
 * <p>One per run. Its counters are written by one epoch at a time (epochs run one after the
 * other) and read when the next epoch number is asked for.
 */
final class EpochRun {

  private static final Logger log = LoggerFactory.getLogger(EpochRun.class);

  private final long first;
  private final long last;
  private final long maxImages;
  private final boolean repeatable;
  /** Images passed on to be sent in this run, all epochs, for {@code maxImages}. */
  final AtomicLong taken = new AtomicLong();
  /** Images the source gave in the current epoch (before the ledger skips any). */
  final AtomicLong found = new AtomicLong();

  EpochRun(ImageSource source, IngestService.Options options, long first) {
    this.first = first;
    this.last = options.epochs();
    this.maxImages = options.maxImages();
    this.repeatable = source instanceof EpochSource;
  }

  /**
   * The epoch a run starts at: the ledger's epoch in progress, or 1 without one.
   *
   * @throws IllegalArgumentException if {@code epochs} is not 1 for a source that has no epochs,
   *     or the ledger is past the last epoch asked for (naming both, and what to do)
   */
  static long first(ImageSource source, IngestService.Options options, IngestLedger ledger) {
    if (options.epochs() != 1 && !(source instanceof EpochSource)) {
      throw new IllegalArgumentException("epochs are for a finite data set (a folder, an "
          + "ImageFolder, IDX files), not " + source.name() + ": got " + options.epochs());
    }
    long first = ledger == null ? 1 : ledger.epoch();
    if (options.epochs() > 0 && first > options.epochs()) {
      throw new IllegalArgumentException("the ledger " + ledger.file() + " is in epoch " + first
          + ", past the last epoch asked for (" + options.epochs() + "): ask for " + first
          + " epochs or more to go on, or delete the ledger to start again at epoch 1");
    }
    return first;
  }

  /** The epoch numbers, each asked for when the epoch before has ended. */
  Flux<Long> numbers() {
    return Flux.generate(() -> first, (epoch, sink) -> {
      if (epoch > first && !another(epoch)) {
        sink.complete();
      } else {
        found.set(0);
        sink.next(epoch);
      }
      return epoch + 1;
    });
  }

  boolean limitReached() {
    return maxImages > 0 && taken.get() >= maxImages;
  }

  private boolean another(long epoch) {
    if (!repeatable || last > 0 && epoch > last || limitReached()) {
      return false;
    }
    if (found.get() == 0) {
      log.warn("Epoch {} found no image to send: stopping after it", epoch - 1);
      return false;
    }
    return true;
  }
}
