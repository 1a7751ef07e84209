package io.genstream.sinks;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Feeds the results topic into one {@link ResultSink}: receive → decode → write → acknowledge.
 *
 * <p>A result's offset is committed only after the sink reports it durable. A record that is not
 * a valid result goes to the dead-letter topic; a sink that fails to write (disk full, webhook
 * down) is retried with back-off rather than dead-lettered, because the result itself is fine.
 *
 * <p>Owns its consumer (through the receiver), a producer for dead letters and a writer thread;
 * the sink belongs to the caller, who closes it after this service.
 */
public final class SinkService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SinkService.class);
  private static final String SERVICE = "genstream-sink";

  /** @param groupId consumer group; sinks of different kinds use different groups */
  public record Options(String bootstrapServers, Topics topics, String groupId) {
    public Options {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      Objects.requireNonNull(topics, "topics");
      Objects.requireNonNull(groupId, "groupId");
    }
  }

  private final ResultSink sink;
  private final Options options;
  private final KafkaReceiver<String, byte[]> receiver;
  private final KafkaSender<String, byte[]> deadLetters;
  private final Scheduler writer;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();

  public SinkService(ResultSink sink, Options options) {
    this.sink = sink;
    this.options = options;
    this.receiver = KafkaReceiver.create(ReceiverOptions.forGroup(
        options.bootstrapServers(), options.groupId(), options.topics().results()));
    this.deadLetters = KafkaSender.create(SenderOptions.defaults(options.bootstrapServers()));
    this.writer = Schedulers.newSingle("genstream-sink-" + sink.name(), true);
  }

  /** Runs until cancelled; errors only if Kafka itself fails. */
  public Mono<Void> run() {
    log.info("Sink '{}' consuming {} as group {}", sink.name(), options.topics().results(),
        options.groupId());
    return receiver.receive()
        .concatMap(this::handle)
        .then();
  }

  /** Results durably written so far. */
  public long written() {
    return written.get();
  }

  /** Records that were not valid results. */
  public long deadLettered() {
    return deadLettered.get();
  }

  private Mono<Void> handle(ReceivedRecord<String, byte[]> received) {
    GeneratedImage image;
    try {
      image = GeneratedImage.fromRecord(received.record());
    } catch (RuntimeException e) {
      return deadLetter(received, "not a valid result: " + e.getMessage());
    }
    return write(image).doOnSuccess(done -> {
      written.incrementAndGet();
      received.acknowledge();
    });
  }

  private Mono<Void> write(GeneratedImage image) {
    return sink.write(image)
        .subscribeOn(writer)
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100))
            .maxBackoff(Duration.ofSeconds(5))
            .doBeforeRetry(signal -> log.warn("Sink '{}' failed to write {}-{} (attempt {}): {}",
                sink.name(), image.requestId(), image.index(), signal.totalRetries() + 1,
                signal.failure().toString())));
  }

  private Mono<Void> deadLetter(ReceivedRecord<String, byte[]> received, String reason) {
    log.warn("Dead-lettering {}-{}@{}: {}", received.record().topic(),
        received.record().partition(), received.record().offset(), reason);
    return deadLetters
        .send(DeadLetter.of(received.record(), reason, options.topics().deadLetter(), SERVICE))
        .doOnSuccess(metadata -> {
          deadLettered.incrementAndGet();
          received.acknowledge();
        })
        .then();
  }

  @Override
  public void close() {
    deadLetters.close();
    writer.dispose();
  }
}
