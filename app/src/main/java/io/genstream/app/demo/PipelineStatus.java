package io.genstream.app.demo;

import java.nio.file.Path;

/**
 * A snapshot of every service's counters, for the progress line and the summary; {@code
 * promotion} is the trainer's judgement of the versions.
 */
public record PipelineStatus(
    long imagesIngested,
    long steps,
    long imagesTrained,
    double imagesPerSecond,
    double dutyCycle,
    String metrics,
    long versionsPublished,
    Path lastSampleGrid,
    long latestServedVersion,
    long requestsServed,
    long imagesGenerated,
    long deadLettered,
    long imagesWritten,
    io.genstream.core.messages.ModelStatus promotion) {}
