package io.genstream.core.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetTrackerTest {
  private final TopicPartition p0 = new TopicPartition("t", 0);
  private final OffsetTracker tracker = new OffsetTracker();

  @Test
  void outOfOrderAckWaitsForItsPredecessors() {
    var state = deliver(p0, 0, 1, 2, 3);
    tracker.acknowledge(state, 2);
    tracker.acknowledge(state, 1);
    assertThat(tracker.toCommitAsync()).isEmpty();

    tracker.acknowledge(state, 0);
    assertThat(tracker.toCommitAsync()).isEqualTo(Map.of(p0, new OffsetAndMetadata(3)));
    assertThat(tracker.pendingCount()).isEqualTo(1);
  }

  @Test
  void contiguityFollowsDeliveryOrderAcrossOffsetGaps() {
    var state = deliver(p0, 10, 14, 20); // compaction leaves gaps
    tracker.acknowledge(state, 10);
    tracker.acknowledge(state, 14);
    assertThat(tracker.toCommitAsync()).isEqualTo(Map.of(p0, new OffsetAndMetadata(15)));
  }

  @Test
  void sentOffsetsAreNotResentUnlessTheCommitFailed() {
    var state = deliver(p0, 0);
    tracker.acknowledge(state, 0);
    Map<TopicPartition, OffsetAndMetadata> first = tracker.toCommitAsync();
    assertThat(first).isEqualTo(Map.of(p0, new OffsetAndMetadata(1)));
    assertThat(tracker.toCommitAsync()).isEmpty();

    tracker.commitFailed(first);
    assertThat(tracker.toCommitAsync()).isEqualTo(first);
    tracker.committed(first);
    assertThat(tracker.toCommitSync()).isEmpty();
  }

  @Test
  void acksForARevokedAssignmentAreIgnored() {
    var old = deliver(p0, 0, 1);
    tracker.forget(List.of(p0));
    var current = deliver(p0, 0);
    tracker.acknowledge(old, 0);
    tracker.acknowledge(old, 1);
    assertThat(tracker.toCommitSync()).isEmpty();

    tracker.acknowledge(current, 0);
    assertThat(tracker.toCommitSync()).isEqualTo(Map.of(p0, new OffsetAndMetadata(1)));
  }

  private OffsetTracker.PartitionOffsets deliver(TopicPartition tp, long... offsets) {
    OffsetTracker.PartitionOffsets state = null;
    for (long o : offsets) {
      state = tracker.delivered(tp, o);
    }
    return state;
  }
}
