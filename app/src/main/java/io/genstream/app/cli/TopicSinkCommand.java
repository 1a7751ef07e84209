package io.genstream.app.cli;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.sinks.SinkService;
import io.genstream.sinks.kafka.TopicSink;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code genstream sink kafka}: forwards each result to a topic, on this cluster or another. */
@Command(name = "kafka", header = "Forward results to a Kafka topic of your choosing.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Each result keeps its key, CloudEvents headers and value. A result the target topic",
      "refuses for good (too large, no right to write) goes to the dead-letter topic with the",
      "reason; a broker that is away is waited for. The target topic must exist.", ""})
public final class TopicSinkCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(names = "--to-topic", required = true, paramLabel = "TOPIC",
      description = "Where to forward results.")
  String topic;

  @Option(names = "--to-bootstrap-server", paramLabel = "HOST:PORT",
      description = "The target cluster (default: the one results are read from).")
  String targetBootstrap;

  @Option(names = "--group", defaultValue = "genstream-sink-kafka",
      description = "Consumer group of the results topic (default: ${DEFAULT-VALUE}).")
  String group;

  @Override
  public Integer call() throws Exception {
    // The target shares the client settings: one login for both clusters.
    KafkaConnection target = targetBootstrap != null
        ? kafka.connection().withBootstrapServers(targetBootstrap) : kafka.connection();
    TopicSink forward;
    try {
      forward = new TopicSink(target, topic);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return UntilStopped.runService("kafka sink", () -> {
      SinkService sink = new SinkService(forward,
          new SinkService.Options(kafka.connection(), kafka.ensureTopics(), group)).start();
      System.out.println("forwarding to    : " + topic + " on " + target.bootstrapServers());
      return new UntilStopped.Running(() -> {
        sink.close();
        forward.close();
        System.out.println("kafka sink stopped: " + sink.written() + " results forwarded, "
            + sink.deadLettered() + " dead-lettered");
      }, sink.completion());
    });
  }
}
