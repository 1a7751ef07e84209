package io.genstream.sinks;

import io.genstream.core.failure.Failures;
import io.genstream.core.failure.TransientFailure;
import io.genstream.core.messages.GeneratedImage;
import reactor.core.publisher.Mono;

/**
 * Where generated images go: files, a webhook, another Kafka topic.
 *
 * <p>{@link #write} completes only once the image is durable in the sink, because
 * {@link SinkService} acknowledges the result's Kafka offset right after. Implementations may
 * block inside the returned {@code Mono} (the service subscribes to it on its own writer
 * thread, never on an event loop) or return a non-blocking one; the service writes one result
 * at a time per sink, in offset order.
 *
 * <p>How a failed write is treated is decided once, by {@link Failures#isTransient}:
 * <ul>
 *   <li>a {@link TransientFailure} (or a subclass; "try again later": disk briefly full, a
 *       receiver busy) is retried by the service with exponential back-off and jitter, up to
 *       {@link SinkService.Options#maxRetryBackoff()} between attempts and without limit on
 *       their number; the result stays unacknowledged and is never dead-lettered;
 *   <li>any other error is permanent for that result: the service sends the record to the
 *       dead-letter topic with the error's message as the reason, acknowledges it and goes on.
 *       A sink that retries on its own (the webhook does) fails permanently once it gives up.
 * </ul>
 * A write in progress when the service closes is given a bounded time to finish; a result
 * whose write has not completed is not acknowledged and comes again when the service restarts.
 *
 * <p>A sink in ten lines:
 * <pre>{@code
 * final class StdoutSink implements ResultSink {
 *   public String name() { return "stdout"; }
 *   public Mono<Void> write(GeneratedImage image) {
 *     return Mono.fromRunnable(() -> {
 *       if (System.out.checkError()) throw new TransientFailure("stdout not writable");
 *       System.out.println(image.requestId() + "#" + image.index() + " " + image.data().length);
 *     });
 *   }
 *   public void close() {}
 * }
 * }</pre>
 */
public interface ResultSink extends AutoCloseable {

  /** A short name for logs and consumer groups, e.g. {@code files}. */
  String name();

  /**
   * Stores one image; completes when it is durable, errors with a {@link TransientFailure} if
   * it may succeed later, or with any other exception if this result can never be stored.
   */
  Mono<Void> write(GeneratedImage image);

  /** Releases what the sink holds; called by its owner after the {@link SinkService} closed. */
  @Override
  void close();
}
