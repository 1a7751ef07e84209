package io.genstream.trainer.gan;

/** Labelled training batches for {@link GanTraining#run}; called on the training thread. */
@FunctionalInterface
public interface BatchSource {

  /**
   * The next batch of {@code size} images.
   *
   * @return images ({@code size × imageSize²} values in [-1, 1], row-major) and their labels
   */
  Batch next(int size);

  /** A batch of images and their labels. */
  record Batch(float[] images, int[] labels) {}
}
