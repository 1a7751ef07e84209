package io.genstream.app.demo.video;

import io.genstream.app.demo.DemoLifetime;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.image.FrameScores;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.video.PredictionScores;
import io.genstream.trainer.TrainerSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code genstream demo --video}: an in-process broker, the {@link VideoPipeline} (moving-digit
 * cameras, the {@code framepred} trainer, the predictor), a progress line, strips per stream,
 * and a summary whose last line is the model's prediction error as a ratio of copy-last-frame's,
 * measured online on frames the model had not seen.
 *
 * <p>Stops after {@code duration} or on Ctrl-C: training stops first and publishes its final
 * version, the cameras go on until the predictor has judged that version on a few hundred new
 * frames, then everything closes.
 */
public final class VideoDemo {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private static final int PARTITIONS = 2;
  private static final Duration FINAL_SCORING_TIMEOUT = Duration.ofSeconds(40);

  private final VideoConfig config;
  private final PrintStream console;

  public VideoDemo(VideoConfig config, PrintStream console) {
    this.config = config;
    this.console = console;
  }

  /** Runs the demo to its end; returns the process exit code. */
  public int run() throws InterruptedException, IOException {
    Topics topics = Topics.defaults();
    long started = System.nanoTime();
    console.printf("GenStream video demo: %s of %d moving-digit streams at %s fps, output in %s%n",
        human(config.duration()), config.streams(), number(config.fps()),
        config.out().toAbsolutePath());
    try (DemoLifetime lifetime = DemoLifetime.open();
        EmbeddedKafka broker = EmbeddedKafka.start(
            new EmbeddedKafka.Config(config.kafkaPort(), config.kafkaDir()).withoutShutdownHook())) {
      String bootstrap = broker.bootstrapServers();
      TopicSetup.ensure(bootstrap, topics, PARTITIONS);
      printAddresses(bootstrap, topics);
      Scheduler clock = Schedulers.newSingle("genstream-demo", true);
      try (VideoPipeline pipeline = VideoPipeline.start(bootstrap, topics, config)) {
        Disposable progress = Flux.interval(PROGRESS_EVERY, PROGRESS_EVERY, clock)
            .subscribe(tick -> console.println(progressLine(pipeline.status(), started)));
        boolean interrupted = lifetime.interruptedWithin(config.duration());
        progress.dispose();
        if (interrupted) {
          console.println("Interrupted: closing the services, then the broker.");
        } else {
          console.println("Stopping training: publishing the final version, judging it on new "
              + "frames...");
          long finalVersion = pipeline.stopTraining();
          if (finalVersion > 0 && !pipeline.awaitScored(finalVersion, 50L * config.streams(),
              FINAL_SCORING_TIMEOUT)) {
            console.println("  (the final version was judged on fewer frames than planned)");
          }
        }
        pipeline.stopFilming();
        Map<String, Path> strips = pipeline.writeStrips(config.out().resolve("video"));
        printSummary(pipeline.status(), pipeline.versions(), strips, started);
      } finally {
        clock.dispose();
      }
    }
    return 0;
  }

  private void printAddresses(String bootstrap, Topics topics) {
    console.println("  Kafka broker     : " + bootstrap
        + "   (bootstrap.servers for kcat, console clients, your services)");
    console.println("  frames in        : " + topics.frames() + "   (key = stream id, PNG, "
        + "ce_frame = index)");
    console.println("  predictions out  : " + topics.predictions() + "   (ce_frame = predicted "
        + "index, ce_basedon, ce_modelversion)");
    console.println("  online scores    : " + topics.training() + "   (ce_kind=videoeval, JSON)");
    console.println("  watch them       : kcat -C -b " + bootstrap + " -t " + topics.predictions()
        + " -f '%k frame %h\\n' -e");
    console.println("  your own camera  : ffmpeg -i in.mp4 -vf scale=" + config.spec().imageSize()
        + ":" + config.spec().imageSize() + ",format=gray -f image2pipe -vcodec png - | "
        + "./genstream ingest frames -b " + bootstrap + " --stream cam1");
    console.println("  model            : " + config.model() + ", framepred, "
        + config.spec().imageSize() + "x" + config.spec().imageSize() + ", "
        + config.spec().contextFrames() + " context frames, horizon " + config.horizon());
    console.println("  output           : " + config.out().toAbsolutePath()
        + "   (video/<stream>.png strips, samples/<model>-v<N>.png rollouts)");
  }

