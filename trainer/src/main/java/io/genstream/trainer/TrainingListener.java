package io.genstream.trainer;

/**
 * Observes training without being part of the loop: logging, progress lines, metrics. Called on
 * the training thread right after each step, so implementations must be quick and must not
 * throw.
 */
@FunctionalInterface
public interface TrainingListener {

  void onStep(TrainingProgress progress);

  /** A listener that does nothing. */
  static TrainingListener none() {
    return progress -> {};
  }
}
