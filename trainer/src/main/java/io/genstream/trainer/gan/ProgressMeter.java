package io.genstream.trainer.gan;

/**
 * Counts steps and images and measures throughput over the time spent inside training steps
 * only, as an exponentially weighted rate so a stalled data source does not show as slow
 * training. Not thread-safe; lives on the training thread.
 */
public final class ProgressMeter {

  private long imagesSeen;
  private double imagesPerSecond;

  /** Continues counting after {@code images} trained on before (a restored checkpoint). */
  public void resumeAfter(long images) {
    imagesSeen = images;
  }

  /** Records a finished step that took {@code nanos}. */
  public TrainingProgress record(StepResult result, long nanos) {
    imagesSeen += result.batchSize();
    double rate = result.batchSize() / Math.max(nanos / 1e9, 1e-9);
    // Weight 0.1: smooths over ~10 steps, so one step disturbed by GC does not swing the figure.
    imagesPerSecond = imagesPerSecond == 0 ? rate : 0.9 * imagesPerSecond + 0.1 * rate;
    return new TrainingProgress(result.step(), imagesSeen, imagesPerSecond,
        result.discriminatorLoss(), result.generatorLoss());
  }

  public long imagesSeen() {
    return imagesSeen;
  }

  public double imagesPerSecond() {
    return imagesPerSecond;
  }
}
