package io.genstream.trainer.gan;

/**
 * Trains a {@link ConditionalGan} from a {@link BatchSource} for a fixed number of steps: the
 * batch-mode entry point (the streaming one is {@code TrainerService}).
 */
public final class GanTraining {

  private GanTraining() {}

  /**
   * Trains a fresh model and closes it before returning.
   *
   * @param listener called after every step (progress lines, logging)
   * @return counts, throughput, the last losses and the generator's weights
   */
  public static TrainingResult run(
      GanConfig config, BatchSource source, int steps, TrainingListener listener) {
    if (steps < 1) {
      throw new IllegalArgumentException("steps must be >= 1, got " + steps);
    }
    try (ConditionalGan gan = new ConditionalGan(config)) {
      ProgressMeter meter = new ProgressMeter();
      StepResult last = null;
      long trainingNanos = 0;
      for (int i = 0; i < steps; i++) {
        BatchSource.Batch batch = source.next(config.batchSize());
        long start = System.nanoTime();
        last = gan.step(batch.images(), batch.labels());
        long nanos = System.nanoTime() - start;
        trainingNanos += nanos;
        listener.onStep(meter.record(last, nanos));
      }
      if (config.batchNormCalibrationBatches() > 0) {
        gan.recalibrateBatchNorm(config.batchNormCalibrationBatches());
      }
      return new TrainingResult(gan.steps(), meter.imagesSeen(),
          meter.imagesSeen() / (trainingNanos / 1e9), last, gan.generatorWeights());
    }
  }
}
