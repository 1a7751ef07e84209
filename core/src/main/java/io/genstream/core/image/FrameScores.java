package io.genstream.core.image;

/**
 * Running means of {@link FrameScore}s: what a stream, a model version or a held-out set scored
 * so far. Immutable; {@link #plus} returns the updated means.
 *
 * @param frames how many frames were scored
 */
public record FrameScores(long frames, double mse, double psnr, double ssim) {

  public static final FrameScores NONE = new FrameScores(0, 0, 0, 0);

  public FrameScores plus(FrameScore score) {
    long n = frames + 1;
    return new FrameScores(n, mse + (score.mse() - mse) / n, psnr + (score.psnr() - psnr) / n,
        ssim + (score.ssim() - ssim) / n);
  }

  /** Both sets' frames together. */
  public FrameScores plus(FrameScores other) {
    long n = frames + other.frames;
    if (n == 0) {
      return NONE;
    }
    double w = (double) other.frames / n;
    return new FrameScores(n, mse + (other.mse - mse) * w, psnr + (other.psnr - psnr) * w,
        ssim + (other.ssim - ssim) * w);
  }

  /**
   * This MSE as a fraction of {@code baseline}'s (below 1: better than the baseline), NaN when
   * either has no frames or the baseline's MSE is 0.
   */
  public double mseRatio(FrameScores baseline) {
    if (frames == 0 || baseline.frames == 0 || baseline.mse == 0) {
      return Double.NaN;
    }
    return mse / baseline.mse;
  }
}
