package io.genstream.trainer;

import io.genstream.trainer.family.StepResult;

/**
 * Counts steps and images, measures throughput over the time spent inside training steps only
 * (an exponentially weighted rate, so a stalled data source does not show as slow training), and
 * the duty cycle: the share of wall time since this run's first step spent inside steps. Not
 * thread-safe; lives on the training thread.
 */
final class ProgressMeter {

  private long imagesSeen;
  private double imagesPerSecond;
  private long firstStepStart;
  private long stepNanos;

  /** Continues counting after {@code images} trained on before (a restored checkpoint). */
  void resumeAfter(long images) {
    imagesSeen = images;
  }

  /** Records a finished step that started at {@code startNanos} and took {@code nanos}. */
  TrainingProgress record(StepResult result, long startNanos, long nanos) {
    if (firstStepStart == 0) {
      firstStepStart = startNanos;
    }
    stepNanos += nanos;
    imagesSeen += result.images();
    double rate = result.images() / Math.max(nanos / 1e9, 1e-9);
    // Weight 0.1: smooths over ~10 steps, so one step disturbed by GC does not swing the figure.
    imagesPerSecond = imagesPerSecond == 0 ? rate : 0.9 * imagesPerSecond + 0.1 * rate;
    long wall = startNanos + nanos - firstStepStart;
    double duty = wall <= 0 ? 1 : Math.min(1, (double) stepNanos / wall);
    return new TrainingProgress(result.step(), imagesSeen, imagesPerSecond, duty,
        result.metrics());
  }
}
