package io.genstream.generator;

import io.genstream.core.failure.Failures;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.LogSafe;
import io.genstream.core.messages.RequestParser;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * How the {@link GeneratorService} answers one request record, from parsing to acknowledgement:
 * served (results published), dead-lettered (with the reason), or handed to the
 * {@link WaitingRequests} while its version cannot serve yet. The rules of each outcome are on
 * {@link GeneratorService}; this class only carries them out and counts them.
 *
 * <p>Thread-safe; no blocking. Borrows the engine and the publisher from the service.
 */
final class RequestAnswers {

  private static final Logger log = LoggerFactory.getLogger(GeneratorService.class);

  private final GenerationEngine engine;
  private final ResultPublisher publisher;
  private final RequestParser requestParser;
  private final ReplyTopicRule replyTopics;
  private final BooleanSupplier closed;
  private final AtomicLong requestsServed = new AtomicLong();
  private final AtomicLong imagesGenerated = new AtomicLong();
  private final AtomicLong deadLettered = new AtomicLong();

  /** @param closed whether the service is closing: then nothing is dead-lettered or retried */
  RequestAnswers(GeneratorOptions options, GenerationEngine engine, ResultPublisher publisher,
      BooleanSupplier closed) {
    this.engine = engine;
    this.publisher = publisher;
    this.requestParser = options.requestParser();
    this.replyTopics = options.replyTopicRule();
    this.closed = closed;
  }

  GeneratorStats stats() {
    return new GeneratorStats(requestsServed.get(), imagesGenerated.get(), deadLettered.get());
  }

  /**
   * One request, start to acknowledgement, or to the waiting room. Completes empty; errors only
   * on broker failures.
   */
  Mono<Void> serve(ReceivedRecord<String, byte[]> received, WaitingRequests waiting) {
    ConsumerRecord<String, byte[]> record = received.record();
    long start = System.nanoTime();
    return Mono.fromCallable(() -> parse(record))
        .flatMap(request -> answer(request, start)
            .thenReturn(true)
            .onErrorResume(ModelNotReadyException.class,
                e -> waitOutsideTheLine(received, request, e, waiting, start).thenReturn(false)))
        .onErrorResume(RejectedRequest.class, e -> deadLetter(record, e.getMessage())
            .thenReturn(true))
        .filter(answered -> answered)
        .doOnNext(answered -> received.acknowledge())
        .then();
  }

  /**
   * Generates and publishes; the error is {@link RejectedRequest} for the request's permanent
   * failures and {@link ModelNotReadyException} while the version cannot serve yet. Other
   * transient failures (the engine's queue full) retry here.
   */
  private Mono<Void> answer(GenerationRequest request, long startNanos) {
    return engine.generate(request)
        .onErrorMap(this::permanent, e -> new RejectedRequest(String.valueOf(e.getMessage())))
        .retryWhen(untilReady(request))
        .flatMap(publisher::publish)
        .doOnSuccess(generation -> served(generation, startNanos))
        .then();
  }

  /**
   * Hands a request whose version cannot serve yet to {@code waiting}, which retries it (0.2 s
   * doubling to 2 s) for at most {@link GeneratorOptions#maxWait()}, then dead-letters it with
   * the last reason; it acknowledges the request itself once answered. A full room refuses it:
   * it is dead-lettered at once (the returned error).
   */
  private Mono<Void> waitOutsideTheLine(ReceivedRecord<String, byte[]> received,
      GenerationRequest request, ModelNotReadyException notReady, WaitingRequests waiting,
      long startNanos) {
    long deadline = System.nanoTime() + waiting.maxWait().toNanos();
    Mono<Void> waiter = Mono.defer(() -> answer(request, startNanos))
        .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
            .maxBackoff(Duration.ofSeconds(2))
            .filter(e -> e instanceof ModelNotReadyException && !closed.getAsBoolean()
                && System.nanoTime() < deadline))
        .onErrorMap(e -> e instanceof ModelNotReadyException && !closed.getAsBoolean(),
            e -> new RejectedRequest("waited " + waiting.maxWait().toSeconds() + " s, the most "
                + "a request may wait (maxWait): " + e.getMessage()))
        .onErrorResume(RejectedRequest.class, e -> deadLetter(received.record(), e.getMessage()))
        .doOnSuccess(done -> received.acknowledge());
    if (!waiting.hold(waiter, notReady.getMessage())) {
      return Mono.error(new RejectedRequest(notReady.getMessage() + "; " + waiting.capacity()
          + " requests already waiting, the most that may (maxWaitingRequests)"));
    }
    return Mono.empty();
  }

  private GenerationRequest parse(ConsumerRecord<String, byte[]> record) {
    try {
      // Defaults from the record's place, so that a redelivery gives the same images.
      // The seed's hash only for a request that gives none.
      GenerationRequest request = requestParser.parse(record.value(),
          Conditioning.requestIdFor(record.topic(), record.partition(), record.offset()),
          () -> Conditioning.seedFor(record.topic(), record.partition(), record.offset()));
      replyTopics.check(request.replyTopic());
      return request;
    } catch (RuntimeException e) {
      // Anything parse throws is about these bytes: redelivering them would fail again.
      throw new RejectedRequest(e.getMessage());
    }
  }

  /**
   * Whether the engine's failure is this request's for good: invalid, unknown model, or the
   * runtime failing on it. Transient failures, and anything while shutting down, leave the
   * request unacknowledged (retried below, or delivered to the next generator).
   */
  private boolean permanent(Throwable e) {
    return !closed.getAsBoolean() && !Failures.isTransient(e);
  }

  /**
   * A transient failure (the engine's queue full, memory pressure) retries the request after a
   * back-off (0.2 s doubling to 5 s) for as long as the service runs; it is never dead-lettered,
   * and the request stays unacknowledged meanwhile, so a crash loses nothing. Permanent failures
   * were already turned into dead letters; a version that cannot serve yet is left to the
   * waiting room.
   */
  private Retry untilReady(GenerationRequest request) {
    return Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200))
        .maxBackoff(Duration.ofSeconds(5))
        .filter(e -> Failures.isTransient(e) && !(e instanceof ModelNotReadyException)
            && !closed.getAsBoolean())
        .doBeforeRetry(signal -> log.info("request {} waits: {}",
            LogSafe.text(request.requestId()), LogSafe.text(signal.failure().getMessage())));
  }

  private Mono<Void> deadLetter(ConsumerRecord<String, byte[]> record, String reason) {
    log.warn("dead-lettering request {}-{}@{}: {}", record.topic(), record.partition(),
        record.offset(), LogSafe.text(reason));
    return publisher.deadLetter(record, reason)
        .doOnSuccess(metadata -> deadLettered.incrementAndGet())
        .then();
  }

  private void served(Generation generation, long startNanos) {
    GenerationRequest request = generation.request();
    requestsServed.incrementAndGet();
    imagesGenerated.addAndGet(generation.images().size());
    if (log.isDebugEnabled()) {
      log.debug("served request {} model={} version={} count={} on {} in {} ms",
          LogSafe.text(request.requestId()), LogSafe.text(request.model()), generation.version(),
          generation.images().size(), generation.provider(),
          (System.nanoTime() - startNanos) / 1_000_000);
    }
  }
}
