package io.genstream.app.cli;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaConnection;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * Where a service command finds Kafka, how its clients talk to it and its topics; mixed into
 * every service command. The client settings become one {@link KafkaConnection} from which
 * every producer, consumer and admin client of the command is built: {@code --command-config}
 * (Kafka's own flag name and file format) then {@code -X} on top. {@code --help} lists the
 * options but never a value given to them.
 */
public final class KafkaOptions {

  @Option(names = {"-b", "--bootstrap-server"}, defaultValue = "127.0.0.1:9092",
      description = "Kafka bootstrap servers (default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--command-config", paramLabel = "FILE",
      description = "Kafka client properties file (security.protocol, sasl.*, ssl.*, timeouts, "
          + "...), as for Kafka's own tools. Keep secrets here rather than on the command "
          + "line.")
  Path commandConfig;

  @Option(names = {"-X", "--kafka-property"}, paramLabel = "KEY=VALUE",
      description = "A Kafka client property; repeatable; wins over --command-config. "
          + "Values that are secrets (passwords, sasl.jaas.config) are never printed, but a "
          + "command line can be seen by other users of the machine.")
  Map<String, String> kafkaProperties = new LinkedHashMap<>();

  @Mixin TopicOptions topicOptions;

  @Spec(Spec.Target.MIXEE) CommandSpec command;

  private KafkaConnection connection;

  public Topics topics() {
    return topicOptions.topics();
  }

  /**
   * Creates missing topics (the models topic compacted); existing ones are left as they are.
   * A service's first contact with Kafka: bounded in time, and a refused login or an absent
   * broker fails with a one-line {@link io.genstream.core.kafka.KafkaConnectionException}.
   */
  public Topics ensureTopics() {
    return topicOptions.ensure(connection());
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The bootstrap servers with the client settings, read once.
   *
   * @throws ParameterException if the file cannot be read or sets {@code bootstrap.servers}
   */
  public KafkaConnection connection() {
    if (connection == null) {
      try {
        connection = KafkaConnection.load(bootstrapServers, commandConfig, kafkaProperties);
      } catch (RuntimeException e) {
        throw new ParameterException(command.commandLine(), e.getMessage(), e);
      }
    }
    return connection;
  }
}
