package io.genstream.generator;

import io.genstream.core.kafka.KafkaConnection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import reactor.core.publisher.Mono;

/**
 * Checks that a request's {@code replyTopic} exists before results are sent to it. A producer
 * sending to a missing topic either waits for its metadata ({@code max.block.ms}, a minute,
 * stalling the pipeline for every request behind it) or, where the broker auto-creates topics,
 * lets any requester create topics. So a missing reply topic is the request's permanent
 * failure: its dead letter names the topic.
 *
 * <p>Topics found are remembered (at most {@value #MAX_REMEMBERED}, least recently used out) so
 * that a steady stream of replies costs no round trip. Owns its admin client.
 */
final class ReplyTopics implements AutoCloseable {

  private static final int MAX_REMEMBERED = 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final Admin admin;
  private final Map<String, Boolean> known = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > MAX_REMEMBERED;
    }
  };

  ReplyTopics(KafkaConnection kafka) {
    this.admin = Admin.create(kafka.clientProperties(
        Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis(),
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()),
        Map.of()));
  }

  /**
   * Completes with {@code topic} if it exists; fails with {@link MissingTopicException} if the
   * broker says it does not, or with the broker's own (retriable) error otherwise.
   */
  Mono<String> check(String topic) {
    synchronized (known) {
      if (known.containsKey(topic)) {
        return Mono.just(topic);
      }
    }
    return Mono.fromFuture(() -> admin.describeTopics(Set.of(topic),
                new DescribeTopicsOptions().timeoutMs((int) TIMEOUT.toMillis()))
            .allTopicNames().toCompletionStage().toCompletableFuture())
        .map(found -> {
          synchronized (known) {
            known.put(topic, Boolean.TRUE);
          }
          return topic;
        })
        .onErrorMap(e -> e instanceof UnknownTopicOrPartitionException
                || e instanceof InvalidTopicException,
            e -> new MissingTopicException("reply topic '" + topic + "' does not exist ("
                + e.getClass().getSimpleName() + "); create it or omit replyTopic"));
  }

  /** How many topics are remembered (for the bound's test). */
  int remembered() {
    synchronized (known) {
      return known.size();
    }
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }

  /** The reply topic is not there: the request fails for good. */
  static final class MissingTopicException extends IllegalArgumentException {
    MissingTopicException(String message) {
      super(message);
    }
  }
}
