package io.genstream.app.cli;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaConnection;
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
    TopicSetup.ensure(kafka, topics, partitions);
    return topics;
  }
}
