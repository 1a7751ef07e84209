package io.genstream.ingest.folder;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.EpochSource;
import io.genstream.ingest.Order;
import io.genstream.ingest.SourceItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The images of a folder and its sub-folders, unlabelled, each epoch in its {@link Order}
 * (shuffled with seed {@link Order#DEFAULT_SEED} unless given; sorted: in sorted path order):
 * PNG, JPEG, BMP and GIF, recognised by content. Each is normalised to the {@link DatasetSpec};
 * a file that is not a usable image becomes a rejection with its path and the reason.
 *
 * <p>Unlabelled: every image has label 0 (the images topic requires an integer label; an
 * unconditional model ignores it) and no {@code ce_labelname}.
 *
 * <p><b>Watching.</b> With a watch interval the source does not end: after the files there at
 * subscription (in the epoch's order) it lists the folder again every interval and streams the
 * files that appeared, in the order they arrive (sorted within one listing), not shuffled.
 * A new file is taken once its size and modification time were the same at two listings in a
 * row, so a file still being copied in is not read half-written. What it remembers (the files
 * already taken, the ones waiting to settle) is pruned to the files the folder holds now, so
 * memory follows the folder's content, not how long the source runs. Polling rather than a
 * {@code WatchService} because the latter misses events on network and container-mounted file
 * systems, which is where such folders often live.
 */
public final class FolderSource implements EpochSource {

  private static final Logger log = LoggerFactory.getLogger(FolderSource.class);

  private final Path dir;
  private final DatasetSpec spec;
  private final Duration watchEvery;
  private final int workers;
  private final Order order;

  /** The files there at subscription, then the end. */
  public FolderSource(Path dir, DatasetSpec spec) {
    this(dir, spec, null);
  }

  /**
   * @param watchEvery how often to look for new files; null for a finite source
   */
  public FolderSource(Path dir, DatasetSpec spec, Duration watchEvery) {
    this(dir, spec, watchEvery, ImageFiles.DEFAULT_WORKERS);
  }

  /**
   * @param workers files read and decoded at a time ({@link ImageFiles#DEFAULT_WORKERS} by
   *     default); the items keep the epoch's order whatever the number
   */
  public FolderSource(Path dir, DatasetSpec spec, Duration watchEvery, int workers) {
    this(dir, spec, watchEvery, workers, Order.defaults());
  }

  /**
   * @param order the order of the files there at subscription, per epoch; files that appear
   *     later (watching) come in the order they arrive
   */
  public FolderSource(Path dir, DatasetSpec spec, Duration watchEvery, int workers, Order order) {
    this.order = Objects.requireNonNull(order, "order");
    this.workers = ImageFiles.checkWorkers(workers);
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a folder: " + dir);
    }
    if (watchEvery != null && (watchEvery.isNegative() || watchEvery.isZero())) {
      throw new IllegalArgumentException("watch interval must be positive, got " + watchEvery);
    }
    this.dir = dir;
    this.spec = spec;
    this.watchEvery = watchEvery;
  }

  @Override
  public String name() {
    return "folder";
  }

  @Override
  public Order order() {
    return order;
  }

  /**
   * Lists the folder on subscription, arranges the files in the epoch's order, then reads them
   * in that order: with one worker one file per request, synchronously on the subscriber's
   * thread (file and decoding work: subscribe on a thread that may block); with more, up to that
   * many at a time ahead of demand on Reactor's bounded-elastic threads. Finite unless watching;
   * then the later listings run on bounded-elastic threads too.
   */
  @Override
  public Flux<SourceItem> items(long epoch) {
    Order.checkEpoch(epoch);
    return Flux.defer(() -> {
      ImageFiles files = new ImageFiles(spec, name() + ":" + dir.getFileName());
      List<Path> initial = ImageFiles.list(dir);
      List<Path> arranged = order.arrange(initial, file -> ImageFiles.key(dir, file), epoch);
      log.info("{}: sending {} files in {}", dir, initial.size(), order.describe(epoch));
      Function<Path, SourceItem> read = file -> files.read(file, 0, Map.of());
      Flux<SourceItem> present = ImageFiles.inOrder(Flux.fromIterable(arranged), read, workers);
      if (watchEvery == null) {
        return present;
      }
      Arrivals arrivals = new Arrivals(initial);
      Flux<SourceItem> later = ImageFiles.inOrder(
              Flux.defer(() -> Flux.fromIterable(arrivals.settled(list()))), read, workers)
          .repeatWhen(passes -> passes.concatMap(
              pass -> Mono.delay(watchEvery, Schedulers.boundedElastic())));
      return present.concatWith(later);
    });
  }

  private List<Path> list() {
    try {
      return ImageFiles.list(dir);
    } catch (RuntimeException e) {
      // A folder that is briefly unreadable (unmounted, renamed) is looked at again next pass.
      return null;
    }
  }

  /** Which files of a listing are new and have stopped changing; pruned to the folder's files. */
  static final class Arrivals {
    private final Set<Path> taken;
    private final Map<Path, Stamp> settling = new HashMap<>();

    Arrivals(List<Path> alreadyTaken) {
      this.taken = new HashSet<>(alreadyTaken);
    }

    /** The files of {@code listing} to read now, in its order; null listing: none. */
    List<Path> settled(List<Path> listing) {
      if (listing == null) {
        return List.of();
      }
      Set<Path> present = new HashSet<>(listing);
      taken.retainAll(present);
      settling.keySet().retainAll(present);
      List<Path> ready = new ArrayList<>();
      for (Path file : listing) {
        if (taken.contains(file)) {
          continue;
        }
        Stamp now = Stamp.of(file);
        if (now != null && now.equals(settling.get(file))) {
          settling.remove(file);
          taken.add(file);
          ready.add(file);
        } else if (now != null) {
          settling.put(file, now);
        }
      }
      return ready;
    }

    int remembered() {
      return taken.size() + settling.size();
    }
  }

  private record Stamp(long size, long modified) {
    static Stamp of(Path file) {
      try {
        return new Stamp(Files.size(file), Files.getLastModifiedTime(file).toMillis());
      } catch (IOException e) {
        return null; // gone between the listing and now
      }
    }
  }
}
