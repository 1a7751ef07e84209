package io.genstream.generator.video;

import io.genstream.core.image.FrameScore;
import io.genstream.core.image.ImageTensor;

/**
 * What an embedding program (the demo's strips) may watch as it happens. Called on the
 * predictor's inference thread, in stream order: return quickly and do not block; a listener
 * that throws is logged and otherwise ignored.
 */
public interface PredictionListener {

  /** A prediction was made (before it is published). */
  default void onPrediction(FramePrediction prediction) {}

  /**
   * Frame {@code frame} of {@code streamId} arrived and was scored: the model's prediction for
   * it and the copy-last-frame baseline ({@code previous}) against the frame itself.
   */
  default void onScored(String streamId, long frame, long version, ImageTensor actual,
      ImageTensor predicted, ImageTensor previous, FrameScore model, FrameScore copyLast) {}
}
