package io.genstream.app.demo;

import java.nio.file.Path;

/** A snapshot of every service's counters, for the progress line and the summary. */
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
    long imagesWritten) {}
