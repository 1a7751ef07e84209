package io.genstream.trainer.fleet;

import io.genstream.core.kafka.KafkaConnection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The lease topic: one partition per model, never written to. Its partitions exist only so that
 * Kafka's group protocol can hand each to exactly one member of the lease group.
 */
final class LeaseTopic {

  private LeaseTopic() {}

  /**
   * Creates the topic with {@code partitions} partitions, or adds partitions to an existing one
   * that has fewer (a models file that grew). Partitions beyond the models are harmless: nobody
   * trains for them. Safe to run from several processes at once.
   *
   * @throws IllegalStateException if the broker refuses
   */
  static void ensure(KafkaConnection kafka, String topic, int partitions) {
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      try {
        // The cluster's default replication: a lease lost with its only replica stalls the fleet.
        admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
            .all().get();
        return;
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create lease topic " + topic, e.getCause());
        }
      }
      int existing = admin.describeTopics(List.of(topic)).allTopicNames().get()
          .get(topic).partitions().size();
      if (existing < partitions) {
        try {
          admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all().get();
        } catch (ExecutionException e) {
          // Another process of the fleet grew it first.
          if (!(e.getCause() instanceof InvalidPartitionsException)) {
            throw new IllegalStateException("cannot add partitions to lease topic " + topic,
                e.getCause());
          }
        }
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new IllegalStateException("lease topic " + topic + " vanished while being set up");
      }
      throw new IllegalStateException("cannot set up lease topic " + topic, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while setting up lease topic " + topic, e);
    }
  }
}
