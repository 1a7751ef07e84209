package io.genstream.app.cli;

import io.genstream.core.config.Topics;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where a service command finds Kafka and its topics; mixed into every service command. */
public final class KafkaOptions {

  @Option(names = {"-b", "--bootstrap-server"}, defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Mixin TopicOptions topicOptions;

  public Topics topics() {
    return topicOptions.topics();
  }

  /** Creates missing topics (the models topic compacted); existing ones are left as they are. */
  public Topics ensureTopics() {
    return topicOptions.ensure(bootstrapServers);
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }
}
