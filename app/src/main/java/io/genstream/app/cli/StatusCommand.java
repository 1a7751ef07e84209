package io.genstream.app.cli;

import io.genstream.app.status.PipelineReport;
import io.genstream.app.status.StatusReader;
import io.genstream.app.status.StatusText;
import io.genstream.core.messages.Json;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code genstream status}: one look at a running pipeline, read from its broker. */
@Command(name = "status", header = "Show a running pipeline's topics, consumer lag, models and dead letters.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Reads from the broker, without joining any consumer group: each topic's records and end",
      "offsets, each consumer group's state and lag, the models on the models topic with their",
      "retained versions and the latest version's metrics, and the dead-letter count with the",
      "newest reasons. Exits 1 if the broker does not answer.", ""})
public final class StatusCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(names = "--dead-letters", defaultValue = "5",
      description = "How many of the newest dead letters to show (default: ${DEFAULT-VALUE}).")
  int deadLetters;

  @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "How long to wait for the broker (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--json", description = "Print the report as JSON instead of text.")
  boolean json;

  @Override
  public Integer call() {
    PipelineReport report;
    try {
      report = new StatusReader(kafka.connection(), kafka.topics(), timeout).read(deadLetters);
    } catch (IllegalStateException e) {
      spec.commandLine().getErr().println("genstream status: " + e.getMessage());
      return 1;
    }
    spec.commandLine().getOut().print(json ? Json.write(report) + System.lineSeparator()
        : StatusText.render(report));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
