package io.genstream.core.kafka.internal;

import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** A real consumer that counts what poll returned, pauses, and whether it was closed. */
final class CountingConsumer extends KafkaConsumer<String, byte[]> {
  final AtomicLong polled = new AtomicLong();
  final AtomicInteger pauses = new AtomicInteger();
  final AtomicBoolean closed = new AtomicBoolean();
  volatile RuntimeException failNextPoll;

  CountingConsumer(Map<String, Object> props) {
    super(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public ConsumerRecords<String, byte[]> poll(Duration timeout) {
    RuntimeException fail = failNextPoll;
    if (fail != null) {
      throw fail;
    }
    ConsumerRecords<String, byte[]> records = super.poll(timeout);
    polled.addAndGet(records.count());
    return records;
  }

  @Override
  public void pause(Collection<TopicPartition> partitions) {
    if (!partitions.isEmpty()) {
      pauses.incrementAndGet();
    }
    super.pause(partitions);
  }

  @Override
  public void close(CloseOptions option) {
    closed.set(true);
    super.close(option);
  }
}
