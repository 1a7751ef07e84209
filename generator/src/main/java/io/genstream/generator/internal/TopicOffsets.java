package io.genstream.generator.internal;

import io.genstream.core.kafka.KafkaConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a topic begins and ends when a follower starts, read with a short-lived Admin client:
 * the {@link CatchUp} the follower has to reach before it calls itself caught up. A topic that
 * does not exist yet has nothing to catch up on.
 */
final class TopicOffsets {

  private static final Logger log = LoggerFactory.getLogger(TopicOffsets.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(15);

  private TopicOffsets() {}

  /**
   * Earliest and end offsets of every partition of {@code topic}, now. Blocks, up to 15 s per
   * call to the broker: call it on a thread that may block (the follower's).
   */
  static CatchUp atStart(KafkaConnection kafka, String topic)
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = Admin.create(kafka.clientProperties(
        Map.of(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis()),
        Map.of()))) {
      TopicDescription description;
      try {
        description = admin.describeTopics(List.of(topic)).allTopicNames()
            .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          log.info("models topic {} does not exist yet: nothing to catch up on", topic);
          return new CatchUp(Map.of(), Map.of());
        }
        throw e;
      }
      Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      description.partitions().forEach(p -> {
        earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
        latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      });
      return new CatchUp(offsets(admin.listOffsets(earliest)), offsets(admin.listOffsets(latest)));
    }
  }

  private static Map<TopicPartition, Long> offsets(ListOffsetsResult result)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    result.all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
        .forEach((partition, info) -> offsets.put(partition, info.offset()));
    return offsets;
  }
}
