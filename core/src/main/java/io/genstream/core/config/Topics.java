package io.genstream.core.config;

import java.util.List;
import java.util.Objects;

/**
 * The names of the pipeline's topics. One place, so that a deployment can prefix or rename
 * them all at once.
 */
public record Topics(
    String images, String models, String requests, String results, String deadLetter,
    String training) {

  public Topics {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(models, "models");
    Objects.requireNonNull(requests, "requests");
    Objects.requireNonNull(results, "results");
    Objects.requireNonNull(deadLetter, "deadLetter");
    Objects.requireNonNull(training, "training");
  }

  /** {@code genstream.images}, {@code genstream.models}, … */
  public static Topics defaults() {
    return withPrefix("genstream.");
  }

  public static Topics withPrefix(String prefix) {
    return new Topics(prefix + "images", prefix + "models", prefix + "requests",
        prefix + "results", prefix + "deadletter", prefix + "training");
  }

  public List<String> all() {
    return List.of(images, models, requests, results, deadLetter, training);
  }
}
