package io.genstream.app.cli;

import io.genstream.app.bench.VideoBenchOptions;
import io.genstream.app.bench.VideoBenchReport;
import io.genstream.app.bench.VideoBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code genstream bench video}: the video predictor's latency next to its floors. */
@Command(name = "video",
    header = "Measure the video predictor's latency: frame produced → prediction consumed.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Measures in one run, on the video demo's framepred model (untrained weights):",
      "(1) one batch inference, FramePredictor.predict on a batch of --streams",
      "contexts; (2) a raw Kafka round trip of a frame-sized record; (3) the latency",
      "from a frame produced to its predicted next frame consumed, with an in-process",
      "broker, a real prediction service and --streams moving-digit cameras at --fps,",
      "after a warm-up. Target: latency p99 ≤ round-trip p99 + batch inference",
      "p99 + 10 ms, and no prediction lost. Prints tables with the figures, the",
      "predictor's batch sizes, CPU by thread and whether the targets were met.",
      "Exit status: 0 whether or not the targets are met, 1 if a phase failed,",
      "2 usage.", ""})
public final class BenchVideoCommand implements Callable<Integer> {

  @Option(names = "--streams", defaultValue = "" + VideoBenchOptions.DEFAULT_STREAMS,
      paramLabel = "N",
      description = "Video streams (cameras), 1..1024; also the predictor's largest batch "
          + "(default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(names = "--fps", defaultValue = "" + VideoBenchOptions.DEFAULT_FPS, paramLabel = "F",
      description = "Frames per second of each stream, 0.5..1000 (default: ${DEFAULT-VALUE}).")
  double fps;

  @Option(names = "--seconds", defaultValue = "" + VideoBenchOptions.DEFAULT_SECONDS,
      paramLabel = "S",
      description = "Timed part of the latency phase, 1..3600; the batch inference and the "
          + "round trip get a third of it each (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--warmup", defaultValue = "" + VideoBenchOptions.DEFAULT_WARMUP,
      paramLabel = "S",
      description = "Seconds of frames sent before the latency is timed, 0..600; the warm-up "
          + "goes on while the JIT compilers use 0.1 core or more, up to 3 times this "
          + "(checked every 2 s) (default: ${DEFAULT-VALUE}).")
  double warmup;

  @Option(names = "--size", defaultValue = "32", paramLabel = "PIXELS",
      description = "Frame width and height: 32 or 64 (default: ${DEFAULT-VALUE}).")
  int size;

  @Option(names = "--ort-threads", defaultValue = "1", paramLabel = "N",
      description = "ONNX Runtime intra-op threads of the predictor and of phase 1 (default: "
          + "${DEFAULT-VALUE}).")
  int ortThreads;

  @Option(names = "--stagger",
      description = "Spread the streams' frames evenly over the frame interval (unsynchronised "
          + "cameras) instead of sending frame i of every stream at the same instant.")
  boolean stagger;

  @Option(names = "--max-batch-wait", defaultValue = "5ms", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long the predictor waits for other streams' frames to share its call, "
          + "as `genstream predictor --max-batch-wait` (default: ${DEFAULT-VALUE}).")
  Duration maxBatchWait;

  @Option(names = "--json", paramLabel = "FILE",
      description = "Also write the results as JSON to FILE.")
  Path json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    VideoBenchOptions options;
    try {
      options = new VideoBenchOptions(streams, fps, seconds, warmup, size, ortThreads, stagger,
          maxBatchWait, json);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    VideoBenchReport report = new VideoBenchmark(options, out)
        .run(BenchCommand.invocation(spec));
    out.println();
    report.print(out);
    out.flush();
    return 0;
  }
}
