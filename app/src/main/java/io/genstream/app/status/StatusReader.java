package io.genstream.app.status;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.KafkaConnectionException;
import io.genstream.app.status.PipelineReport.DeadLetters;
import io.genstream.app.status.PipelineReport.GroupRow;
import io.genstream.app.status.PipelineReport.Letter;
import io.genstream.app.status.PipelineReport.ModelRow;
import io.genstream.app.status.PipelineReport.Promotion;
import io.genstream.app.status.PipelineReport.TopicRow;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.PublishedModel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a {@link PipelineReport} from the broker: topic offsets and consumer groups through the
 * admin client, model versions and their promotion by reading the models topic's manifests and
 * status records, and the newest dead
 * letters by reading the tail of the dead-letter topic. Reads only; creates and commits nothing.
 * Blocking: call it from a command's thread.
 */
public final class StatusReader {

  private final KafkaConnection kafka;
  private final String bootstrapServers;
  private final Topics topics;
  private final Duration timeout;

  public StatusReader(String bootstrapServers, Topics topics, Duration timeout) {
    this(KafkaConnection.of(bootstrapServers), topics, timeout);
  }

  /** A reader whose clients use the client settings of {@code kafka}. */
  public StatusReader(KafkaConnection kafka, Topics topics, Duration timeout) {
    this.kafka = kafka;
    this.bootstrapServers = kafka.bootstrapServers();
    this.topics = topics;
    this.timeout = timeout;
  }

