package io.genstream.trainer;

import io.genstream.trainer.family.ModelFamily;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a starting trainer continues: the model restored from the latest checkpoint on the
 * checkpoints topic (or none), and the next free version number on the models topic.
 *
 * @param checkpoint the checkpoint resumed from, or null for fresh weights
 * @param model the restored model, or null for fresh weights (the caller owns and closes it)
 * @param nextVersion the first version number this run may publish
 * @param status the model's promotion status on the models topic, null if none
 */
record ResumePoint(TrainerCheckpoint checkpoint, ModelFamily model, long nextVersion,
    io.genstream.core.messages.ModelStatus status) {

  private static final Logger log = LoggerFactory.getLogger(ResumePoint.class);

  /**
   * Reads both topics to their ends (blocking) and restores the checkpoint's model, if any.
   *
   * @throws IllegalStateException saying how to proceed if the checkpoint cannot be read or does
   *     not fit the configured model
   */
  static ResumePoint find(TrainerOptions options, Duration timeout) {
    ModelVersions existing = ModelVersions.read(options.kafka(), options.topics().models(),
        options.modelName(), timeout);
    long highest = existing.highest();
    Optional<TrainerCheckpoint> latest;
    try {
      latest = TrainerCheckpoint.latest(options.kafka(),
          options.topics().checkpoints(), options.modelName(), timeout);
    } catch (IllegalArgumentException e) {
      throw unusable(options, "cannot be read (" + e.getMessage() + ")", e);
    }
    if (latest.isEmpty()) {
      return new ResumePoint(null, null, highest + 1, existing.status());
    }
    TrainerCheckpoint checkpoint = latest.get();
    ModelFamily model;
    try {
      model = ModelFamily.create(options.spec(), checkpoint.state());
    } catch (IllegalArgumentException e) {
      throw unusable(options, "v" + checkpoint.version() + " does not fit the configured model ("
          + e.getMessage() + "; settings that differ: "
          + checkpoint.state().spec().differences(options.spec()) + ")", e);
    }
    if (!checkpoint.state().spec().equals(options.spec())) {
      log.warn("trainer {}: resuming v{} under changed settings {}", options.modelName(),
          checkpoint.version(), checkpoint.state().spec().differences(options.spec()));
    }
    return new ResumePoint(checkpoint, model, Math.max(highest, checkpoint.version()) + 1,
        existing.status());
  }

  private static IllegalStateException unusable(TrainerOptions options, String why,
      Exception cause) {
    return new IllegalStateException("the checkpoint of " + options.modelName() + " on "
        + options.topics().checkpoints() + " " + why + "; train under another model name, or "
        + "delete the checkpoint (a tombstone for key '" + options.modelName() + "')", cause);
  }
}
