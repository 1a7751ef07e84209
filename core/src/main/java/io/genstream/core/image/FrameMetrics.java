package io.genstream.core.image;

/**
 * Image-quality figures of a predicted frame against the frame that really came: MSE, PSNR and
 * SSIM, computed the same way by the trainer (held-out clips) and by the prediction service
 * (online evaluation), so that the two can be compared.
 *
 * <p>All three are computed on 8-bit images scaled to [0, 1]: MSE is the mean squared difference
 * over every channel and pixel; PSNR is {@code 10·log10(1 / MSE)} dB, capped at
 * {@value #MAX_PSNR} dB for identical images (so that running means stay finite); SSIM follows
 * Wang et al. (2004) with scikit-image's defaults: a 7×7 uniform window, {@code K1 = 0.01},
 * {@code K2 = 0.03}, sample (co)variances, averaged over the window positions that lie wholly
 * inside the image and over the channels.
 */
public final class FrameMetrics {

  /** The PSNR of two identical images, in dB. */
  public static final double MAX_PSNR = 100;
  /** SSIM's window side, in pixels; images must be at least this large. */
  public static final int SSIM_WINDOW = 7;
  private static final double C1 = 0.01 * 0.01;
  private static final double C2 = 0.03 * 0.03;

  private FrameMetrics() {}

  /**
   * Scores {@code predicted} against {@code actual}.
   *
   * @throws IllegalArgumentException if their shapes differ or a side is below {@link
   *     #SSIM_WINDOW}
   */
  public static FrameScore score(ImageTensor predicted, ImageTensor actual) {
    requireSameShape(predicted, actual);
    double mse = mse(predicted, actual);
    return new FrameScore(mse, psnr(mse), ssim(predicted, actual));
  }

  /** The mean squared difference in [0, 1] units. */
  public static double mse(ImageTensor a, ImageTensor b) {
    requireSameShape(a, b);
    byte[] x = a.chw();
    byte[] y = b.chw();
    long sum = 0;
    for (int i = 0; i < x.length; i++) {
      int d = (x[i] & 0xff) - (y[i] & 0xff);
      sum += (long) d * d;
    }
    return sum / (255.0 * 255.0 * x.length);
  }

  /** {@code 10·log10(1 / mse)}, at most {@link #MAX_PSNR}. */
  public static double psnr(double mse) {
    if (mse <= 0) {
      return MAX_PSNR;
    }
    return Math.min(MAX_PSNR, 10 * Math.log10(1 / mse));
  }

  /** The structural similarity, 1 for identical images; see the class comment. */
  public static double ssim(ImageTensor a, ImageTensor b) {
    requireSameShape(a, b);
    if (a.width() < SSIM_WINDOW || a.height() < SSIM_WINDOW) {
      throw new IllegalArgumentException("SSIM needs images of at least " + SSIM_WINDOW + "x"
          + SSIM_WINDOW + ", got " + a.width() + "x" + a.height());
    }
    int plane = a.height() * a.width();
    double total = 0;
    for (int c = 0; c < a.channels(); c++) {
      total += planeSsim(a.chw(), b.chw(), c * plane, a.height(), a.width());
    }
    return total / a.channels();
  }

  private static double planeSsim(byte[] xs, byte[] ys, int offset, int height, int width) {
    // Summed-area tables of x, y, x², y² and xy give every window's sums in O(1).
    int w1 = width + 1;
    double[] sx = new double[(height + 1) * w1];
    double[] sy = new double[sx.length];
    double[] sxx = new double[sx.length];
    double[] syy = new double[sx.length];
    double[] sxy = new double[sx.length];
    for (int r = 0; r < height; r++) {
      double rx = 0;
      double ry = 0;
      double rxx = 0;
      double ryy = 0;
      double rxy = 0;
      for (int col = 0; col < width; col++) {
        double x = (xs[offset + r * width + col] & 0xff) / 255.0;
        double y = (ys[offset + r * width + col] & 0xff) / 255.0;
        rx += x;
        ry += y;
        rxx += x * x;
        ryy += y * y;
        rxy += x * y;
        int at = (r + 1) * w1 + col + 1;
        int above = r * w1 + col + 1;
        sx[at] = sx[above] + rx;
        sy[at] = sy[above] + ry;
        sxx[at] = sxx[above] + rxx;
        syy[at] = syy[above] + ryy;
        sxy[at] = sxy[above] + rxy;
      }
    }
    int n = SSIM_WINDOW * SSIM_WINDOW;
    double covNorm = n / (n - 1.0); // sample covariance, as scikit-image does by default
    double total = 0;
    int windows = 0;
    for (int r = 0; r + SSIM_WINDOW <= height; r++) {
      for (int col = 0; col + SSIM_WINDOW <= width; col++) {
        double mx = window(sx, w1, r, col) / n;
        double my = window(sy, w1, r, col) / n;
        double vx = covNorm * (window(sxx, w1, r, col) / n - mx * mx);
        double vy = covNorm * (window(syy, w1, r, col) / n - my * my);
        double vxy = covNorm * (window(sxy, w1, r, col) / n - mx * my);
        total += ((2 * mx * my + C1) * (2 * vxy + C2))
            / ((mx * mx + my * my + C1) * (vx + vy + C2));
        windows++;
      }
    }
    return total / windows;
  }

  private static double window(double[] table, int w1, int r, int col) {
    int r2 = r + SSIM_WINDOW;
    int c2 = col + SSIM_WINDOW;
    return table[r2 * w1 + c2] - table[r * w1 + c2] - table[r2 * w1 + col] + table[r * w1 + col];
  }

  private static void requireSameShape(ImageTensor a, ImageTensor b) {
    if (a.channels() != b.channels() || a.height() != b.height() || a.width() != b.width()) {
      throw new IllegalArgumentException("images differ in shape: " + a.shape() + " vs "
          + b.shape());
    }
  }
}
