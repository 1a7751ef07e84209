package io.genstream.ingest;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.CloudEvents;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes the items of an {@link ImageSource} at a steady pace: images to the images topic,
 * rejected inputs to the dead-letter topic ({@link FileDeadLetter}), each exactly once.
 *
 * <p>Reading, decoding and rendering run on a dedicated single thread owned by this service, or,
 * for a source that reads on several threads of its own (a folder source with several workers),
 * there, the items still in the source's order; the sender belongs to the caller, who closes it
 * after this service ({@link #senderOptions} gives the producer settings ingest wants).
 *
 * <p><b>Epochs.</b> A finite data set ({@link EpochSource}) can be sent several times
 * ({@link Options#epochs()}), each epoch in its own order. An epoch starts once every record of
 * the one before was acknowledged (the in-flight records drain at each boundary), so that a
 * ledger's epoch line never precedes records of the epoch before. A file that is not a usable
 * image is dead-lettered in the first epoch of a run only; later epochs send the images.
 */
public final class IngestService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IngestService.class);
  /** Pace in ticks of this length: short enough to look steady, long enough to be cheap. */
  private static final Duration TICK = Duration.ofMillis(50);
  private static final int MAX_IN_FLIGHT = 256;

  /**
   * @param imagesPerSecond pace; 0 for as fast as the source and broker go
   * @param maxImages stop after this many images (rejections do not count); 0 for no limit
   * @param dataset stamped as {@code ce_dataset} on every image, so that trainers sharing the
   *     images topic can each take their own data; null for none
   * @param epochs for an {@link EpochSource}: the last epoch to send (epochs are numbered from
   *     1; a run with a ledger starts at the ledger's epoch, else at 1), 0 for no end; other
   *     sources are sent once, as for 1
   */
  public record Options(Topics topics, double imagesPerSecond, long maxImages, String dataset,
      long epochs) {
    public Options {
      Objects.requireNonNull(topics, "topics");
      checkDataset(dataset);
      if (imagesPerSecond < 0) {
        throw new IllegalArgumentException("imagesPerSecond must be >= 0, got " + imagesPerSecond);
      }
      if (maxImages < 0) {
        throw new IllegalArgumentException("maxImages must be >= 0, got " + maxImages);
      }
      if (epochs < 0) {
        throw new IllegalArgumentException("epochs must be >= 0 (0: no end), got " + epochs);
      }
    }

    /** One epoch. */
    public Options(Topics topics, double imagesPerSecond, long maxImages, String dataset) {
      this(topics, imagesPerSecond, maxImages, dataset, 1);
    }

    /** No dataset attribute. */
    public Options(Topics topics, double imagesPerSecond, long maxImages) {
      this(topics, imagesPerSecond, maxImages, null);
    }
  }

  // A name people type on a command line and in a models file, compared byte for byte.
  private static final Pattern DATASET_NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  /**
   * A dataset name as {@code ce_dataset} carries it, or null for none; every source that stamps
   * one checks it here.
   *
   * @throws IllegalArgumentException naming the value and the valid characters
   */
  public static String checkDataset(String dataset) {
    if (dataset != null && !DATASET_NAME.matcher(dataset).matches()) {
      throw new IllegalArgumentException(
          "dataset must be 1-100 of [A-Za-z0-9._-], got '" + dataset + "'");
    }
    return dataset;
  }

  /** What a finished run did. */
  /**
   * @param alreadySent files skipped because the ledger (or an earlier file of this run) had
   *     their content hash; 0 without a ledger
   */
  public record Summary(long published, long deadLettered, long alreadySent, Duration elapsed) {
    public Summary(long published, long deadLettered, Duration elapsed) {
      this(published, deadLettered, 0, elapsed);
    }

    public double imagesPerSecond() {
      return elapsed.isZero() ? 0 : published * 1e9 / elapsed.toNanos();
    }

    @Override
    public String toString() {
      return String.format("%d images sent, %d dead-lettered, %d already sent in %.1f s (%.0f images/s)",
          published, deadLettered, alreadySent, elapsed.toMillis() / 1000.0, imagesPerSecond());
    }
  }

  /**
   * The producer ingest wants: the defaults (idempotent, {@code acks=all}) with lz4 compression
   * (PNG headers, small images stored rather than deflated, dead-lettered text) and one request
   * in flight with large batches. lz4 rather than zstd: per 28×28 image, zstd cost the
   * producer's threads (sender and network thread) 14-17 µs more CPU, a third of the Kafka
   * path's 43-52 µs (broker included; CPU per thread during {@code genstream bench ingest} on
   * 2 cores, 2026-12-01), for about 6 % fewer bytes on image-like
   * content (500 stored 28×28 PNGs: zstd 0.88 of the raw size, lz4 0.94). One in
   * flight because ingest usually starts right after creating its topics: a first batch refused
   * with NOT_LEADER_OR_FOLLOWER while later ones were accepted left the idempotent producer
   * retrying OUT_OF_ORDER_SEQUENCE_NUMBER forever (seen with the embedded broker); large batches
   * keep the throughput. These three are set after the user's client properties of
   * {@code kafka}, so they win.
   */
  public static SenderOptions<String, byte[]> senderOptions(KafkaConnection kafka) {
    return SenderOptions.defaults(kafka)
        .withProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
        .withProperty(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1)
        .withProperty(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
  }

  /** {@link #senderOptions(KafkaConnection)} for a plaintext cluster. */
  public static SenderOptions<String, byte[]> senderOptions(String bootstrapServers) {
    return senderOptions(KafkaConnection.of(bootstrapServers));
  }

  private final ImageSource source;
  private final KafkaSender<String, byte[]> sender;
  private final Options options;
  private final Scheduler sourceScheduler;
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();
  private final AtomicLong alreadySent = new AtomicLong();
  private final IngestLedger ledger;
  private final long firstEpoch;

  public IngestService(ImageSource source, KafkaSender<String, byte[]> sender, Options options) {
    this(source, sender, options, null);
  }

  /**
   * With a ledger (the caller's, who closes it after this service): items whose content hash is
   * in it are skipped and counted as already sent, and the hash of each acknowledged image or
   * dead-lettered file is appended to it. The hash of an image is its {@code contenthash}
   * attribute (folder sources set it), of a rejected file the SHA-256 of its bytes; an item
   * without either is sent as without a ledger. Epochs start at the ledger's epoch in progress
   * ({@link IngestLedger#epoch()}) and each later one is started in it.
   *
   * @throws IllegalArgumentException as {@link #checkEpochs}
   */
  public IngestService(ImageSource source, KafkaSender<String, byte[]> sender, Options options,
      IngestLedger ledger) {
    this.source = source;
    this.sender = sender;
    this.options = options;
    this.ledger = ledger;
    this.firstEpoch = checkEpochs(source, options, ledger);
    this.sourceScheduler = Schedulers.newSingle("genstream-ingest-" + source.name(), true);
  }

  /**
   * Streams the source to Kafka; completes with a summary when {@code maxImages} images were
   * acknowledged by the broker or a finite source ended and all its records were acknowledged;
   * errors if a send fails. Cancel to stop.
   */
  public Mono<Summary> run() {
    log.info("Ingesting {} into {} at {}", source.name(), options.topics().images(),
        options.imagesPerSecond() == 0 ? "full speed" : options.imagesPerSecond() + " images/s");
    return Mono.defer(() -> {
      long started = System.nanoTime();
      EpochRun run = new EpochRun(source, options, firstEpoch);
      // No prefetch: the next epoch number is asked for once this epoch's records are all
      // acknowledged, and EpochRun decides then whether there is one.
      return run.numbers()
          .concatMap(epoch -> sendEpoch(epoch, run), 0)
          .then(Mono.fromSupplier(() -> new Summary(published.get(), deadLettered.get(),
              alreadySent.get(), Duration.ofNanos(System.nanoTime() - started))))
          .doOnNext(summary -> log.info("Ingest of {} finished: {}", source.name(), summary));
    });
  }

  /**
   * The epoch a run of this service starts at: the ledger's epoch in progress, or 1.
   *
   * @throws IllegalArgumentException if {@code options.epochs()} is not 1 for a source that is
   *     not an {@link EpochSource}, or the ledger is past the last epoch asked for
   */
  public static long checkEpochs(ImageSource source, Options options, IngestLedger ledger) {
    return EpochRun.first(source, options, ledger);
  }

  /**
   * One epoch's records, sent; the ledger (if any) moved to this epoch first, on the source's
   * thread (file work), after the epoch before was acknowledged whole.
   */
  private Flux<RecordMetadata> sendEpoch(long epoch, EpochRun run) {
    Flux<SourceItem> items = source instanceof EpochSource epochs ? epochs.items(epoch) : source.items();
    if (epoch > firstEpoch) {
      items = items.filter(item -> item instanceof SourceItem.Image);
    }
    Flux<RecordMetadata> sends = items
        .doOnNext(item -> {
          if (item instanceof SourceItem.Image) {
            run.found.incrementAndGet();
          }
        })
        .filter(this::notAlreadySent)
        .transform(i -> limited(i, run))
        .subscribeOn(sourceScheduler)
        .transform(this::paced)
        .flatMap(this::publish, MAX_IN_FLIGHT);
    if (ledger == null || epoch <= ledger.epoch()) {
      return sends;
    }
    return Mono.fromRunnable(() -> ledger.startEpoch(epoch)).subscribeOn(sourceScheduler)
        .thenMany(sends);
  }

  /** Images acknowledged by the broker so far. */
  public long published() {
    return published.get();
  }

  /** Rejected inputs acknowledged on the dead-letter topic so far. */
  public long deadLettered() {
    return deadLettered.get();
  }

  /** Files skipped so far because the ledger had their content hash. */
  public long alreadySent() {
    return alreadySent.get();
  }

  /** True unless the ledger has the item's hash (then counted as already sent). */
  private boolean notAlreadySent(SourceItem item) {
    if (ledger == null) {
      return true;
    }
    byte[] hash = hash(item);
    if (hash == null || ledger.claim(hash)) {
      return true;
    }
    alreadySent.incrementAndGet();
    return false;
  }

  /** The item's content hash, or null if it has none. */
  private static byte[] hash(SourceItem item) {
    if (item instanceof SourceItem.Image image) {
      String hex = image.attributes().get("contenthash");
      return hex == null ? null : IngestLedger.parse(hex);
    }
    Optional<Path> file = ((SourceItem.Rejection) item).file();
    if (file.isEmpty()) {
      return null;
    }
    try {
      return IngestLedger.sha256(file.get());
    } catch (IOException e) {
      return null; // unreadable: dead-lettered (again) on every run
    }
  }

  private void acknowledged(byte[] hash) {
    if (hash != null) {
      ledger.recordAcknowledged(hash);
    }
  }

  /**
   * Up to {@code maxImages} images in the run (all epochs), with the rejections among them; the
   * source is cancelled after.
   */
  private Flux<SourceItem> limited(Flux<SourceItem> items, EpochRun run) {
    if (options.maxImages() == 0) {
      return items;
    }
    return items.takeUntil(item -> item instanceof SourceItem.Image
        && run.taken.incrementAndGet() >= options.maxImages());
  }

  private Flux<SourceItem> paced(Flux<SourceItem> items) {
    if (options.imagesPerSecond() == 0) {
      return items;
    }
    int perTick = (int) Math.max(1, Math.round(options.imagesPerSecond() * TICK.toMillis() / 1000.0));
    Duration tick = Duration.ofNanos((long) (perTick * 1e9 / options.imagesPerSecond()));
    // On our own thread: the sends that follow may block on producer metadata or a full buffer,
    // which must not happen on Reactor's parallel threads.
    return items.buffer(perTick).delayElements(tick, sourceScheduler).flatMapIterable(List::copyOf);
  }

  private Mono<RecordMetadata> publish(SourceItem item) {
    // Hashed here, on the source's thread, not in the producer's callback.
    byte[] hash = ledger == null ? null : hash(item);
    if (item instanceof SourceItem.Image image) {
      return sender.send(imageRecord(image)).doOnNext(metadata -> {
        acknowledged(hash);
        published.incrementAndGet();
      });
    }
    SourceItem.Rejection rejection = (SourceItem.Rejection) item;
    log.warn("Rejected {}: {}", rejection.origin(), rejection.reason());
    return sender.send(FileDeadLetter.of(rejection, options.topics().deadLetter(), serviceName()))
        .doOnNext(metadata -> {
          acknowledged(hash);
          deadLettered.incrementAndGet();
        });
  }

  private ProducerRecord<String, byte[]> imageRecord(SourceItem.Image item) {
    return imageRecord(item, options.topics().images(), source.name(), options.dataset());
  }

  /** The record of an image: its labelled image with {@code ce_origin} and its attributes. */
  public static ProducerRecord<String, byte[]> imageRecord(
      SourceItem.Image item, String topic, String sourceName) {
    return imageRecord(item, topic, sourceName, null);
  }

  /**
   * The record of an image, with {@code ce_dataset} when {@code dataset} is not null (checked
   * by {@link #checkDataset} beforehand).
   */
  public static ProducerRecord<String, byte[]> imageRecord(
      SourceItem.Image item, String topic, String sourceName, String dataset) {
    ProducerRecord<String, byte[]> record = item.image().toRecord(topic, sourceName);
    CloudEvents.header(record.headers(), "origin", item.origin());
    item.attributes().forEach((name, value) -> CloudEvents.header(record.headers(), name, value));
    if (dataset != null) {
      CloudEvents.header(record.headers(), "dataset", dataset);
    }
    return record;
  }

  private String serviceName() {
    return "ingest-" + source.name();
  }

  @Override
  public void close() {
    sourceScheduler.dispose();
  }
}
