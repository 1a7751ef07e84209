package io.genstream.trainer.gan;

/**
 * Progress after one training step, as a listener sees it.
 *
 * @param step steps taken
 * @param imagesSeen real images trained on so far
 * @param imagesPerSecond recent throughput of the training step (a moving window, excluding time
 *     spent waiting for data)
 * @param discriminatorLoss this step's D loss
 * @param generatorLoss this step's G loss
 */
public record TrainingProgress(
    long step, long imagesSeen, double imagesPerSecond, float discriminatorLoss,
    float generatorLoss) {}
