package io.genstream.generator.internal;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Tracks a follower's progress towards the end offsets a topic had when it started.
 * Not thread-safe: used from the follower's thread only.
 */
final class CatchUp {

  private final Map<TopicPartition, Long> remaining;

  /**
   * @param earliest first offset per partition at start
   * @param latest end offset (next offset to be written) per partition at start
   */
  CatchUp(Map<TopicPartition, Long> earliest, Map<TopicPartition, Long> latest) {
    remaining = new HashMap<>();
    latest.forEach((partition, end) -> {
      if (end > earliest.getOrDefault(partition, 0L)) {
        remaining.put(partition, end);
      }
    });
  }

  /** Records that {@code offset} of {@code partition} was processed. */
  void processed(TopicPartition partition, long offset) {
    Long end = remaining.get(partition);
    if (end != null && offset + 1 >= end) {
      remaining.remove(partition);
    }
  }

  boolean done() {
    return remaining.isEmpty();
  }

  @Override
  public String toString() {
    return "waiting for " + remaining;
  }
}
