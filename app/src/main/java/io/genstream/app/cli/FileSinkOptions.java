package io.genstream.app.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The file sink's settings, shared by {@code genstream sink} and {@code genstream sink files}. */
public final class FileSinkOptions {

  @Option(names = "--out", defaultValue = "genstream-out",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--group", defaultValue = "genstream-sink-files",
      description = "Consumer group of the results topic (default: ${DEFAULT-VALUE}).")
  String group;
}
