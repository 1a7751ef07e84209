package io.genstream.core.config;

import java.util.List;
import java.util.Objects;

/**
 * The names of the pipeline's topics. One place, so that a deployment can prefix or rename
 * them all at once.
 *
 * @param checkpoints trainer state (both networks' weights) per model, compacted: what a
 *     restarted trainer resumes from
 * @param frames video frames, keyed by stream id so that a stream stays ordered in its partition
 * @param predictions predicted next frames of each stream, keyed by stream id
 */
public record Topics(
    String images, String models, String requests, String results, String deadLetter,
    String training, String checkpoints, String frames, String predictions) {

  public Topics {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(results, "results");
    Objects.requireNonNull(deadLetter, "deadLetter");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(checkpoints, "checkpoints");
    Objects.requireNonNull(frames, "frames");
    Objects.requireNonNull(predictions, "predictions");
  }

  /** {@code genstream.images}, {@code genstream.models}, … */
  public static Topics defaults() {
    return withPrefix("genstream.");
  }

  public static Topics withPrefix(String prefix) {
    return new Topics(prefix + "images", prefix + "models", prefix + "requests",
        prefix + "results", prefix + "deadletter", prefix + "training", prefix + "checkpoints",
        prefix + "frames", prefix + "predictions");
  }

  public List<String> all() {
    return List.of(images, models, requests, results, deadLetter, training, checkpoints, frames,
        predictions);
  }
}
