package io.genstream.app.cli;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.Replication;
import io.genstream.core.kafka.TopicSetup;
import picocli.CommandLine.Option;

/** The pipeline's topic names and how to create them; mixed into every command that needs them. */
public final class TopicOptions {

  @Option(names = "--topic-prefix", defaultValue = "genstream.",
      description = "Prefix of the pipeline's topics (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--partitions", defaultValue = "2",
      description = "Partitions of topics this command creates if they are missing (default: ${DEFAULT-VALUE}).")
  int partitions;

  @Option(names = "--replication-factor", paramLabel = "N",
      description = "Replicas of topics this command creates (default: 1 on a one-broker "
          + "cluster, else 3, or the broker count if smaller).")
  Short replicationFactor;

  @Option(names = "--min-insync-replicas", paramLabel = "N",
      description = "min.insync.replicas of topics this command creates (default: one less "
          + "than the replication factor, at least 1).")
  Short minInsyncReplicas;

  public Topics topics() {
    return Topics.withPrefix(topicPrefix);
  }

  /** Creates missing topics (the models topic compacted); existing ones are left as they are. */
  public Topics ensure(String bootstrapServers) {
    return ensure(KafkaConnection.of(bootstrapServers));
  }

  /** {@link #ensure(String)} with the client settings of {@code kafka}. */
  public Topics ensure(KafkaConnection kafka) {
    Topics topics = topics();
    TopicSetup.ensure(kafka, topics, partitions, replication());
    return topics;
  }

  /** What --replication-factor and --min-insync-replicas say; null: the cluster's default. */
  private Replication replication() {
    if (replicationFactor == null) {
      if (minInsyncReplicas != null) {
        throw new IllegalArgumentException("--min-insync-replicas needs --replication-factor");
      }
      return null;
    }
    return new Replication(replicationFactor, minInsyncReplicas != null ? minInsyncReplicas
        : (short) Math.max(1, replicationFactor - 1));
  }
}