  /**
   * @param lastDeadLetters how many of the newest dead letters to include
   * @throws IllegalStateException naming the broker if it does not answer within the timeout
   */
  public PipelineReport read(int lastDeadLetters) {
    try (Admin admin = Admin.create(kafka.clientProperties(
        Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis()),
        Map.of()))) {
      String clusterId = get(admin.describeCluster().clusterId());
      int brokers = get(admin.describeCluster().nodes()).size();
      Map<String, TopicDescription> described = describe(admin);
      List<TopicPartition> partitions = described.values().stream()
          .flatMap(d -> d.partitions().stream()
              .map(p -> new TopicPartition(d.name(), p.partition())))
          .toList();
      Map<TopicPartition, Long> ends = offsets(admin, partitions, OffsetSpec.latest());
      Map<TopicPartition, Long> starts = offsets(admin, partitions, OffsetSpec.earliest());
      List<TopicRow> topicRows = new ArrayList<>();
      for (String name : topics.all()) {
        TopicDescription d = described.get(name);
        if (d == null) {
          topicRows.add(new TopicRow(name, false, 0, 0, 0));
          continue;
        }
        long end = sum(ends, name);
        topicRows.add(new TopicRow(name, true, d.partitions().size(), end - sum(starts, name),
            end));
      }
      return new PipelineReport(bootstrapServers, clusterId, brokers, topicRows,
          groups(admin, ends), models(described),
          deadLetters(described, starts, ends, lastDeadLetters));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while reading the status", e);
    }
  }

  private Map<String, TopicDescription> describe(Admin admin) throws InterruptedException {
    Set<String> existing = get(admin.listTopics().names());
    List<String> ours = topics.all().stream().filter(existing::contains).toList();
    return ours.isEmpty() ? Map.of() : get(admin.describeTopics(ours).allTopicNames());
  }

  private Map<TopicPartition, Long> offsets(Admin admin, Collection<TopicPartition> partitions,
      OffsetSpec spec) throws InterruptedException {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(p -> request.put(p, spec));
    Map<TopicPartition, ListOffsetsResultInfo> result = get(admin.listOffsets(request).all());
    Map<TopicPartition, Long> offsets = new HashMap<>();
    result.forEach((p, info) -> offsets.put(p, info.offset()));
    return offsets;
  }

  /** Every consumer group with committed offsets on one of the pipeline's topics. */
  private List<GroupRow> groups(Admin admin, Map<TopicPartition, Long> ends)
      throws InterruptedException {
    Set<String> ours = Set.copyOf(topics.all());
    List<String> ids = get(admin.listGroups().all()).stream()
        .map(GroupListing::groupId)
        .sorted()
        .toList();
    if (ids.isEmpty()) {
      return List.of();
    }
    Map<String, ConsumerGroupDescription> descriptions =
        get(admin.describeConsumerGroups(ids).all());
    List<GroupRow> rows = new ArrayList<>();
    for (String id : ids) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          get(admin.listConsumerGroupOffsets(id).partitionsToOffsetAndMetadata());
      Map<String, Long> lag = new TreeMap<>();
      committed.forEach((partition, offset) -> {
        if (offset != null && ours.contains(partition.topic())) {
          long end = ends.getOrDefault(partition, offset.offset());
          lag.merge(partition.topic(), Math.max(0, end - offset.offset()), Long::sum);
        }
      });
      if (lag.isEmpty()) {
        continue; // not one of the pipeline's groups
      }
      ConsumerGroupDescription d = descriptions.get(id);
      rows.add(new GroupRow(id, d == null ? "unknown" : d.groupState().toString(),
          d == null ? 0 : d.members().size(), lag));
    }
    return rows;
  }

  /**
   * The retained versions of each model, from the manifests on the models topic, and what its
   * trainer judged them, from its status record ({@code <model>/status}).
   */
  private List<ModelRow> models(Map<String, TopicDescription> described) {
    if (!described.containsKey(topics.models())) {
      return List.of();
    }
    // The latest record per key wins and a tombstone removes it, as compaction will.
    Map<String, ModelManifest> byKey = new HashMap<>();
    Map<String, ModelStatus> statuses = new HashMap<>();
    TopicScan.readToEnd(kafka, topics.models(), timeout, record -> {
      if (ModelStatus.isStatusKey(record.key())) {
        readStatus(record, statuses);
        return;
      }
      PublishedModel.Key key;
      try {
        key = PublishedModel.Key.parse(record.key());
      } catch (IllegalArgumentException e) {
        return;
      }
      if (!key.isGenerator()) {
        return;
      }
      if (record.value() == null) {
        byKey.remove(record.key());
        return;
      }
      CloudEvents.attribute(record.headers(), "manifest").ifPresent(json -> {
        try {
          byKey.put(record.key(), ModelManifest.fromJson(json));
        } catch (RuntimeException e) {
          // An unreadable manifest is the generator's to refuse; status just leaves it out.
        }
      });
    });
    Map<String, List<ModelManifest>> byModel = byKey.values().stream()
        .collect(Collectors.groupingBy(ModelManifest::name, TreeMap::new, Collectors.toList()));
    List<ModelRow> rows = new ArrayList<>();
    byModel.forEach((name, manifests) -> {
      manifests.sort(Comparator.comparingLong(ModelManifest::version));
      ModelManifest latest = manifests.get(manifests.size() - 1);
      List<Long> versions = manifests.stream().map(ModelManifest::version).toList();
      ModelStatus status = statuses.get(name);
      rows.add(new ModelRow(name, latest.family(), versions, latest.metrics(),
          status != null && status.hasBest() ? status.best() : null,
          promotions(status, versions)));
    });
    return rows;
  }

  private static void readStatus(ConsumerRecord<String, byte[]> record,
      Map<String, ModelStatus> statuses) {
    if (record.value() == null) {
      statuses.remove(ModelStatus.modelOf(record.key()));
      return;
    }
    try {
      ModelStatus status = ModelStatus.fromRecord(record);
      statuses.put(status.model(), status);
    } catch (RuntimeException e) {
      // As with manifests: an invalid status is the generator's to refuse, status leaves it out.
    }
  }

  /** What {@code status} says of each of {@code versions} it judged. */
  private static Map<Long, Promotion> promotions(ModelStatus status, List<Long> versions) {
    Map<Long, Promotion> promotions = new LinkedHashMap<>();
    if (status != null) {
      for (long version : versions) {
        String judged = status.statusOf(version);
        if (judged != null) {
          promotions.put(version, new Promotion(judged, status.reasonOf(version)));
        }
      }
    }
    return promotions;
  }

  private DeadLetters deadLetters(Map<String, TopicDescription> described,
      Map<TopicPartition, Long> starts, Map<TopicPartition, Long> ends, int last) {
    String topic = topics.deadLetter();
    if (!described.containsKey(topic)) {
      return new DeadLetters(0, List.of());
    }
    long count = sum(ends, topic) - sum(starts, topic);
    if (count == 0 || last <= 0) {
      return new DeadLetters(count, List.of());
    }
    Map<String, Object> props = kafka.clientProperties(Map.of(),
        Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
            ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false));
    KafkaConnection.withoutGroup(props);
    List<ConsumerRecord<String, byte[]>> tail = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      Map<TopicPartition, Long> toRead = new HashMap<>();
      for (var partition : described.get(topic).partitions()) {
        TopicPartition tp = new TopicPartition(topic, partition.partition());
        long end = ends.getOrDefault(tp, 0L);
        long from = Math.max(starts.getOrDefault(tp, 0L), end - last);
        if (from < end) {
          toRead.put(tp, end);
        }
      }
      consumer.assign(toRead.keySet());
      toRead.forEach((tp, end) -> consumer.seek(tp, Math.max(starts.getOrDefault(tp, 0L),
          end - last)));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!toRead.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(tail::add);
        toRead.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
      }
    }
    tail.sort(Comparator.comparingLong(ConsumerRecord::timestamp));
    List<Letter> letters = tail.subList(Math.max(0, tail.size() - last), tail.size()).stream()
        .map(record -> new Letter(Instant.ofEpochMilli(record.timestamp()).toString(),
            CloudEvents.attribute(record.headers(), "service").orElse("?"),
            CloudEvents.attribute(record.headers(), "origintopic").orElse("?"),
            DeadLetter.reason(record)))
        .toList();
    return new DeadLetters(count, letters);
  }

  private static long sum(Map<TopicPartition, Long> offsets, String topic) {
    return offsets.entrySet().stream()
        .filter(e -> e.getKey().topic().equals(topic))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  private <T> T get(org.apache.kafka.common.KafkaFuture<T> future) throws InterruptedException {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw KafkaConnectionException.explain(kafka, "reading the status", timeout, e.getCause());
    } catch (TimeoutException e) {
      throw KafkaConnectionException.explain(kafka, "reading the status", timeout, e);
    }
  }
}
