package io.genstream.trainer.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership of the lease group: a consumer of the lease topic that never reads
 * a record, polling on its own thread {@code genstream-trainer-leases} only to stay in the
 * group, and telling its {@link Holder} which models' leases it gained and lost. Partition i is
 * the lease of model i of {@link FleetOptions#models()}.
 *
 * <p>The assignor is cooperative-sticky: a member joining or leaving moves only the leases that
 * must move, and a callback names only those. Callbacks run on the lease thread, inside
 * {@code poll}; while one blocks (models finishing), the consumer's background heartbeats keep
 * the membership, within {@code max.poll.interval.ms} (5 minutes by default).
 */
final class Leases {

  /** What the fleet does with leases; every method is called on the lease thread. */
  interface Holder {
    /** Start training these models. */
    void gained(List<String> models);

    /**
     * Stop training these models, before their leases go to another member.
     *
     * @param publish whether to publish what was trained since the last version first (a lease
     *     revoked in a rebalance); false when the lease was lost (this process missed its
     *     session timeout, so another may train the model already) or the fleet closes
     */
    void released(List<String> models, boolean publish);

    /** Stop training every model: the process leaves the group right after. */
    void leaving(boolean publish);

    /** The lease consumer failed and has left the group. */
    void failed(RuntimeException error);
  }

  private static final Logger log = LoggerFactory.getLogger(Leases.class);
  private static final Duration POLL = Duration.ofMillis(500);
  /**
   * A process that died without leaving is replaced after this long: shorter than Kafka's 45 s
   * default, because a model without a trainer falls behind its data. A user's
   * {@code session.timeout.ms} wins.
   */
  static final int SESSION_TIMEOUT_MS = 10_000;

  private final FleetOptions options;
  private final Holder holder;
  private final Thread thread;
  private final CountDownLatch ended = new CountDownLatch(1);
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private volatile boolean stopping;
  private volatile boolean publishOnStop;

  Leases(FleetOptions options, Holder holder) {
    this.options = options;
    this.holder = holder;
    this.thread = new Thread(this::hold, "genstream-trainer-leases");
    thread.setDaemon(true);
  }

  /** Joins the group on the lease thread. */
  void start() {
    thread.start();
  }

  /**
   * Releases every model ({@link Holder#leaving}), then leaves the group; waits up to
   * {@code timeout}. Only the first call counts.
   */
  void stop(boolean publish, Duration timeout) {
    synchronized (this) {
      if (stopping) {
        return;
      }
      publishOnStop = publish;
      stopping = true;
    }
    KafkaConsumer<byte[], byte[]> polling = consumer;
    if (polling != null) {
      polling.wakeup();
    }
    if (!thread.isAlive()) {
      return;
    }
    try {
      if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("trainer fleet: the lease thread did not stop within {}", timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void hold() {
    try (KafkaConsumer<byte[], byte[]> leases = new KafkaConsumer<>(consumerProperties(),
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer = leases;
      leases.subscribe(List.of(options.leaseTopic()), new Listener());
      try {
        while (!stopping) {
          leases.poll(POLL); // no records ever: polling is what keeps the membership
        }
      } catch (WakeupException e) {
        // stop()
      }
      // Still a member, so no other process trains these yet; the close leaves the group.
      holder.leaving(publishOnStop);
    } catch (RuntimeException e) {
      log.error("trainer fleet: the lease consumer failed: {}", e.toString(), e);
      holder.failed(e);
    } finally {
      consumer = null;
      ended.countDown();
    }
  }

  private Map<String, Object> consumerProperties() {
    return options.kafka().clientProperties(
        Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS,
            ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, SESSION_TIMEOUT_MS / 3,
            ConsumerConfig.CLIENT_ID_CONFIG, "genstream-trainer-leases"),
        Map.of(ConsumerConfig.GROUP_ID_CONFIG, options.leaseGroup(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            List.of(CooperativeStickyAssignor.class.getName())));
  }

  /** The models of lease partitions; partitions beyond the models file have none. */
  private List<String> models(Collection<TopicPartition> partitions) {
    List<String> names = new ArrayList<>();
    for (TopicPartition partition : partitions) {
      if (partition.topic().equals(options.leaseTopic())
          && partition.partition() < options.models().size()) {
        names.add(options.models().get(partition.partition()).modelName());
      }
    }
    return names;
  }

  /** Group callbacks, inside poll on the lease thread. */
  private final class Listener implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      List<String> models = models(partitions);
      if (!models.isEmpty() && !stopping) {
        holder.gained(models);
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      // Another member takes these over: it resumes from the version published here.
      List<String> models = models(partitions);
      if (!models.isEmpty()) {
        holder.released(models, true);
      }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      List<String> models = models(partitions);
      if (!models.isEmpty()) {
        log.warn("trainer fleet: leases of {} lost (missed the session timeout?); closing them "
            + "without publishing, another trainer may hold them already", models);
        holder.released(models, false);
      }
    }
  }
}
