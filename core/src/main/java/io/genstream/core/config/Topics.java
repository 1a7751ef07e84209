package io.genstream.core.config;

import java.util.List;
import java.util.Objects;

/**
 * The names of the pipeline's topics. One place, so that a deployment can prefix or rename
 * them all at once.
 *
 * @param checkpoints trainer state (both networks' weights) per model, compacted: what a
 *     restarted trainer resumes from
 */
public record Topics(
    String images, String models, String requests, String results, String deadLetter,
    String training, String checkpoints) {

  public Topics {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(results, "results");
    Objects.requireNonNull(deadLetter, "deadLetter");
    Objects.requireNonNull(training, "training");
    Objects.requireNonNull(checkpoints, "checkpoints");
  }

  /** {@code genstream.images}, {@code genstream.models}, … */
  public static Topics defaults() {
    return withPrefix("genstream.");
  }

  public static Topics withPrefix(String prefix) {
    return new Topics(prefix + "images", prefix + "models", prefix + "requests",
        prefix + "results", prefix + "deadletter", prefix + "training", prefix + "checkpoints");
  }

  public List<String> all() {
    return List.of(images, models, requests, results, deadLetter, training, checkpoints);
  }
}
