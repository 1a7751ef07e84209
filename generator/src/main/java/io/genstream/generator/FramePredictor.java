package io.genstream.generator;

import io.genstream.core.config.Topics;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;

/**
 * One loaded {@code framepred} version: {@code k} past frames of a stream in, the next frame out.
 *
 * <p>The graph's contract (see the trainer's {@code FramePredictionFamily}): input
 * {@code frames} float {@code [N, k·C, H, W]}, the {@code k} past frames stacked on the channel
 * axis, oldest first, values in [-1, 1]; output {@code frame} float {@code [N, C, H, W]} in
 * [-1, 1]. {@code k} is the manifest spec's {@code contextFrames}.
 *
 * <p><b>Threading and ownership</b> are those of {@link GenerativeModel}: {@link #predict}
 * blocks for the inference (dedicated threads only); the registry owns and closes it; a lease
 * ({@link ModelLease#predictor()}) keeps it open.
 */
public interface FramePredictor extends AutoCloseable {

  /** The manifest this version was published with. */
  ModelManifest manifest();

  /** How many past frames one prediction takes ({@code k}), at least 1. */
  int contextFrames();

  /**
   * Predicts the next frame of {@code n} streams in one runtime call.
   *
   * @param frames {@code n × k·C × H × W} values in [-1, 1], row-major (stream i's context at
   *     {@code i·k·C·H·W}, its oldest frame first)
   * @param n batch size, at least 1
   * @return {@code n × C × H × W} values in [-1, 1], row-major
   * @throws IllegalArgumentException if the array length does not match {@code n}
   * @throws IllegalStateException if the predictor was closed, or the runtime failed
   */
  float[] predict(float[] frames, int n);

  /** Where this predictor's inferences run. */
  default ModelLoader.ExecutionProvider executionProvider() {
    return ModelLoader.ExecutionProvider.CPU;
  }

  /** Frees the native session. Idempotent. */
  @Override
  void close();

  /** Whether {@code manifest} describes a frame predictor (family {@code framepred}). */
  static boolean isFramePredictor(ModelManifest manifest) {
    return FAMILY.equals(manifest.family());
  }

  /** The family id of frame predictors. */
  String FAMILY = "framepred";

  /**
   * {@code contextFrames} from the manifest's spec (a number or its text).
   *
   * @throws IllegalArgumentException if the spec lacks it or it is not 1..16
   */
  static int contextFrames(ModelManifest manifest) {
    Object value = manifest.spec().get("contextFrames");
    int k;
    try {
      k = value instanceof Number number ? number.intValue()
          : Integer.parseInt(String.valueOf(value).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("model '" + manifest.name() + "' version "
          + manifest.version() + ": manifest spec has no integer contextFrames, got " + value);
    }
    if (k < 1 || k > 16) {
      throw new IllegalArgumentException("model '" + manifest.name() + "' version "
          + manifest.version() + ": contextFrames must be 1..16, got " + k);
    }
    return k;
  }

  /** The refusal a generation request naming a frame predictor gets. */
  static InvalidRequestException refusal(ModelManifest manifest) {
    return new InvalidRequestException("model '" + manifest.name() + "' (version "
        + manifest.version() + ", family " + FAMILY + ") predicts video frames; send frames to "
        + Topics.defaults().frames() + " and read its predictions from "
        + Topics.defaults().predictions() + " (genstream predictor --model " + manifest.name()
        + ")");
  }
}
