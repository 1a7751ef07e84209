package io.genstream.app.cli;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.TopicSetup;
import picocli.CommandLine.Option;

/** Where a service command finds Kafka and its topics; mixed into every service command. */
public final class KafkaOptions {

  @Option(names = {"-b", "--bootstrap-server"}, defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

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
  public Topics ensureTopics() {
    Topics topics = topics();
    TopicSetup.ensure(bootstrapServers, topics, partitions);
    return topics;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }
}
