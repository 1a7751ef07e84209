package io.genstream.trainer;

import java.nio.file.Path;
import java.util.Map;

/**
 * What one trainer run has done, kept consistent across the threads that read and write it
 * (the training thread, the producer's callbacks, a status caller): steps, images, the versions
 * reserved and published, dead letters. Every method is synchronized; the service holds no
 * other mutable counters.
 *
 * <p>Version numbers: a number is reserved when an export is made and never handed out again,
 * so a publish that fails or is cancelled (and may still reach the broker) can only leave a
 * gap, never overwrite a version under the same key.
 */
final class RunLedger {

  /** A reserved version number and the version its weights were trained on from (0: fresh). */
  record Reservation(long version, long parentVersion) {}

  private long nextVersion;
  private long firstStep; // the step count this run started from: 0, or a checkpoint's
  private long lastPublishedStep;
  private long lastPublishedVersion;
  private long steps;
  private long imagesTrained;
  private double imagesPerSecond;
  private double dutyCycle;
  private int versionsPublished;
  private Path lastSampleGrid;
  private long deadLettered;
  private Map<String, Float> lastMetrics = Map.of();
  private Map<String, Double> lastEvaluation = Map.of();
  private TrainingProgress lastProgress;

  /** The run continues the checkpoint of the version it was published with. */
  synchronized void resumeFrom(TrainerCheckpoint checkpoint) {
    lastPublishedVersion = checkpoint.version();
    lastPublishedStep = checkpoint.state().steps();
    steps = checkpoint.state().steps();
    firstStep = checkpoint.state().steps();
    imagesTrained = checkpoint.imagesSeen();
  }

  /** The next version number to hand out (after the highest on the models topic). */
  synchronized void numberFrom(long nextVersion) {
    this.nextVersion = nextVersion;
  }

  /** The step this run stops at ({@code maxSteps} after the step it started from), 0 for none. */
  synchronized long lastStep(long maxSteps) {
    return maxSteps > 0 ? firstStep + maxSteps : 0;
  }

  synchronized void stepped(TrainingProgress progress) {
    lastProgress = progress;
    steps = progress.step();
    imagesTrained = progress.imagesSeen();
    imagesPerSecond = progress.imagesPerSecond();
    dutyCycle = progress.dutyCycle();
    lastMetrics = progress.metrics();
  }

  synchronized void deadLettered() {
    deadLettered++;
  }

  synchronized Reservation reserveVersion() {
    return new Reservation(nextVersion++, lastPublishedVersion);
  }

  synchronized void published(VersionExport export) {
    versionsPublished++;
    // Max: the ack of a publish left behind by a restarted pipeline may come in late.
    lastPublishedVersion = Math.max(lastPublishedVersion, export.model().manifest().version());
    lastPublishedStep = Math.max(lastPublishedStep, export.progress().step());
    if (export.grid() != null) {
      lastSampleGrid = export.grid();
    }
    if (export.version() >= lastPublishedVersion) {
      lastEvaluation = export.evaluation();
    }
  }

  /** The last step's progress if it was not published yet, else null. */
  synchronized TrainingProgress unpublished() {
    return lastProgress == null || lastProgress.step() == lastPublishedStep ? null : lastProgress;
  }

  synchronized TrainerSummary summary(io.genstream.core.messages.ModelStatus status) {
    return new TrainerSummary(steps, imagesTrained, imagesPerSecond, dutyCycle,
        versionsPublished, lastPublishedVersion, lastSampleGrid, deadLettered, lastMetrics,
        lastEvaluation, status);
  }
}
