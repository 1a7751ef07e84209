package io.genstream.core.image;

/**
 * How close one predicted frame came to the real one ({@link FrameMetrics}).
 *
 * @param mse mean squared error in [0, 1] units
 * @param psnr peak signal-to-noise ratio in dB, at most {@link FrameMetrics#MAX_PSNR}
 * @param ssim structural similarity, 1 for identical frames
 */
public record FrameScore(double mse, double psnr, double ssim) {}
