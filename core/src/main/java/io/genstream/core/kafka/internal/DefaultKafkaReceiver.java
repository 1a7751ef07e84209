package io.genstream.core.kafka.internal;

import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@link KafkaReceiver} over one {@code KafkaConsumer} per subscription.
 *
 * <p><b>Threads.</b> Each subscription gets two daemon threads, both ended with it: the consumer
 * thread {@code genstream-consumer-<topics>-<n>}, which alone touches the consumer (see
 * {@link ConsumerLoop}), and the delivery thread {@code genstream-receiver-<topics>-<n>}, on
 * which subscribers receive records, so that slow or blocking downstream work never stalls
 * polling, heartbeats or commits. Between the two at most {@link #DELIVERY_PREFETCH} records
 * wait, on top of the at most {@code max.poll.records} of one poll.
 *
 * <p>The receiver itself holds no resources; it may be subscribed to any number of times, each
 * subscription being its own consumer (in GROUP mode: its own group member).
 */
public final class DefaultKafkaReceiver<K, V> implements KafkaReceiver<K, V> {

  /** Records handed from the consumer thread to the delivery thread ahead of demand. */
  static final int DELIVERY_PREFETCH = 16;

  private final ReceiverOptions<K, V> options;
  private final AtomicInteger subscriptions = new AtomicInteger();
  private final Set<Subscription<K, V>> open = ConcurrentHashMap.newKeySet();

  public DefaultKafkaReceiver(ReceiverOptions<K, V> options) {
    this.options = options;
  }

  @Override
  public Flux<ReceivedRecord<K, V>> receive() {
    return Flux.usingWhen(
        Mono.fromCallable(this::newSubscription),
        Subscription::records,
        this::close,
        (s, error) -> close(s),
        this::close);
  }

  @Override
  public Mono<Void> whenClosed() {
    return Mono.defer(() -> Mono.when(open.stream().map(s -> s.loop().terminated()).toList()));
  }

  private Subscription<K, V> newSubscription() {
    String suffix = String.join(",", options.topics()) + "-" + subscriptions.incrementAndGet();
    Subscription<K, V> subscription = new Subscription<>(
        new ConsumerLoop<>(options, "genstream-consumer-" + suffix),
        Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "genstream-receiver-" + suffix);
          t.setDaemon(true);
          return t;
        }));
    open.add(subscription);
    return subscription;
  }

  private Mono<Void> close(Subscription<K, V> subscription) {
    return subscription.close().doFinally(signal -> open.remove(subscription));
  }

  /** The resources of one subscription; closed consumer first, then the delivery thread. */
  private record Subscription<K, V>(ConsumerLoop<K, V> loop, ExecutorService delivery) {
    Flux<ReceivedRecord<K, V>> records() {
      return loop.records()
          .publishOn(Schedulers.fromExecutorService(delivery), DELIVERY_PREFETCH);
    }

    Mono<Void> close() {
      // shutdown(), not shutdownNow(): this may run on the delivery thread itself, in the middle
      // of handing a terminal signal downstream, which an interrupt would disturb.
      return loop.close().doFinally(signal -> delivery.shutdown());
    }
  }
}
