package io.genstream.app.cli;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genstream broker}: the demo's single-node Kafka broker on its own, for development. */
@Command(name = "broker", header = "Run a single-node Kafka broker for development.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Runs a single-node Kafka broker (KRaft) on 127.0.0.1 with the pipeline's",
      "topics, so the services can run as separate processes on one machine.",
      "For development; production uses a Kafka cluster.", ""})
public final class BrokerCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "9092",
      description = "Client port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--data-dir",
      description = "Log directory, kept (default: a temporary directory, deleted on exit).")
  Path dataDir;

  @Option(names = "--scram-user", paramLabel = "NAME=PASSWORD",
      description = "Also listen with SASL_PLAINTEXT and SCRAM-SHA-256 for this user; "
          + "repeatable. For trying secured clients: a dev broker, no TLS, no ACLs.")
  Map<String, String> scramUsers = new LinkedHashMap<>();

  @Option(names = "--sasl-port", defaultValue = "9093",
      description = "Port of the SASL listener, with --scram-user; 0 picks a free one "
          + "(default: ${DEFAULT-VALUE}).")
  int saslPort;

  @Mixin TopicOptions topicOptions;

  @Override
  public Integer call() throws Exception {
    return UntilStopped.run("Kafka broker", () -> {
      EmbeddedKafka broker =
          EmbeddedKafka.start(new EmbeddedKafka.Config(port, dataDir).withoutShutdownHook()
              .withScramUsers(scramUsers).withSaslPort(saslPort));
      try {
        Topics topics = topicOptions.ensure(broker.bootstrapServers());
        System.out.println("Kafka broker     : " + broker.bootstrapServers());
        if (!scramUsers.isEmpty()) {
          System.out.println("SASL/SCRAM       : " + broker.saslBootstrapServers() + " ("
              + EmbeddedKafka.SCRAM_MECHANISM + ", users " + String.join(", ", scramUsers.keySet())
              + ")");
        }
        System.out.println("topics           : " + String.join(", ", topics.all()));
        System.out.println("data             : " + broker.dataDir());
      } catch (RuntimeException e) {
        broker.close();
        throw e;
      }
      return broker;
    });
  }
}
