package io.genstream.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class FrameMetricsTest {

  private static final int H = 12;
  private static final int W = 16;

  @Test
  void identicalFramesScorePerfectly() {
    ImageTensor x = pattern((r, c) -> (r * 7 + c * 13) % 256);

    FrameScore score = FrameMetrics.score(x, x);

    assertThat(score.mse()).isZero();
    assertThat(score.psnr()).isEqualTo(FrameMetrics.MAX_PSNR);
    assertThat(score.ssim()).isCloseTo(1.0, within(1e-12));
  }

  /**
   * Reference figures from a direct numpy computation over every 7×7 window (the definition,
   * not summed-area tables): {@code mse=0.061361014994232986, psnr=12.121074651811622,
   * ssim=0.5809183985659353} for these two patterns scaled to [0, 1]; scikit-image's
   * {@code structural_similarity(x, y, data_range=1.0)} gave 0.5809183985659339 on the same
   * arrays (run on the GPU machine, which has scikit-image; this one has not).
   */
  @Test
  void matchesAnIndependentReferenceComputation() {
    ImageTensor x = pattern((r, c) -> (r * 7 + c * 13) % 256);
    ImageTensor y = pattern((r, c) -> (r * r + 3 * c + 40) % 256);

    FrameScore score = FrameMetrics.score(x, y);

    assertThat(score.mse()).isCloseTo(0.061361014994232986, within(1e-12));
    assertThat(score.psnr()).isCloseTo(12.121074651811622, within(1e-9));
    assertThat(score.ssim()).isCloseTo(0.5809183985659353, within(1e-9));
  }

  @Test
  void ssimOfFlatFramesDependsOnlyOnTheirMeans() {
    ImageTensor dark = pattern((r, c) -> 51);
    ImageTensor light = pattern((r, c) -> 204);
    double mx = 0.2;
    double my = 0.8;
    double c1 = 1e-4;

    assertThat(FrameMetrics.ssim(dark, light))
        .isCloseTo((2 * mx * my + c1) / (mx * mx + my * my + c1), within(1e-9));
    assertThat(FrameMetrics.mse(dark, light)).isCloseTo(0.36, within(1e-12));
  }

  @Test
  void aWorsePredictionScoresWorseOnEveryFigure() {
    ImageTensor actual = pattern((r, c) -> (r * 7 + c * 13) % 256);
    ImageTensor near = pattern((r, c) -> Math.min(255, (r * 7 + c * 13) % 256 + 4));
    ImageTensor far = pattern((r, c) -> 255 - (r * 7 + c * 13) % 256);

    FrameScore good = FrameMetrics.score(near, actual);
    FrameScore bad = FrameMetrics.score(far, actual);

    assertThat(good.mse()).isLessThan(bad.mse());
    assertThat(good.psnr()).isGreaterThan(bad.psnr());
    assertThat(good.ssim()).isGreaterThan(bad.ssim());
  }

  @Test
  void refusesFramesOfDifferentShapesOrTooSmall() {
    ImageTensor x = pattern((r, c) -> 0);
    assertThatThrownBy(() -> FrameMetrics.score(x, new ImageTensor(1, H, W + 1,
        new byte[H * (W + 1)])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shape");
    ImageTensor tiny = new ImageTensor(1, 4, 4, new byte[16]);
    assertThatThrownBy(() -> FrameMetrics.ssim(tiny, tiny))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 7x7");
  }

  @Test
  void runningMeansEqualPlainMeans() {
    FrameScores scores = FrameScores.NONE
        .plus(new FrameScore(0.1, 10, 0.5))
        .plus(new FrameScore(0.3, 20, 0.7))
        .plus(new FrameScore(0.2, 30, 0.9));
    FrameScores merged = FrameScores.NONE.plus(new FrameScore(0.1, 10, 0.5))
        .plus(FrameScores.NONE.plus(new FrameScore(0.3, 20, 0.7))
            .plus(new FrameScore(0.2, 30, 0.9)));

    assertThat(scores.frames()).isEqualTo(3);
    assertThat(scores.mse()).isCloseTo(0.2, within(1e-12));
    assertThat(scores.psnr()).isCloseTo(20, within(1e-12));
    assertThat(scores.ssim()).isCloseTo(0.7, within(1e-12));
    assertThat(merged.mse()).isCloseTo(scores.mse(), within(1e-12));
    assertThat(merged.ssim()).isCloseTo(scores.ssim(), within(1e-12));
    assertThat(scores.mseRatio(FrameScores.NONE.plus(new FrameScore(0.4, 0, 0))))
        .isCloseTo(0.5, within(1e-12));
    assertThat(FrameScores.NONE.mseRatio(scores)).isNaN();
  }

  private interface Pixel {
    int at(int r, int c);
  }

  private static ImageTensor pattern(Pixel pixel) {
    byte[] bytes = new byte[H * W];
    for (int r = 0; r < H; r++) {
      for (int c = 0; c < W; c++) {
        bytes[r * W + c] = (byte) pixel.at(r, c);
      }
    }
    return new ImageTensor(1, H, W, bytes);
  }
}