  private String progressLine(VideoStatus s, long started) {
    double elapsed = (System.nanoTime() - started) / 1e9;
    double total = config.duration().toSeconds();
    int filled = (int) Math.min(20, Math.round(20 * elapsed / Math.max(total, 1)));
    TrainerSummary t = s.trainer();
    PredictionScores p = s.predictor();
    PredictionScores.Scores latest = p.latest();
    String judged = latest.frames() == 0 ? "no version judged yet"
        : String.format(Locale.ROOT, "v%d judged on %d frames: mse %.2f× copy-last",
            p.versions().keySet().stream().max(Long::compare).orElse(0L), latest.frames(),
            latest.mseVsCopyLast());
    return String.format(Locale.ROOT, "[%s%s] %s/%s  frames %,d  step %d (%s)  versions %d  "
            + "predictions %,d  %s",
        "#".repeat(filled), "-".repeat(20 - filled), human(Duration.ofSeconds((long) elapsed)),
        human(config.duration()), s.framesSent(), t.steps(),
        io.genstream.trainer.TrainingProgress.metricsText(t.lastMetrics()),
        t.versionsPublished(), p.predictions(), judged);
  }

  private void printSummary(VideoStatus s, List<ModelRegistry.VersionInfo> versions,
      Map<String, Path> strips, long started) {
    TrainerSummary t = s.trainer();
    PredictionScores p = s.predictor();
    console.println();
    console.println("GenStream video demo summary ("
        + human(Duration.ofNanos(System.nanoTime() - started)) + ")");
    console.printf("  frames             : %,d from %d streams (%d dead-lettered)%n",
        s.framesSent(), config.streams(), s.framesDeadLettered());
    console.printf("  training           : %d steps, %d versions published (last v%d)%n",
        t.steps(), t.versionsPublished(), t.lastVersion());
    versions.stream().filter(v -> v.manifest().version() == t.lastVersion()).findFirst()
        .ifPresent(v -> console.println("  held-out clips     : " + heldOut(v.manifest()
            .metrics())));
    console.printf("  predictions        : %,d published, %,d frames judged online, %d gaps, "
        + "%d duplicates%n", p.predictions(), p.framesScored(), p.gaps(), p.duplicates());
    p.versions().forEach((version, scores) -> console.printf(
        "  online v%-10d : %s%n", version, scoresText(scores)));
    Map<Integer, PredictionScores.Scores> rollout = p.steps().getOrDefault(t.lastVersion(),
        Map.of());
    if (rollout.size() > 1) {
      StringBuilder byStep = new StringBuilder();
      rollout.forEach((step, scores) -> byStep.append(String.format(Locale.ROOT,
          "%s%d: %.2f× (%d)", byStep.length() == 0 ? "" : ", ", step, scores.mseVsCopyLast(),
          scores.frames())));
      console.printf("  rollout v%-9d : by step, mse vs copy-last of the frame it started from "
          + "(frames judged): %s%n", t.lastVersion(), byStep);
    }
    strips.forEach((stream, file) -> {
      PredictionScores.Scores scores = p.streams().get(stream);
      console.printf("  strip %-12s : %s%s%n", stream, file.toAbsolutePath(),
          scores == null ? "" : String.format(Locale.ROOT, "  (mse %.2f× copy-last)",
              scores.mseVsCopyLast()));
    });
    PredictionScores.Scores last = p.versions().get(t.lastVersion());
    if (last != null && last.frames() > 0) {
      console.printf(Locale.ROOT, "  RESULT             : the final version's next-frame MSE is "
              + "%.2f× copy-last-frame's (%.5f vs %.5f over %d new frames)%n",
          last.mseVsCopyLast(), last.model().mse(), last.copyLast().mse(), last.frames());
    } else {
      console.println("  RESULT             : no version was judged online; run longer");
    }
  }

  private static String scoresText(PredictionScores.Scores s) {
    FrameScores m = s.model();
    FrameScores c = s.copyLast();
    return String.format(Locale.ROOT, "%d frames, mse %.5f vs copy-last %.5f (%.2f×), "
            + "psnr %.2f vs %.2f dB, ssim %.3f vs %.3f", s.frames(), m.mse(), c.mse(),
        s.mseVsCopyLast(), m.psnr(), c.psnr(), m.ssim(), c.ssim());
  }

  private static String heldOut(Map<String, Double> metrics) {
    StringBuilder text = new StringBuilder();
    metrics.forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.contains("heldout") || lower.contains("copylast")) {
        text.append(text.length() == 0 ? "" : ", ").append(name).append('=')
            .append(String.format(Locale.ROOT, "%.4g", value));
      }
    });
    return text.length() == 0 ? "(no held-out figures in the manifest)" : text.toString();
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }

  private static String human(Duration d) {
    return DemoLifetime.human(d);
  }
}
