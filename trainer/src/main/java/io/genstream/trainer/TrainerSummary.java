package io.genstream.trainer;

import java.nio.file.Path;
import java.util.Map;

/**
 * What a {@link TrainerService} has done so far, for a final summary or a status page.
 *
 * @param steps training steps taken
 * @param imagesTrained real images trained on
 * @param imagesPerSecond recent training throughput (inside steps)
 * @param dutyCycle share of wall time since the first step spent inside training steps
 * @param versionsPublished model versions published by this service instance
 * @param lastVersion the last version published, 0 if none
 * @param lastSampleGrid the last sample grid written, or null
 * @param deadLettered records sent to the dead-letter topic
 * @param lastMetrics the last step's figures (empty before the first)
 * @param lastEvaluation the last published version's evaluation (empty before the first)
 * @param status which versions are best, candidates or rejected, as last published
 */
public record TrainerSummary(
    long steps,
    long imagesTrained,
    double imagesPerSecond,
    double dutyCycle,
    int versionsPublished,
    long lastVersion,
    Path lastSampleGrid,
    long deadLettered,
    Map<String, Float> lastMetrics,
    Map<String, Double> lastEvaluation,
    io.genstream.core.messages.ModelStatus status) {}
