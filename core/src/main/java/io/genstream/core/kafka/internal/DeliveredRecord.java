package io.genstream.core.kafka.internal;

import io.genstream.core.kafka.ReceivedRecord;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * A record with its acknowledgement handle. {@link #acknowledge()} is thread-safe and idempotent;
 * it only enqueues, the consumer thread does the bookkeeping. Without a tracker (no group, so
 * nothing is ever committed) acknowledging does nothing.
 */
final class DeliveredRecord<K, V> implements ReceivedRecord<K, V> {
  private final ConsumerRecord<K, V> record;
  private final OffsetTracker tracker;
  private final OffsetTracker.PartitionOffsets partition;
  private final AtomicBoolean acknowledged = new AtomicBoolean();

  DeliveredRecord(ConsumerRecord<K, V> record, OffsetTracker tracker,
      OffsetTracker.PartitionOffsets partition) {
    this.record = record;
    this.tracker = tracker;
    this.partition = partition;
  }

  static <K, V> DeliveredRecord<K, V> untracked(ConsumerRecord<K, V> record) {
    return new DeliveredRecord<>(record, null, null);
  }

  @Override
  public ConsumerRecord<K, V> record() {
    return record;
  }

  @Override
  public void acknowledge() {
    if (tracker != null && acknowledged.compareAndSet(false, true)) {
      tracker.acknowledge(partition, record.offset());
    }
  }

  @Override
  public String toString() {
    return "ReceivedRecord[" + record.topic() + "-" + record.partition() + "@" + record.offset()
        + ", acknowledged=" + acknowledged.get() + "]";
  }
}
