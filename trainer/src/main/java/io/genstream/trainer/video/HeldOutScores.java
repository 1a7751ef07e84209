package io.genstream.trainer.video;

import io.genstream.core.image.FrameMetrics;
import io.genstream.core.image.FrameScores;
import io.genstream.core.image.ImageTensor;
import io.genstream.trainer.family.framepred.FramePredictionFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A frame predictor's figures on held-out clips beside those of the copy-last-frame baseline
 * (predict that nothing moves), both scored with core {@link FrameMetrics} on the 8-bit frames a
 * prediction service would publish, so that they compare with its online figures.
 *
 * @param model the predictor's means over the clips
 * @param copyLast the means of repeating each clip's last context frame
 */
public record HeldOutScores(FrameScores model, FrameScores copyLast) {

  /** Clips per {@link FramePredictionFamily#predict} call, bounding its native memory. */
  private static final int CHUNK = 32;

  /**
   * Scores {@code clips} with the weights the family exports. Call on the family's thread.
   *
   * @throws IllegalArgumentException if a clip's shape does not match the model's spec
   */
  public static HeldOutScores score(FramePredictionFamily family, List<Clip> clips) {
    FrameScores model = FrameScores.NONE;
    FrameScores copyLast = FrameScores.NONE;
    int k = family.spec().contextFrames();
    for (int start = 0; start < clips.size(); start += CHUNK) {
      List<Clip> chunk = clips.subList(start, Math.min(clips.size(), start + CHUNK));
      int pixels = chunk.get(0).pixelsPerFrame();
      float[] context = new float[chunk.size() * k * pixels];
      for (int i = 0; i < chunk.size(); i++) {
        chunk.get(i).writeTo(context, i * k * pixels, k);
      }
      float[] predicted = family.predict(context, chunk.size());
      for (int i = 0; i < chunk.size(); i++) {
        ImageTensor actual = chunk.get(i).target();
        ImageTensor prediction = ImageTensor.fromSymmetricUnit(predicted, i * pixels,
            actual.channels(), actual.height(), actual.width());
        model = model.plus(FrameMetrics.score(prediction, actual));
        copyLast = copyLast.plus(FrameMetrics.score(chunk.get(i).lastContext(), actual));
      }
    }
    return new HeldOutScores(model, copyLast);
  }

  /**
   * Flat figures for a manifest's metrics and the training event: {@code heldoutClips}, {@code
   * mse, psnr, ssim} of the model, {@code copyLastMse, copyLastPsnr, copyLastSsim}, and {@code
   * mseVsCopyLast} (the model's MSE as a fraction of copy-last's; below 1 is better), left out
   * when undefined (no clips, or copy-last scored a perfect 0).
   */
  public Map<String, Double> metrics() {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("heldoutClips", (double) model.frames());
    if (model.frames() == 0) {
      return metrics;
    }
    metrics.put("mse", model.mse());
    metrics.put("psnr", model.psnr());
    metrics.put("ssim", model.ssim());
    metrics.put("copyLastMse", copyLast.mse());
    metrics.put("copyLastPsnr", copyLast.psnr());
    metrics.put("copyLastSsim", copyLast.ssim());
    double ratio = model.mseRatio(copyLast);
    if (!Double.isNaN(ratio)) {
      metrics.put("mseVsCopyLast", ratio);
    }
    return metrics;
  }
}
