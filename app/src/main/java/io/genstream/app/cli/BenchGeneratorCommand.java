package io.genstream.app.cli;

import io.genstream.app.bench.BenchOptions;
import io.genstream.app.bench.BenchReport;
import io.genstream.app.bench.GeneratorBenchmark;
import io.genstream.trainer.family.ModelSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code genstream bench generator}: the generator's speed next to its ceilings. */
@Command(name = "generator", header = "Measure the generator: bare ONNX Runtime, engine, Kafka, latency, DJL.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Measures in one run, on one freshly initialised model of the family's default",
      "spec and one batch size: (1) a bare ONNX Runtime loop, the ceiling; (2) the",
      "generation engine alone under single-image requests; (3) the full Kafka path",
      "(in-process broker, a real generator service, JSON requests in, results",
      "consumed); (4) latency at half that load next to a raw Kafka round trip and",
      "one batch inference; (5) the same network's forward pass in DJL vs ONNX",
      "Runtime. Phases 3 and 4 are measured after rounds of their own load, until",
      "the JIT compilers settle (at most 7.5 phase lengths each). Prints a table",
      "with the targets and whether each was met.",
      "Exit status: 0 whether or not the targets are met, 1 if a phase failed.", ""})
public final class BenchGeneratorCommand implements Callable<Integer> {

  @Option(names = "--family", defaultValue = "cgan", paramLabel = "FAMILY",
      description = "Model family: cgan, dcgan or vae (default: ${DEFAULT-VALUE}).")
  ModelSpec.Family family;

  @Option(names = "--batch-size", defaultValue = "" + BenchOptions.DEFAULT_BATCH_SIZE,
      paramLabel = "N",
      description = "Images per ONNX Runtime call in every phase (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--requests", defaultValue = "" + BenchOptions.DEFAULT_REQUESTS,
      paramLabel = "N",
      description = "Single-image requests of the Kafka throughput phase (default: "
          + "${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--seconds", defaultValue = "" + BenchOptions.DEFAULT_SECONDS,
      paramLabel = "S",
      description = "Length of each timed phase (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--ort-threads", defaultValue = "1", paramLabel = "N",
      description = "ONNX Runtime intra-op threads; DJL gets as many (default: "
          + "${DEFAULT-VALUE}).")
  int ortThreads;

  @Option(names = "--json", paramLabel = "FILE",
      description = "Also write the results as JSON to FILE.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    BenchOptions options;
    try {
      options = new BenchOptions(family, batchSize, requests, seconds, ortThreads, json);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    BenchReport report = new GeneratorBenchmark(options, out)
        .run(BenchCommand.invocation(spec));
    out.println();
    report.print(out);
    out.flush();
    return 0;
  }
}
