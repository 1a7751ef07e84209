package io.genstream.trainer;

import java.nio.file.Path;

/**
 * What a {@link TrainerService} has done so far, for a final summary or a status page.
 *
 * @param steps training steps taken
 * @param imagesTrained real images trained on
 * @param imagesPerSecond recent training throughput
 * @param versionsPublished model versions published by this service instance
 * @param lastVersion the last version published, 0 if none
 * @param lastSampleGrid the last sample grid written, or null
 * @param deadLettered records sent to the dead-letter topic
 * @param lastDiscriminatorLoss D loss of the last step (NaN before the first)
 * @param lastGeneratorLoss G loss of the last step (NaN before the first)
 */
public record TrainerSummary(
    long steps,
    long imagesTrained,
    double imagesPerSecond,
    int versionsPublished,
    long lastVersion,
    Path lastSampleGrid,
    long deadLettered,
    float lastDiscriminatorLoss,
    float lastGeneratorLoss) {}
