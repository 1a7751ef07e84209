package io.genstream.app.cli;

import io.genstream.app.bench.IngestBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code genstream bench ingest}: folder ingest next to a bare decode loop over the same files. */
@Command(name = "ingest", header = "Measure folder ingest of PNG and JPEG files against a bare decode loop.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Writes image-like files to a temporary folder (28x28 gray and 256x256 RGB, PNG and",
      "JPEG), then for each kind measures a bare ImageIO.read loop over the files (the",
      "ceiling) and folder ingest (decode, normalise to 28x28x1, produce to an in-process",
      "broker), and prints images/s, the ratio (target: ingest >= 0.8 x decode) and ingest",
      "against the trainer's ~300 images/s. The files are deleted at the end.",
      "Exit status: 0 whether or not the target is met, 1 if a phase failed.", ""})
public final class BenchIngestCommand implements Callable<Integer> {

  @Option(names = "--small-files", defaultValue = "8000", paramLabel = "N",
      description = "Files per 28x28 kind (default: ${DEFAULT-VALUE}).")
  int smallFiles;

  @Option(names = "--large-files", defaultValue = "300", paramLabel = "N",
      description = "Files per 256x256 kind (default: ${DEFAULT-VALUE}).")
  int largeFiles;

  @Option(names = "--files", paramLabel = "N",
      description = "Files per kind, all kinds (overrides --small-files and --large-files).")
  Integer files;

  @Option(names = "--json", paramLabel = "FILE",
      description = "Also write the results as JSON to FILE.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    int small = files != null ? files : smallFiles;
    int large = files != null ? files : largeFiles;
    IngestBenchmark bench;
    PrintWriter out = spec.commandLine().getOut();
    try {
      bench = new IngestBenchmark(small, large, json, out);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    IngestBenchmark.Report report = bench.run(BenchCommand.invocation(spec));
    out.println();
    report.print(out);
    out.flush();
    return 0;
  }
}
