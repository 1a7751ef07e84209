package io.genstream.trainer.gan;

/**
 * The outcome of {@link GanTraining#run}.
 *
 * @param steps steps taken
 * @param imagesSeen real images trained on
 * @param imagesPerSecond throughput over all steps (training time only)
 * @param lastStep the last step's losses and scores
 * @param generator the trained generator, BatchNorm statistics recalibrated if the config asks
 */
public record TrainingResult(
    long steps, long imagesSeen, double imagesPerSecond, StepResult lastStep,
    GeneratorWeights generator) {}
