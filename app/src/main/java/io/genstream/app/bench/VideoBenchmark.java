package io.genstream.app.bench;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * {@code genstream bench video}: the latency of the video-prediction path, from a frame produced
 * to its predicted next frame consumed, next to its two floors, measured in one run:
 *
 * <ol>
 *   <li>one batch inference ({@link PredictLoop}): {@code FramePredictor.predict} on a batch of
 *       {@code streams} contexts, bare;
 *   <li>a raw Kafka round trip ({@link VideoLoad#roundTrip}) of a frame-sized record, with the
 *       clients of phase 3;
 *   <li>the end-to-end latency ({@link VideoLoad#latency}): an in-process broker, the model
 *       published on the models topic, a real {@code FramePredictionService}, {@code streams}
 *       moving-digit cameras paced at {@code fps}, predictions consumed and matched to their
 *       frames.
 * </ol>
 *
 * <p>Phase 1 runs before the broker starts, so that its threads are not running beside it.
 * Progress goes to {@code progress}. Everything runs in this JVM and is closed before
 * {@link #run} returns.
 */
public final class VideoBenchmark {

  /** Frames rendered per stream; longer runs send them again (the index keeps counting). */
  private static final int RENDERED_FRAMES = 200;
  /** The warm-up goes on while the JIT is busy, up to this many times {@code --warmup}. */
  private static final int MAX_WARMUP_FACTOR = 3;

  private final VideoBenchOptions options;
  private final BenchProgress progress;

  public VideoBenchmark(VideoBenchOptions options, PrintWriter progress) {
    this.options = options;
    this.progress = new BenchProgress(progress);
  }

  /**
   * Runs every phase; writes the JSON file if one was asked for.
   *
   * @param command how it was started, for the report
   * @throws IllegalStateException if a phase cannot complete (a broker that does not start,
   *     predictions that stop coming), naming the phase
   * @throws IOException if the JSON file cannot be written
   */
  public VideoBenchReport run(String command) throws InterruptedException, IOException {
    String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String load = BenchProgress.loadAverage();
    int streams = options.streams();
    int threads = options.ortThreads();
    // The floors get a third of the latency phase each (at least 1 s).
    Duration floor = Duration.ofMillis(Math.max(1000, Math.round(options.seconds() * 1000 / 3)));
    Duration floorWarmup = Duration.ofMillis(Math.max(500,
        Math.min(3000, Math.round(options.warmupSeconds() * 1000))));
    progress.step("model: the video demo's framepred spec at %d pixels, fresh weights, exported to ONNX by "
        + "the trainer", options.size());
    try (BenchModel model = BenchModel.framePredictor(options.size())) {
      int k = model.spec().contextFrames();
      progress.step("      k = %d past frames, %,d ONNX bytes", k, model.published().onnx().length);

      progress.step("(1) one batch inference: FramePredictor.predict on %d contexts, %d intra-op "
          + "thread(s), %.0f s", streams, threads, floor.toMillis() / 1000.0);
      PredictLoop.Result hot = PredictLoop.run(model, streams, threads, floorWarmup, floor);
      progress.step("      back to back: one call p50 %.1f ms, p99 %.1f ms", hot.call().p50Ms(),
          hot.call().p99Ms());
      Duration interval = Duration.ofNanos(Math.round(1e9 / options.fps()));
      PredictLoop.Result batch = PredictLoop.run(model, streams, threads, Duration.ZERO,
          floor, interval);
      progress.step("      paced at %s calls/s (one per frame interval, as the service calls it): p50 "
          + "%.1f ms, p99 %.1f ms", options.fps(), batch.call().p50Ms(), batch.call().p99Ms());

      int count = (int) Math.ceil((options.warmupSeconds() + options.seconds()) * options.fps());
      byte[][][] frames = VideoLoad.render(streams, options.size(),
          Math.min(RENDERED_FRAMES, Math.max(count, 1)), 42);
      Duration maxWarmup = options.warmup().multipliedBy(MAX_WARMUP_FACTOR);
      String[] streamIds = new String[streams];
      for (int s = 0; s < streams; s++) {
        streamIds[s] = "digits-" + s;
      }

      progress.step("starting the in-process broker and a prediction service");
      try (VideoLoad video = VideoLoad.start(model, streams, options.maxBatchWait(), threads)) {
        byte[] frame = frames[0][0];
        progress.step("(2) raw Kafka round trip of a %d-byte record (a frame), %.0f s", frame.length,
            floor.toMillis() / 1000.0);
        Percentiles roundTrip = video.roundTrip(frame, floor, 50);
        progress.step("      p50 %.1f ms, p99 %.1f ms", roundTrip.p50Ms(), roundTrip.p99Ms());

        progress.step("(3) latency: %d streams × %s fps; warm-up at least %.0f s, on until the JIT "
                + "settles (at most %.0f s), then %.0f s timed", streams, options.fps(),
            options.warmupSeconds(), maxWarmup.toMillis() / 1000.0, options.seconds());
        VideoLoad.Latency latency = video.latency(frames, streamIds, options.fps(),
            options.stagger(), options.warmup(), maxWarmup, options.phase());
        progress.step("      warm-up %.0f s (JIT compilers %.2f cores at its end)", latency.warmupSeconds(),
            latency.warmupJitCores());
        progress.step("      on the broker p50 %.0f ms, p99 %.0f ms; consumed p50 %.1f ms, p99 %.1f "
                + "ms, max %.1f ms; %,d predictions%s",
            latency.onBroker().p50Ms(), latency.onBroker().p99Ms(), latency.latency().p50Ms(),
            latency.latency().p99Ms(), latency.latency().maxMs(), latency.latency().count(),
            latency.missing() > 0 ? "; " + latency.missing() + " MISSING" : "");

        VideoBenchReport.Setup setup = new VideoBenchReport.Setup(date, command,
            Runtime.getRuntime().availableProcessors(), load, System.getProperty("java.version"),
            OrtEnvironment.getEnvironment().getVersion(), streams, options.fps(),
            options.stagger(), options.size(), k, model.generatorParameters(),
            model.published().onnx().length, threads, frame.length,
            options.maxBatchWait().toMillis(), options.seconds(), options.warmupSeconds(),
            progress.elapsedSeconds());
        VideoBenchReport report = new VideoBenchReport(setup, hot, batch, roundTrip, latency,
            VideoBenchReport.targets(batch, roundTrip, latency));
        progress.step("closing the prediction service and the broker");
        if (options.json() != null) {
          Path parent = options.json().toAbsolutePath().getParent();
          if (parent != null) {
            Files.createDirectories(parent);
          }
          Files.writeString(options.json(), report.toJson());
        }
        return report;
      }
    }
  }






}
