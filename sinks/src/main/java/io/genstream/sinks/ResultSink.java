package io.genstream.sinks;

import io.genstream.core.messages.GeneratedImage;
import reactor.core.publisher.Mono;

/**
 * Where generated images go: files, another Kafka topic, a webhook.
 *
 * <p>{@link #write} completes only once the image is durable in the sink, because
 * {@link SinkService} commits the result's Kafka offset right after. Implementations may block
 * inside the returned {@code Mono}; the service subscribes to it on a dedicated scheduler.
 */
public interface ResultSink extends AutoCloseable {

  /** A short name for logs and consumer groups, e.g. {@code files}. */
  String name();

  /** Stores one image; completes when it is durable, errors if it cannot be stored. */
  Mono<Void> write(GeneratedImage image);

  @Override
  void close();
}
