package io.genstream.app;

import io.genstream.app.cli.BrokerCommand;
import io.genstream.app.cli.DemoCommand;
import io.genstream.app.cli.GeneratorCommand;
import io.genstream.app.cli.IngestCommand;
import io.genstream.app.cli.PredictorCommand;
import io.genstream.app.cli.RequestCommand;
import io.genstream.app.cli.SinkCommand;
import io.genstream.app.cli.StatusCommand;
import io.genstream.app.cli.TrainerCommand;
import io.genstream.core.kafka.KafkaConnectionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code genstream} command line: one entry point, one subcommand per run mode. */
@Command(
    name = "genstream",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "A reactive streaming pipeline for generative image models: Kafka topics",
      "stream training images into a trainer and generation requests into",
      "generators; ONNX Runtime runs the models; results flow to sinks.",
      ""
    },
    subcommands = {
      DemoCommand.class, RequestCommand.class, BrokerCommand.class, IngestCommand.class,
      TrainerCommand.class, GeneratorCommand.class, PredictorCommand.class, SinkCommand.class,
      StatusCommand.class, io.genstream.app.cli.BenchCommand.class,
      CommandLine.HelpCommand.class},
    footer = {"", "Start with: genstream demo   (zero setup, everything in one JVM)"})
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, for tests. */
  public static CommandLine commandLine() {
    CommandLine commandLine =
        new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    commandLine.setExecutionExceptionHandler(Main::handle);
    // The model settings are declared once, in ModelSpec; both commands that train list them.
    for (String name : new String[] {"demo", "trainer"}) {
      commandLine.getSubcommands().get(name).getCommandSpec().usageMessage()
          .footer(io.genstream.app.cli.ModelSpecOptions.settingsHelp());
    }
    return commandLine;
  }

  /**
   * A command that cannot talk to Kafka (refused login, no broker) says why in one line and
   * exits 1; any other failure prints its stack trace, as picocli does by default.
   */
  private static int handle(Exception e, CommandLine commandLine, CommandLine.ParseResult parsed) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof KafkaConnectionException kafka) {
        commandLine.getErr().println(
            commandLine.getCommandSpec().qualifiedName() + ": " + kafka.getMessage());
        commandLine.getErr().flush();
        return 1;
      }
    }
    commandLine.getErr().print(commandLine.getColorScheme().stackTraceText(e));
    commandLine.getErr().flush();
    return commandLine.getCommandSpec().exitCodeOnExecutionException();
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Version from the jar manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"genstream " + (version == null ? "development" : version)};
    }
  }
}
