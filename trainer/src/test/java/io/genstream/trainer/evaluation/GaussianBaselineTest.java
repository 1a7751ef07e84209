package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GaussianBaselineTest {

  // Class 0: images (1, 2) and (3, 6) → mean (2, 4), sample variance ((1+1)/1, (4+4)/1) = (2, 8).
  // Class 1: one image (−1, 0.5) → mean (−1, 0.5), variance 0.  Class 2: no images.
  private static final float[] IMAGES = {1, 2, -1, 0.5f, 3, 6};
  private static final int[] LABELS = {0, 1, 0};

  @Test
  void fitsPerClassMeanAndSampleVariance() {
    GaussianBaseline baseline = GaussianBaseline.fit(IMAGES, LABELS, 2, 3);

    assertThat(baseline.count(0)).isEqualTo(2);
    assertThat(baseline.mean(0)).containsExactly(2, 4);
    assertThat(baseline.variance(0)[0]).isCloseTo(2, within(1e-14));
    assertThat(baseline.variance(0)[1]).isCloseTo(8, within(1e-14));
    assertThat(baseline.mean(1)).containsExactly(-1, 0.5);
    assertThat(baseline.variance(1)).containsExactly(0, 0);
    assertThat(baseline.count(2)).isZero();
  }

  @Test
  void samplesMatchTheFittedMomentsPerClass() {
    GaussianBaseline baseline = GaussianBaseline.fit(IMAGES, LABELS, 2, 3);
    int n = 20_000;

    float[] samples = baseline.sample(0, n, new Random(42));

    double[] mean = new double[2];
    double[] square = new double[2];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 2; p++) {
        mean[p] += samples[2 * i + p];
      }
    }
    for (int p = 0; p < 2; p++) {
      mean[p] /= n;
    }
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 2; p++) {
        double c = samples[2 * i + p] - mean[p];
        square[p] += c * c;
      }
    }
    // Standard error of the mean σ/√n; of the variance σ²·√(2/(n−1)). Tolerances: 5 of each.
    double[] variance = {2, 8};
    double[] fittedMean = {2, 4};
    for (int p = 0; p < 2; p++) {
      double sampleVariance = square[p] / (n - 1);
      assertThat(mean[p]).isCloseTo(fittedMean[p], within(5 * Math.sqrt(variance[p] / n)));
      assertThat(sampleVariance)
          .isCloseTo(variance[p], within(5 * variance[p] * Math.sqrt(2.0 / (n - 1))));
    }
  }

  @Test
  void aClassFittedOnOneImageReproducesIt() {
    GaussianBaseline baseline = GaussianBaseline.fit(IMAGES, LABELS, 2, 3);

    assertThat(baseline.sample(1, 3, new Random(1))).containsExactly(-1, 0.5f, -1, 0.5f, -1, 0.5f);
  }

  @Test
  void sameSeedGivesTheSameSamplesAndAnotherSeedOtherSamples() {
    GaussianBaseline baseline = GaussianBaseline.fit(IMAGES, LABELS, 2, 3);
    int[] requests = {0, 1, 0, 0, 1};

    float[] first = baseline.sample(requests, new Random(7));
    float[] again = baseline.sample(requests, new Random(7));
    float[] other = baseline.sample(requests, new Random(8));

    assertThat(again).containsExactly(first);
    assertThat(other).isNotEqualTo(first);
    // Requests are honoured in order: image 1 and 4 are class 1's single image.
    assertThat(first[2]).isEqualTo(-1);
    assertThat(first[9]).isEqualTo(0.5f);
  }

  @Test
  void baselineSamplesKeepTheClassesApartInFeatureSpace() {
    // Two classes far apart in pixel space: the baseline's per-class samples stay with their own
    // class, so a nearest-class-mean classifier finds the requested label for every sample.
    Random data = new Random(3);
    int pixels = 16;
    int n = 200;
    float[] images = new float[n * pixels];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
      for (int p = 0; p < pixels; p++) {
        images[i * pixels + p] =
            (float) ((labels[i] == 0 ? -0.5 : 0.5) + 0.1 * data.nextGaussian());
      }
    }
    GaussianBaseline baseline = GaussianBaseline.fit(images, labels, pixels, 2);
    int[] requests = new int[100];
    for (int i = 0; i < requests.length; i++) {
      requests[i] = i % 2;
    }

    float[] samples = baseline.sample(requests, new Random(9));

    // Score = mean pixel for class 1, its negation for class 0: the argmax is the nearer mean.
    float[] scores = new float[requests.length * 2];
    for (int i = 0; i < requests.length; i++) {
      float sum = 0;
      for (int p = 0; p < pixels; p++) {
        sum += samples[i * pixels + p];
      }
      scores[2 * i] = -sum;
      scores[2 * i + 1] = sum;
    }
    assertThat(ClassConsistency.of(requests, scores, 2).overall()).isEqualTo(1.0);
  }

  @Test
  void rejectsBadShapesAndUnfittedClasses() {
    GaussianBaseline baseline = GaussianBaseline.fit(IMAGES, LABELS, 2, 3);
    assertThatThrownBy(() -> baseline.sample(2, 1, new Random(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("class 2 had no real images to fit");
    assertThatThrownBy(() -> baseline.sample(3, 1, new Random(1)))
        .hasMessage("label must be 0..2, got 3");
    assertThatThrownBy(() -> GaussianBaseline.fit(new float[5], new int[] {0, 0}, 2, 1))
        .hasMessage("images must hold 2 × 2 values (n ≥ 1), got 5");
    assertThatThrownBy(() -> GaussianBaseline.fit(new float[2], new int[] {1}, 2, 1))
        .hasMessage("label 0 must be 0..0, got 1");
    assertThatThrownBy(() -> GaussianBaseline.fit(new float[] {0, Float.NaN}, new int[] {0}, 2, 1))
        .hasMessage("value 1 is not finite: NaN");
  }
}
