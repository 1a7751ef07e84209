package io.genstream.app.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code genstream bench}: the benchmarks; one subcommand per part measured. */
@Command(name = "bench", header = "Measure how fast a part of GenStream runs on this machine.",
    mixinStandardHelpOptions = true,
    description = {"Benchmarks that run in one JVM with zero setup (in-process broker).", ""},
    subcommands = {BenchGeneratorCommand.class, BenchIngestCommand.class,
        BenchVideoCommand.class})
public final class BenchCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** How a benchmark was started, as its report prints it: {@code genstream bench … }. */
  static String invocation(CommandSpec command) {
    java.util.List<String> words = new java.util.ArrayList<>(java.util.List.of("genstream"));
    words.addAll(command.commandLine().getParseResult().originalArgs());
    return String.join(" ", words);
  }
}
