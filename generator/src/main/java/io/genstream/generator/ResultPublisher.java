package io.genstream.generator;

import io.genstream.core.failure.Failures;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.utils.Utils;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Writes what the {@link GeneratorService} answers a request with: its results (one record per
 * image, to its reply topic or the results topic) or its dead letter. Owns the producer they
 * share and the reply-topic checks; a result that can never be published fails with
 * {@link RejectedRequest}, so that the request is dead-lettered instead.
 */
final class ResultPublisher implements AutoCloseable {

  /** Largest producer batch of results, unless the user's client properties set one. */
  static final int RESULT_BATCH_BYTES = 256 * 1024;

  private final GeneratorOptions options;
  private final KafkaSender<String, byte[]> sender;
  private final ReplyTopics replyTopics;

  ResultPublisher(GeneratorOptions options) {
    this.options = options;
    this.sender = KafkaSender.create(senderOptions(options));
    this.replyTopics = new ReplyTopics(options.kafka());
  }

  private static SenderOptions<String, byte[]> senderOptions(GeneratorOptions options) {
    // Not idempotent: when the broker refuses one record of a batch for good (too large for the
    // topic), an idempotent producer is left with a sequence gap and retries every later batch
    // of that partition forever (OUT_OF_ORDER_SEQUENCE_NUMBER), which would stop all results.
    // Results are at least once anyway; a rare duplicate from a producer retry is the same image.
    SenderOptions<String, byte[]> sender = SenderOptions.defaults(options.kafka())
        .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false)
        // A result waits at most 1 ms for others to share its produce request: under load the
        // engine's batches already arrive together, and a lone result should not wait 5 ms.
        .withProperty(ProducerConfig.LINGER_MS_CONFIG, 1);
    if (!options.kafka().properties().containsKey(ProducerConfig.BATCH_SIZE_CONFIG)) {
      // The default 16 KiB holds about 13 results of a 28x28 image (PNG and headers): a batch
      // of 64 from the engine became 5 produce requests, each handled and acknowledged by the
      // broker. One batch holds a whole engine batch now; linger still sends a lone result.
      sender = sender.withProperty(ProducerConfig.BATCH_SIZE_CONFIG, RESULT_BATCH_BYTES);
    }
    return sender;
  }

  /**
   * Sends every result, once all of them are known to fit {@code maxResultBytes}; completes
   * once the broker acknowledged them all.
   */
  Mono<Generation> publish(Generation generation) {
    String reply = generation.request().replyTopic();
    Mono<String> topic = reply == null
        ? Mono.just(options.topics().results())
        : replyTopics.check(reply).onErrorMap(ReplyTopics.MissingTopicException.class,
            e -> new RejectedRequest(e.getMessage()));
    return topic.flatMap(to -> Mono.fromCallable(() -> resultRecords(generation.images(), to))
        // One result (the common single-image request) needs no Flux to merge its sends.
        .flatMapMany(records -> records.size() == 1
            ? sender.send(records.get(0))
            : Flux.fromIterable(records).flatMap(sender::send))
        .onErrorMap(Failures::isUnpublishable, e -> new RejectedRequest(
            "result cannot be published to " + to
                + " (results sent before it stay): " + e.getClass().getSimpleName() + ": "
                + e.getMessage()))
        .then(Mono.just(generation)));
  }

  private List<ProducerRecord<String, byte[]>> resultRecords(List<GeneratedImage> images,
      String topic) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(images.size());
    for (GeneratedImage image : images) {
      ProducerRecord<String, byte[]> record = image.toRecord(topic, GeneratorService.SOURCE);
      long size = serializedSize(record);
      if (size > options.maxResultBytes()) {
        throw new RejectedRequest("result record of " + size + " bytes (image " + image.index()
            + ") exceeds maxResultBytes " + options.maxResultBytes());
      }
      records.add(record);
    }
    return records;
  }

  /** Key, value and headers: what a record weighs before the producer's batch overhead. */
  private static long serializedSize(ProducerRecord<String, byte[]> record) {
    long size = record.value() == null ? 0 : record.value().length;
    size += record.key() == null ? 0 : Utils.utf8Length(record.key());
    for (Header header : record.headers()) {
      size += Utils.utf8Length(header.key()) + (header.value() == null ? 0 : header.value().length);
    }
    return size;
  }

  /** Sends {@code record}'s dead letter, whose {@code ce_reason} is {@code reason}. */
  Mono<RecordMetadata> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
    return sender.send(DeadLetter.of(record, reason, options.topics().deadLetter(),
        GeneratorService.SOURCE));
  }

  /** Flushes and closes the producer, then the reply-topic checks' admin client. */
  @Override
  public void close() {
    sender.close();
    replyTopics.close();
  }
}
