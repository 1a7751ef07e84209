package io.genstream.core.kafka.internal;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets may be committed: per partition, the end of the contiguous run of acknowledged
 * records. A record acknowledged before its predecessors waits for them, because committing
 * offset {@code n} tells Kafka that everything below {@code n} is done.
 *
 * <p><b>Threading.</b> {@link #acknowledge} may be called from any thread (it only enqueues);
 * every other method belongs to the consumer thread, which applies the queued acknowledgements
 * when it asks what to commit. Contiguity is in delivery order, not {@code offset + 1}: offsets
 * have gaps (compaction, transaction markers).
 */
final class OffsetTracker {

  /** Delivery state of one partition for one assignment; a reassignment gets a new object. */
  static final class PartitionOffsets {
    final TopicPartition partition;
    /** Delivered offsets, ascending, not yet part of the acknowledged prefix. */
    private final ArrayDeque<Long> pending = new ArrayDeque<>();
    /** Acknowledged offsets still waiting for a predecessor. */
    private final Set<Long> ackedAhead = new HashSet<>();
    /** Next offset to commit: everything below it was acknowledged. -1 = nothing yet. */
    private long acknowledgedUpTo = -1;
    /** Highest offset handed to an asynchronous commit. */
    private long sent = -1;
    /** Highest offset the broker confirmed. */
    private long committed = -1;

    PartitionOffsets(TopicPartition partition) {
      this.partition = partition;
    }

    private void delivered(long offset) {
      pending.addLast(offset);
    }

    private void acknowledged(long offset) {
      if (pending.isEmpty() || pending.peekFirst() != offset) {
        ackedAhead.add(offset);
        return;
      }
      pending.pollFirst();
      acknowledgedUpTo = offset + 1;
      while (!pending.isEmpty() && ackedAhead.remove(pending.peekFirst())) {
        acknowledgedUpTo = pending.pollFirst() + 1;
      }
    }

    int pendingCount() {
      return pending.size();
    }
  }

  private record Ack(PartitionOffsets partition, long offset) {}

  private final Map<TopicPartition, PartitionOffsets> partitions = new HashMap<>();
  private final Queue<Ack> acks = new ConcurrentLinkedQueue<>();

  /** Records that {@code offset} was handed downstream; returns the handle its ack refers to. */
  PartitionOffsets delivered(TopicPartition partition, long offset) {
    PartitionOffsets state = partitions.computeIfAbsent(partition, PartitionOffsets::new);
    state.delivered(offset);
    return state;
  }

  /** Any thread. Acks for a partition that has since been revoked are dropped later. */
  void acknowledge(PartitionOffsets partition, long offset) {
    acks.add(new Ack(partition, offset));
  }

  /**
   * Offsets acknowledged since the last call that were not yet sent, marked as sent; for the
   * periodic asynchronous commit.
   */
  Map<TopicPartition, OffsetAndMetadata> toCommitAsync() {
    applyAcks();
    Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
    for (PartitionOffsets p : partitions.values()) {
      if (p.acknowledgedUpTo > p.sent && p.acknowledgedUpTo > p.committed) {
        p.sent = p.acknowledgedUpTo;
        result.put(p.partition, new OffsetAndMetadata(p.acknowledgedUpTo));
      }
    }
    return result;
  }

  /** Every acknowledged offset of {@code only} beyond what the broker confirmed; for commitSync. */
  Map<TopicPartition, OffsetAndMetadata> toCommitSync(Collection<TopicPartition> only) {
    applyAcks();
    Map<TopicPartition, OffsetAndMetadata> result = new HashMap<>();
    for (TopicPartition tp : only) {
      PartitionOffsets p = partitions.get(tp);
      if (p != null && p.acknowledgedUpTo > p.committed) {
        result.put(tp, new OffsetAndMetadata(p.acknowledgedUpTo));
      }
    }
    return result;
  }

  Map<TopicPartition, OffsetAndMetadata> toCommitSync() {
    return toCommitSync(Set.copyOf(partitions.keySet()));
  }

  void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.forEach((tp, o) -> {
      PartitionOffsets p = partitions.get(tp);
      if (p != null) {
        p.committed = Math.max(p.committed, o.offset());
        p.sent = Math.max(p.sent, p.committed);
      }
    });
  }

  /** A commit failed: the offsets will be offered again by the next {@link #toCommitAsync}. */
  void commitFailed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    offsets.keySet().forEach(tp -> {
      PartitionOffsets p = partitions.get(tp);
      if (p != null) {
        p.sent = p.committed;
      }
    });
  }

  /** The partitions left this consumer: their state and any later acks are dropped. */
  void forget(Collection<TopicPartition> revoked) {
    revoked.forEach(partitions::remove);
  }

  /** Records delivered but not yet in an acknowledged prefix, over all partitions. */
  int pendingCount() {
    applyAcks();
    return partitions.values().stream().mapToInt(PartitionOffsets::pendingCount).sum();
  }

  private void applyAcks() {
    for (Ack ack; (ack = acks.poll()) != null; ) {
      // Identity, not equality: an ack from a previous assignment of the same partition is stale.
      if (partitions.get(ack.partition().partition) == ack.partition()) {
        ack.partition().acknowledged(ack.offset());
      }
    }
  }
}
