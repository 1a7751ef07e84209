package io.genstream.core.kafka.internal;

import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import io.genstream.core.kafka.KafkaConnection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/**
 * One subscription's consumer and the thread that owns it.
 *
 * <p><b>Threading.</b> A dedicated daemon thread creates the consumer and makes every call on
 * it: subscribe/assign, poll, pause/resume, commit, close. Other threads only touch thread-safe
 * state: the demand counter, the acknowledgement queue, the closing flag and
 * {@code consumer.wakeup()}. The thread ends after the consumer is closed.
 *
 * <p><b>Demand.</b> The loop fetches only while downstream demand is outstanding; without
 * demand it pauses every assigned partition and keeps polling (so the member stays in its
 * group) until demand returns. One poll returns at most {@code max.poll.records}, so that is
 * about how many records can wait between Kafka and the subscriber.
 *
 * <p><b>Lifetime.</b> {@link #close()} (cancel) or a fatal error ends the loop: acknowledged
 * offsets are committed synchronously, then the consumer is closed, then an error, if any, is
 * signalled downstream.
 */
final class ConsumerLoop<K, V> {
  private static final Logger log = LoggerFactory.getLogger(ConsumerLoop.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration ASSIGN_RETRY = Duration.ofMillis(500);

  private final ReceiverOptions<K, V> options;
  private final String name;
  private final boolean grouped;
  private final OffsetTracker tracker = new OffsetTracker();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicBoolean started = new AtomicBoolean();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Thread thread;

  private volatile boolean closing;
  private volatile boolean pausedByUs;
  private volatile Consumer<K, V> consumer;
  private FluxSink<ReceivedRecord<K, V>> sink;

  // Consumer thread only.
  private long nextCommitNanos;
  private long nextAssignNanos;
  private Throwable commitFailure;
  private final Set<String> unassignedTopics = new HashSet<>();

  ConsumerLoop(ReceiverOptions<K, V> options, String name) {
    this.options = options;
    this.name = name;
    this.grouped = options.mode() == ReceiverOptions.Mode.GROUP;
    this.thread = new Thread(this::run, name);
    this.thread.setDaemon(true);
  }

  /**
   * The records, emitted on the consumer thread (the caller hops to another thread so that
   * downstream work never delays polling). Subscribe once; demand drives fetching. Cancelling
   * does not close the consumer by itself: the owner calls {@link #close()}.
   */
  Flux<ReceivedRecord<K, V>> records() {
    return Flux.create(s -> {
      if (!started.compareAndSet(false, true)) {
        s.error(new IllegalStateException(name + " can be subscribed to only once"));
        return;
      }
      sink = s;
      s.onRequest(this::onRequest);
      thread.start();
    }, FluxSink.OverflowStrategy.BUFFER);
  }

  /** Stops the loop; completes once the consumer is closed and the thread has ended its work. */
  Mono<Void> close() {
    closing = true;
    if (started.compareAndSet(false, true)) {
      closed.complete(null); // never subscribed: there is no thread and no consumer
    }
    Consumer<K, V> c = consumer;
    if (c != null) {
      c.wakeup(); // thread-safe; ends a blocking poll at once
    }
    return Mono.fromFuture(closed, true);
  }

  /** Completes once the consumer is closed, without asking it to close. */
  Mono<Void> terminated() {
    return Mono.fromFuture(closed, true);
  }

  /** Thread name; package-private for tests. */
  String name() {
    return name;
  }

  private void onRequest(long n) {
    long before = requested.getAndAccumulate(n, ConsumerLoop::addDemand);
    if (before <= 0 && pausedByUs) {
      Consumer<K, V> c = consumer;
      if (c != null) {
        c.wakeup(); // end the idle poll now rather than after pollTimeout
      }
    }
  }

  /**
   * Outstanding demand may be negative (records emitted beyond it wait in the sink's buffer), so
   * {@code Operators.addCap}, which treats any negative sum as overflow, does not fit.
   */
  private static long addDemand(long current, long n) {
    if (current == Long.MAX_VALUE || n == Long.MAX_VALUE) {
      return Long.MAX_VALUE;
    }
    return current < 0 ? current + n : Operators.addCap(current, n);
  }

  private void run() {
    Throwable failure = null;
    try {
      consumer = options.consumerFactory().apply(consumerProperties());
      if (grouped) {
        consumer.subscribe(options.topics(), new CommitOnRevoke());
      } else {
        unassignedTopics.addAll(options.topics());
        assignNewPartitions();
      }
      nextCommitNanos = System.nanoTime() + options.commitInterval().toNanos();
      while (!closing) {
        if (!grouped && consumer.assignment().isEmpty()) {
          // No topic found yet (it does not exist, or its metadata is slow on a busy machine):
          // a poll without partitions would throw, so look again after a pause.
          awaitNextAssign();
          assignNewPartitions();
          continue;
        }
        applyDemand();
        ConsumerRecords<K, V> records;
        try {
          records = consumer.poll(options.pollTimeout());
        } catch (WakeupException e) {
          continue; // a demand change or close(): look at the flags again
        }
        emit(records);
        if (!unassignedTopics.isEmpty()) {
          assignNewPartitions();
        }
        if (grouped) {
          maybeCommit();
        }
      }
      if (grouped) {
        commitSync(tracker.toCommitSync(), "close");
      }
    } catch (Throwable t) {
      failure = t;
    } finally {
      closeConsumer();
      if (failure != null) {
        if (closing) {
          log.warn("{}: error while closing", name, failure);
        } else {
          log.error("{}: consumer failed, ending the stream", name, failure);
          sink.error(failure);
        }
      }
      closed.complete(null);
    }
  }

  private Map<String, Object> consumerProperties() {
    Map<String, Object> props = new HashMap<>(options.properties());
    // Never: an auto-commit covers records that were received but not yet processed.
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    // Subscribing must not create a topic with broker defaults (e.g. a non-compacted registry).
    props.putIfAbsent(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, name);
    if (!grouped) {
      KafkaConnection.withoutGroup(props);
    }
    return props;
  }

  private void applyDemand() {
    if (requested.get() > 0) {
      if (pausedByUs) {
        pausedByUs = false;
        Set<TopicPartition> paused = consumer.paused();
        consumer.resume(paused);
        log.debug("{}: resuming {} partitions, downstream requested more", name, paused.size());
      }
    } else {
      Set<TopicPartition> assigned = consumer.assignment();
      if (!pausedByUs) {
        log.debug("{}: pausing {} partitions, no downstream demand", name, assigned.size());
      }
      pausedByUs = true;
      // Every time: partitions assigned since the last pause must not fetch either.
      consumer.pause(assigned);
    }
  }

  private void emit(ConsumerRecords<K, V> records) {
    for (ConsumerRecord<K, V> r : records) {
      DeliveredRecord<K, V> delivered = grouped
          ? new DeliveredRecord<>(r, tracker,
              tracker.delivered(new TopicPartition(r.topic(), r.partition()), r.offset()))
          : DeliveredRecord.untracked(r);
      if (requested.get() != Long.MAX_VALUE) {
        requested.decrementAndGet(); // may go below zero: the sink buffers the surplus
      }
      sink.next(delivered);
    }
  }

  private void maybeCommit() {
    if (commitFailure != null) {
      Throwable t = commitFailure;
      commitFailure = null;
      throw new IllegalStateException(name + ": offset commit failed", t);
    }
    long now = System.nanoTime();
    if (now - nextCommitNanos < 0) {
      return;
    }
    nextCommitNanos = now + options.commitInterval().toNanos();
    Map<TopicPartition, OffsetAndMetadata> offsets = tracker.toCommitAsync();
    if (offsets.isEmpty()) {
      return;
    }
    // The callback runs on this thread, inside a later poll/commit call.
    consumer.commitAsync(offsets, (committed, error) -> {
      if (error == null) {
        tracker.committed(offsets);
      } else if (CommitFailures.isRetriable(error)) {
        log.info("{}: commit of {} failed, retrying: {}", name, offsets, error.toString());
        tracker.commitFailed(offsets);
      } else {
        commitFailure = error;
      }
    });
  }

  /** Synchronous commit for revocation and close; failures are logged, not fatal. */
  private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, String why) {
    if (offsets.isEmpty()) {
      return;
    }
    // A wakeup() meant for poll may hit the commit instead; it is one-shot, so retry once.
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        consumer.commitSync(offsets);
        tracker.committed(offsets);
        log.debug("{}: committed {} on {}", name, offsets, why);
        return;
      } catch (WakeupException e) {
        log.debug("{}: commit on {} woken up, retrying", name, why);
      } catch (RuntimeException e) {
        // The records will be redelivered to the next owner: duplicates, not loss.
        log.warn("{}: commit of {} on {} failed: {}", name, offsets, why, e.toString());
        return;
      }
    }
  }

  /** Sleeps until the next metadata look-up is due, at most a poll timeout (close is seen). */
  private void awaitNextAssign() {
    long wait = Math.min(nextAssignNanos - System.nanoTime(), options.pollTimeout().toNanos());
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  private void assignNewPartitions() {
    long now = System.nanoTime();
    if (now - nextAssignNanos < 0) {
      return;
    }
    nextAssignNanos = now + ASSIGN_RETRY.toNanos();
    Set<TopicPartition> added = new HashSet<>();
    for (String topic : List.copyOf(unassignedTopics)) {
      List<PartitionInfo> infos;
      try {
        infos = consumer.partitionsFor(topic, options.pollTimeout());
      } catch (WakeupException e) {
        // A demand change or close() woke us while looking: assign what was found so far; this
        // topic is looked up again on the next pass.
        break;
      } catch (TimeoutException e) {
        // The first metadata fetch of a new consumer can outlast one poll timeout on a busy
        // machine; that is not a failure, the topic is looked up again on the next pass.
        log.debug("{}: metadata of {} not there yet: {}", name, topic, e.toString());
        continue;
      }
      if (infos != null && !infos.isEmpty()) {
        infos.forEach(i -> added.add(new TopicPartition(i.topic(), i.partition())));
        unassignedTopics.remove(topic);
      }
    }
    if (!added.isEmpty()) {
      Set<TopicPartition> all = new HashSet<>(consumer.assignment());
      all.addAll(added);
      consumer.assign(all);
      consumer.seekToBeginning(added);
      if (pausedByUs) {
        consumer.pause(added);
      }
    }
    if (!unassignedTopics.isEmpty()) {
      log.debug("{}: waiting for topics {} to exist", name, unassignedTopics);
    }
  }

  private void closeConsumer() {
    Consumer<K, V> c = consumer;
    if (c == null) {
      return;
    }
    try {
      c.close(CloseOptions.timeout(CLOSE_TIMEOUT));
    } catch (RuntimeException e) {
      log.warn("{}: error closing the consumer: {}", name, e.toString());
    }
  }

  /** Runs on the consumer thread, inside poll (or close). */
  private final class CommitOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      commitSync(tracker.toCommitSync(partitions), "revocation of " + partitions);
      tracker.forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      tracker.forget(partitions); // another member may own them already: do not commit
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (pausedByUs) {
        consumer.pause(partitions);
      }
    }
  }
}
