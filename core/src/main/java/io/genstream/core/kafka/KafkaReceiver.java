package io.genstream.core.kafka;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Records from Kafka as a {@link Flux}, with back-pressure and at-least-once delivery.
 *
 * <ul>
 *   <li><b>Lifetime.</b> Each subscription to {@link #receive()} creates its own
 *       {@code KafkaConsumer} and closes it when the subscription ends (cancel, error or
 *       completion). One dedicated thread owns the consumer.
 *   <li><b>Back-pressure.</b> When downstream demand is exhausted the consumer pauses its
 *       partitions and resumes them when demand returns, so at most about one poll's worth
 *       ({@code max.poll.records}) is buffered however slow the subscriber is.
 *   <li><b>Commits.</b> An offset is committed only after {@link ReceivedRecord#acknowledge()}
 *       was called for that record <em>and every earlier record of its partition</em>. Records
 *       never acknowledged are delivered again to the next consumer of the group. Auto-commit is
 *       always off. Acknowledged offsets are committed every {@code commitInterval}, on
 *       partition revocation and when the subscription ends.
 *   <li><b>Threads.</b> Records arrive on a per-subscription delivery thread, never on the
 *       consumer's thread, so a slow subscriber does not stall polling or commits.
 *   <li><b>Errors.</b> A fatal consumer or commit error closes the consumer and ends the Flux
 *       with that error; retriable commit failures are retried at the next interval.
 *   <li><b>Topics</b> are never auto-created by the receiver ({@code allow.auto.create.topics}
 *       defaults to false); create them first, e.g. with {@link TopicSetup}.
 * </ul>
 */
public interface KafkaReceiver<K, V> {

  static <K, V> KafkaReceiver<K, V> create(ReceiverOptions<K, V> options) {
    return new io.genstream.core.kafka.internal.DefaultKafkaReceiver<>(options);
  }

  /** Subscribes (or assigns, see {@link ReceiverOptions}) and emits records as they arrive. */
  Flux<ReceivedRecord<K, V>> receive();

  /**
   * Completes once every consumer this receiver opened is closed, its final commit done.
   *
   * <p>Cancelling a subscription only starts closing its consumer, on the consumer's own thread.
   * An owner that must not outlive that final commit — a service whose {@code close()} is
   * followed by the broker's shutdown — cancels, then waits on this.
   */
  Mono<Void> whenClosed();
}
