package io.genstream.generator.video;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * The predictor's own timers, for {@code /metrics}: how long a batch takes on the inference
 * thread (decode, windows, scoring, one runtime call per horizon step), how many frames a batch
 * holds, how long publishing a batch's predictions takes until the broker acknowledged them, and
 * how old a frame is when its batch is done, from its record's timestamp: the capture time for
 * frames from {@code genstream ingest frames} ({@code VideoFrame} records carry it), so this is
 * capture → prediction, the delay a user of the predictions sees (read it with the clocks of the
 * camera's host and this one in mind). Percentiles are published as histograms so a Prometheus
 * server can aggregate them.
 */
final class PredictorMetrics {

  private final Timer batch;
  private final DistributionSummary batchFrames;
  private final Timer publish;
  private final Timer frameAge;

  PredictorMetrics(MeterRegistry meters) {
    MeterRegistry registry = meters == null ? new SimpleMeterRegistry() : meters;
    batch = Timer.builder("genstream.predictor.batch")
        .description("One batch of frames on the inference thread: decode, score, predict")
        .publishPercentileHistogram().register(registry);
    batchFrames = DistributionSummary.builder("genstream.predictor.batch.frames")
        .description("Frames per batch").register(registry);
    publish = Timer.builder("genstream.predictor.publish")
        .description("A batch's predictions and dead letters sent until the broker acked them")
        .publishPercentileHistogram().register(registry);
    frameAge = Timer.builder("genstream.predictor.frame.age")
        .description("From a frame record's timestamp (its capture time) to its batch's "
            + "predictions acked")
        .publishPercentileHistogram().register(registry);
  }

  void batched(int frames, long nanos) {
    batchFrames.record(frames);
    batch.record(Duration.ofNanos(nanos));
  }

  void published(long nanos) {
    publish.record(Duration.ofNanos(nanos));
  }

  /** @param recordTimestampMillis a frame record's timestamp, epoch milliseconds */
  void frameDone(long recordTimestampMillis, long nowMillis) {
    if (recordTimestampMillis > 0 && nowMillis >= recordTimestampMillis) {
      frameAge.record(Duration.ofMillis(nowMillis - recordTimestampMillis));
    }
  }
}
