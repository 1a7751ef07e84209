package io.genstream.trainer.fleet;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.trainer.TrainerOptions;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link TrainerFleet} is wired.
 *
 * @param kafka the cluster of the lease consumer (each model's own clients use its options')
 * @param models one {@link TrainerOptions} per model, in any order; stored sorted by name, so
 *     that every process given the same models maps model i to lease partition i
 * @param leaseTopic the topic whose partitions are the models' leases; created if missing
 * @param leaseGroup the consumer group of every process sharing these models
 */
public record FleetOptions(KafkaConnection kafka, List<TrainerOptions> models, String leaseTopic,
    String leaseGroup) {

  public static final String DEFAULT_LEASE_TOPIC = "genstream.trainer-leases";
  public static final String DEFAULT_LEASE_GROUP = "genstream-trainers";

  public FleetOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(leaseTopic, "leaseTopic");
    Objects.requireNonNull(leaseGroup, "leaseGroup");
    if (models.isEmpty()) {
      throw new IllegalArgumentException("a fleet needs at least one model");
    }
    models = models.stream().sorted(Comparator.comparing(TrainerOptions::modelName)).toList();
    Set<String> names = new HashSet<>();
    for (TrainerOptions model : models) {
      if (!names.add(model.modelName())) {
        throw new IllegalArgumentException("model '" + model.modelName() + "' is listed twice");
      }
    }
    if (leaseTopic.isBlank() || leaseGroup.isBlank()) {
      throw new IllegalArgumentException("the lease topic and group must not be blank");
    }
  }

  /** The default lease topic and group. */
  public FleetOptions(KafkaConnection kafka, List<TrainerOptions> models) {
    this(kafka, models, DEFAULT_LEASE_TOPIC, DEFAULT_LEASE_GROUP);
  }

  /** The models' names in lease-partition order. */
  public List<String> names() {
    return models.stream().map(TrainerOptions::modelName).toList();
  }
}
