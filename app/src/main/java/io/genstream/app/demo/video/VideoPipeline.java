package io.genstream.app.demo.video;

import io.genstream.app.demo.StartedServices;
import io.genstream.core.config.Topics;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.video.FramePredictionService;
import io.genstream.generator.video.PredictorOptions;
import io.genstream.ingest.video.FrameIngestService;
import io.genstream.ingest.video.MovingDigits;
import io.genstream.trainer.TrainerOptions;
import io.genstream.trainer.TrainerService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The video services of one deployment in one JVM, against a broker whose topics exist:
 * moving-digit cameras → {@code genstream.frames} → the {@code framepred} trainer → versions →
 * the predictor (next frames to {@code genstream.predictions}, judged online against the frames
 * that come and against copy-last-frame), and {@link VideoStrips} watching both topics.
 *
 * <p>Owns every service and closes them in {@link #close()}: cameras, trainer, predictor, strips.
 */
public final class VideoPipeline implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VideoPipeline.class);
  private static final int STRIP_FRAMES = 16;

  private final VideoConfig config;
  private final VideoStrips strips;
  private final FramePredictionService predictor;
  private final TrainerService trainer;
  private final FrameIngestService cameras;
  private final Disposable filming;
  private volatile boolean trainingStopped;

  private VideoPipeline(String bootstrap, Topics topics, VideoConfig config) {
    this.config = config;
    // Watchers first and data last, so nothing produced is missed; if a later service fails to
    // start, the ones already running are closed before the error propagates.
    StartedServices started = new StartedServices();
    try {
      strips = started.add(new VideoStrips(bootstrap, topics, 1, STRIP_FRAMES,
          config.streams()));
      predictor = started.add(FramePredictionService.create(
          PredictorOptions.builder(bootstrap, config.model())
              .topics(topics)
              .horizon(config.horizon())
              .build()).start());
      trainer = started.add(new TrainerService(TrainerOptions.builder(bootstrap,
              config.model())
          .topics(topics)
          .spec(config.spec())
          .samplesDir(config.out().resolve("samples"))
          .keepVersions(config.keepVersions())
          .build()).start());
      MovingDigits digits = new MovingDigits(new MovingDigits.Options(config.streams(),
          config.spec().imageSize(), config.speed(), 2, config.seed(), 0, 0));
      cameras = started.add(FrameIngestService.create(digits, bootstrap,
          new FrameIngestService.Options(topics, config.fps())));
      filming = cameras.run().subscribe(null, e -> log.error("Frame ingest stopped", e));
    } catch (RuntimeException e) {
      throw started.closeAll(e);
    }
  }

  /** Starts every service; training begins as frames arrive. */
  public static VideoPipeline start(String bootstrap, Topics topics, VideoConfig config) {
    return new VideoPipeline(bootstrap, topics, config);
  }

  /**
   * Stops training: the trainer publishes what it trained since its last version. The cameras
   * keep filming, so the predictor goes on judging the final version on new frames.
   *
   * @return the final version, 0 if none was published
   */
  public synchronized long stopTraining() {
    if (!trainingStopped) {
      trainingStopped = true;
      trainer.finish();
    }
    return trainer.summary().lastVersion();
  }

  /**
   * Waits until the predictor has judged {@code frames} frames with {@code version}; false on
   * time-out.
   */
  public boolean awaitScored(long version, long frames, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      var scores = predictor.scores().versions().get(version);
      if (scores != null && scores.frames() >= frames) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Stops the cameras. */
  public void stopFilming() {
    filming.dispose();
  }

  /** Writes one strip per stream under {@code dir}. */
  public Map<String, Path> writeStrips(Path dir) throws java.io.IOException {
    return strips.write(dir);
  }

  public VideoStatus status() {
    return new VideoStatus(cameras.sent(), cameras.deadLettered(), trainer.summary(),
        predictor.scores());
  }

  /** The model's versions as the predictor knows them, with their manifests' metrics. */
  public List<ModelRegistry.VersionInfo> versions() {
    return predictor.registry().describe(config.model());
  }

  @Override
  public void close() {
    filming.dispose();
    cameras.close();
    trainer.close();
    predictor.close();
    strips.close();
  }
}
