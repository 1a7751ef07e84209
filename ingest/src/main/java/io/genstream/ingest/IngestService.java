package io.genstream.ingest;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.messages.LabelledImage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes the images of an {@link ImageSource} to the images topic at a steady pace.
 *
 * <p>Rendering or reading runs on a dedicated single thread owned by this service; the sender
 * belongs to the caller, who closes it after this service.
 */
public final class IngestService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(IngestService.class);
  /** Pace in ticks of this length: short enough to look steady, long enough to be cheap. */
  private static final Duration TICK = Duration.ofMillis(50);
  private static final int MAX_IN_FLIGHT = 256;

  /**
   * @param imagesPerSecond pace; 0 for as fast as the source and broker go
   * @param maxImages stop after this many; 0 for no limit
   */
  public record Options(Topics topics, double imagesPerSecond, long maxImages) {
    public Options {
      Objects.requireNonNull(topics, "topics");
      if (imagesPerSecond < 0) {
        throw new IllegalArgumentException("imagesPerSecond must be >= 0, got " + imagesPerSecond);
      }
      if (maxImages < 0) {
        throw new IllegalArgumentException("maxImages must be >= 0, got " + maxImages);
      }
    }
  }

  private final ImageSource source;
  private final KafkaSender<String, byte[]> sender;
  private final Options options;
  private final Scheduler sourceScheduler;
  private final AtomicLong published = new AtomicLong();

  public IngestService(ImageSource source, KafkaSender<String, byte[]> sender, Options options) {
    this.source = source;
    this.sender = sender;
    this.options = options;
    this.sourceScheduler = Schedulers.newSingle("genstream-ingest-" + source.name(), true);
  }

  /**
   * Streams the source to Kafka; completes when {@code maxImages} were acknowledged by the
   * broker (or the source ended), errors if a send fails. Cancel to stop.
   */
  public Mono<Void> run() {
    log.info("Ingesting {} into {} at {}", source.name(), options.topics().images(),
        options.imagesPerSecond() == 0 ? "full speed" : options.imagesPerSecond() + " images/s");
    return source.images()
        .transform(this::limited)
        .subscribeOn(sourceScheduler)
        .transform(this::paced)
        .flatMap(this::publish, MAX_IN_FLIGHT)
        .then();
  }

  /** Images acknowledged by the broker so far. */
  public long published() {
    return published.get();
  }

  private Flux<LabelledImage> limited(Flux<LabelledImage> images) {
    return options.maxImages() == 0 ? images : images.take(options.maxImages(), true);
  }

  private Flux<LabelledImage> paced(Flux<LabelledImage> images) {
    if (options.imagesPerSecond() == 0) {
      return images;
    }
    int perTick = (int) Math.max(1, Math.round(options.imagesPerSecond() * TICK.toMillis() / 1000.0));
    Duration tick = Duration.ofNanos((long) (perTick * 1e9 / options.imagesPerSecond()));
    // On our own thread: the sends that follow may block on producer metadata or a full buffer,
    // which must not happen on Reactor's parallel threads.
    return images.buffer(perTick).delayElements(tick, sourceScheduler).flatMapIterable(List::copyOf);
  }

  private Mono<RecordMetadata> publish(LabelledImage image) {
    return sender.send(image.toRecord(options.topics().images(), source.name()))
        .doOnNext(metadata -> published.incrementAndGet());
  }

  @Override
  public void close() {
    sourceScheduler.dispose();
  }
}
