package io.genstream.app.management;

import io.genstream.core.kafka.KafkaConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lag of one consumer group per partition, as the gauge {@code genstream.consumer.lag}
 * (tags group, topic, partition): the records not yet committed, read from the broker every
 * {@code every} on a thread of its own (the admin calls block). One gauge per partition the
 * group has committed on, so the meters stay bounded by the topic's partitions.
 *
 * <p>Owns its admin client and thread; {@link #close()} releases them.
 */
public final class ConsumerLag implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ConsumerLag.class);

  private final String group;
  private final MeterRegistry meters;
  private final Admin admin;
  private final ScheduledExecutorService thread;
  private final Map<TopicPartition, Long> lag = new ConcurrentHashMap<>();

  public ConsumerLag(KafkaConnection kafka, String group, MeterRegistry meters, Duration every) {
    this.group = group;
    this.meters = meters;
    Map<String, Object> props = kafka.clientProperties(Map.of(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000), Map.of());
    this.admin = Admin.create(props);
    this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread t = new Thread(runnable, "genstream-lag-" + group);
      t.setDaemon(true);
      return t;
    });
    thread.scheduleWithFixedDelay(this::measure, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The last measured lag of each partition; for tests and status lines. */
  public Map<TopicPartition, Long> snapshot() {
    return Map.copyOf(lag);
  }

  private void measure() {
    try {
      Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
      if (latest.isEmpty()) {
        return;
      }
      var ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
      committed.forEach((partition, offset) -> {
        if (offset == null || !ends.containsKey(partition)) {
          return;
        }
        long value = Math.max(0, ends.get(partition).offset() - offset.offset());
        if (lag.put(partition, value) == null) {
          Gauge.builder("genstream.consumer.lag", lag,
                  m -> m.getOrDefault(partition, 0L).doubleValue())
              .description("records of the partition the group has not committed yet")
              .tag("group", group)
              .tag("topic", partition.topic())
              .tag("partition", Integer.toString(partition.partition()))
              .register(meters);
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // Measured again next time; a broker away is the service's to report, not ours.
      log.debug("consumer lag of {} not measured: {}", group, e.toString());
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
