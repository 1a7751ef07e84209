package io.genstream.ingest.video;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.messages.VideoFrame;
import io.genstream.core.messages.CloudEvents;
import io.genstream.ingest.FileDeadLetter;
import io.genstream.ingest.IngestService;
import io.genstream.ingest.SourceItem;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes the frames of a {@link FrameSource} to the frames topic ({@link
 * io.genstream.core.messages.VideoFrame#toRecord}: key = stream id), rejected frames to the
 * dead-letter topic with their reason, their bytes (up to {@link FileDeadLetter#MAX_VALUE_BYTES})
 * and {@code ce_streamid}/{@code ce_frame}, and keeps going.
 *
 * <p><b>Order.</b> Records are sent in the source's order through one idempotent producer
 * ({@link IngestService#senderOptions}: one request in flight), so each stream's frames land in
 * its partition in index order. <b>Gaps.</b> A rejected frame keeps its index: the frames topic
 * then has a gap at that index, which tells a trainer or predictor to reset its history for the
 * stream rather than treat the frames around the gap as neighbours.
 *
 * <p><b>Pace.</b> With {@code fps > 0}, one round (one frame of each stream) per {@code 1/fps}
 * seconds; with 0, as fast as the source and broker go.
 *
 * <p><b>Threads and ownership.</b> The source is read on a single thread owned by this service
 * (it may block on files or a pipe). The sender is the caller's unless made by
 * {@link #create}, in which case {@link #close} closes it after the source thread.
 */
public final class FrameIngestService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FrameIngestService.class);
  private static final int MAX_IN_FLIGHT = 256;

  /**
   * @param fps frames per second per stream; 0 for as fast as possible
   * @param horizon frames ahead the streams ask the predictor for ({@code ce_horizon} on every
   *     frame), 1..{@value VideoFrame#MAX_HORIZON}, or {@value VideoFrame#DEFAULT_HORIZON} to
   *     leave it to the predictor
   */
  public record Options(Topics topics, double fps, int horizon) {
    public Options {
      Objects.requireNonNull(topics, "topics");
      if (!(fps >= 0 && fps <= 1000)) {
        throw new IllegalArgumentException("fps must be 0..1000 (0: as fast as possible), got " + fps);
      }
      if (horizon != VideoFrame.DEFAULT_HORIZON && (horizon < 1 || horizon > VideoFrame.MAX_HORIZON)) {
        throw new IllegalArgumentException("horizon must be 1.." + VideoFrame.MAX_HORIZON
            + " (or 0: the predictor's), got " + horizon);
      }
    }

    /** Frames that leave the horizon to the predictor. */
    public Options(Topics topics, double fps) {
      this(topics, fps, VideoFrame.DEFAULT_HORIZON);
    }
  }

  /**
   * What a finished run did.
   *
   * @param sent frames acknowledged on the frames topic, per stream, in the source's stream order
   */
  public record Summary(Map<String, Long> sent, long deadLettered, Duration elapsed) {
    public Summary {
      sent = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sent));
    }

    public long totalSent() {
      return sent.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String toString() {
      double seconds = elapsed.toMillis() / 1000.0;
      StringBuilder perStream = new StringBuilder();
      int listed = 0;
      for (Map.Entry<String, Long> stream : sent.entrySet()) {
        if (listed++ == 8) {
          perStream.append(", …");
          break;
        }
        perStream.append(listed == 1 ? "" : ", ").append(stream.getKey()).append(' ')
            .append(stream.getValue());
      }
      return String.format("%d frames sent in %d stream(s), %d dead-lettered in %.1f s (%.0f frames/s); "
          + "per stream: %s", totalSent(), sent.size(), deadLettered, seconds,
          seconds == 0 ? 0 : totalSent() / seconds, perStream);
    }
  }

  private final FrameSource source;
  private final KafkaSender<String, byte[]> sender;
  private final boolean ownsSender;
  private final Options options;
  private final Scheduler sourceScheduler;
  private final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();
  private final AtomicLong deadLettered = new AtomicLong();

  /** With the caller's sender, which the caller closes after this service. */
  public FrameIngestService(FrameSource source, KafkaSender<String, byte[]> sender, Options options) {
    this(source, sender, false, options);
  }

  private FrameIngestService(FrameSource source, KafkaSender<String, byte[]> sender,
      boolean ownsSender, Options options) {
    this.source = Objects.requireNonNull(source, "source");
    this.sender = Objects.requireNonNull(sender, "sender");
    this.ownsSender = ownsSender;
    this.options = Objects.requireNonNull(options, "options");
    for (String stream : source.streams()) {
      sent.put(stream, new AtomicLong());
    }
    this.sourceScheduler = Schedulers.newSingle("genstream-frames-" + source.name(), true);
  }

  /**
   * A service with its own producer ({@link IngestService#senderOptions}), closed by
   * {@link #close}.
   */
  public static FrameIngestService create(FrameSource source, KafkaConnection kafka,
      Options options) {
    KafkaSender<String, byte[]> sender =
        KafkaSender.create(IngestService.senderOptions(kafka));
    return new FrameIngestService(source, sender, true, options);
  }

  /** {@link #create(FrameSource, KafkaConnection, Options)} for a plaintext cluster. */
  public static FrameIngestService create(FrameSource source, String bootstrapServers,
      Options options) {
    return create(source, KafkaConnection.of(bootstrapServers), options);
  }

  /**
   * Streams the source to Kafka; completes with a summary once a finite source ended and all its
   * records were acknowledged; errors if a send fails (the broker is gone past the producer's
   * retries) or the source cannot be read. Cancel to stop an endless source.
   */
  public Mono<Summary> run() {
    log.info("Ingesting {} ({} stream(s): {}) into {} at {}", source.name(), source.streams().size(),
        abbreviated(source.streams()), options.topics().frames(),
        options.fps() == 0 ? "full speed" : options.fps() + " frames/s per stream");
    return Mono.defer(() -> {
      long started = System.nanoTime();
      return source.frames()
          .subscribeOn(sourceScheduler)
          .transform(this::paced)
          .flatMap(this::publish, MAX_IN_FLIGHT)
          .then(Mono.fromSupplier(() -> summary(started)))
          .doOnNext(summary -> log.info("Ingest of {} finished: {}", source.name(), summary));
    });
  }

  /** Frames acknowledged so far, all streams. */
  public long sent() {
    return sent.values().stream().mapToLong(AtomicLong::get).sum();
  }

  /** Rejected frames acknowledged on the dead-letter topic so far. */
  public long deadLettered() {
    return deadLettered.get();
  }

  /** Counts so far, as a summary. */
  private Summary summary(long startedNanos) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String stream : source.streams()) {
      counts.put(stream, sent.get(stream).get());
    }
    return new Summary(counts, deadLettered.get(), Duration.ofNanos(System.nanoTime() - startedNanos));
  }

  private Flux<FrameItem> paced(Flux<FrameItem> frames) {
    if (options.fps() == 0) {
      return frames;
    }
    Duration period = Duration.ofNanos((long) (1e9 / options.fps()));
    // One round per period, on our own thread: the sends that follow may block on producer
    // metadata or a full buffer, which must not happen on Reactor's parallel threads.
    return frames.buffer(Math.max(1, source.streams().size()))
        .delayElements(period, sourceScheduler)
        .flatMapIterable(List::copyOf);
  }

  private Mono<RecordMetadata> publish(FrameItem item) {
    if (item instanceof FrameItem.Frame frame) {
      VideoFrame sending = options.horizon() == VideoFrame.DEFAULT_HORIZON ? frame.frame()
          : frame.frame().withHorizon(options.horizon());
      return sender.send(sending.toRecord(options.topics().frames(), source.name()))
          .doOnNext(metadata -> sent.computeIfAbsent(frame.streamId(), s -> new AtomicLong())
              .incrementAndGet());
    }
    FrameItem.Rejection rejection = (FrameItem.Rejection) item;
    log.warn("Rejected frame {} of stream {} ({}): {}", rejection.index(), rejection.streamId(),
        rejection.origin(), rejection.reason());
    return sender.send(deadLetter(rejection)).doOnNext(metadata -> deadLettered.incrementAndGet());
  }

  /** The dead letter of a rejected frame: the bytes, the reason, where and which frame it was. */
  private ProducerRecord<String, byte[]> deadLetter(FrameItem.Rejection rejection) {
    ProducerRecord<String, byte[]> record = FileDeadLetter.of(
        new SourceItem.Rejection(rejection.origin(), rejection.reason(), Optional.empty()),
        rejection.bytes(), options.topics().deadLetter(), "ingest-" + source.name());
    CloudEvents.header(record.headers(), "streamid", rejection.streamId());
    CloudEvents.header(record.headers(), "frame", rejection.index());
    return record;
  }

  private static String abbreviated(List<String> streams) {
    return streams.size() <= 5 ? String.join(", ", streams)
        : String.join(", ", streams.subList(0, 4)) + ", … " + streams.get(streams.size() - 1);
  }

  /** Stops the source thread, then closes the sender if this service made it. */
  @Override
  public void close() {
    sourceScheduler.dispose();
    if (ownsSender) {
      sender.close();
    }
  }
}
