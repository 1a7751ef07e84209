package io.genstream.app.status;

import java.util.List;
import java.util.Map;

/**
 * What {@code genstream status} shows of a running pipeline: its topics, consumer groups, models
 * and dead letters, as read from the broker at one moment.
 *
 * @param bootstrapServers where it was read from
 * @param clusterId the Kafka cluster's id
 * @param brokers how many brokers answered
 */
public record PipelineReport(
    String bootstrapServers,
    String clusterId,
    int brokers,
    List<TopicRow> topics,
    List<GroupRow> groups,
    List<ModelRow> models,
    DeadLetters deadLetters) {

  /**
   * One topic of the pipeline.
   *
   * @param records records the topic holds now (end minus start offsets, all partitions); for a
   *     compacted topic an upper bound
   * @param endOffset sum of the partitions' end offsets: how many were ever written
   * @param exists false for a pipeline topic that was never created
   */
  public record TopicRow(String name, boolean exists, int partitions, long records,
      long endOffset) {}

  /**
   * A consumer group and how far behind it is.
   *
   * @param lag records not yet consumed, per topic (committed offset to end offset)
   */
  public record GroupRow(String group, String state, int members, Map<String, Long> lag) {

    public long totalLag() {
      return lag.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * A model on the models topic.
   *
   * @param versions the retained versions, ascending
   * @param latestMetrics the latest version's metrics from its manifest
   * @param best the version its trainer promoted to {@code best}; null while none is, or when
   *     the trainer published no status record
   * @param promotions what the trainer judged each retained version, by version (those it
   *     judged only); empty without a status record
   */
  public record ModelRow(String name, String family, List<Long> versions,
      Map<String, Double> latestMetrics, Long best, Map<Long, Promotion> promotions) {}

  /**
   * What the trainer judged one version ({@code <model>/status} on the models topic).
   *
   * @param status {@code best}, {@code candidate} or {@code rejected}
   * @param reason why, in words; empty if none was given
   */
  public record Promotion(String status, String reason) {}

  /**
   * The dead-letter topic.
   *
   * @param count records on it
   * @param latest the most recent ones, newest last
   */
  public record DeadLetters(long count, List<Letter> latest) {}

  /** One dead letter: which service refused which record, when, and why. */
  public record Letter(String time, String service, String originTopic, String reason) {}
}
