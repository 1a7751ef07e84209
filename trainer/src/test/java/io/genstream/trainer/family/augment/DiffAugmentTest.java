package io.genstream.trainer.family.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.genstream.trainer.family.ModelSpec.Augmentation;
import io.genstream.trainer.nn.Autograd;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DiffAugmentTest {

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
  }

  @AfterEach
  void close() {
    manager.close();
  }

  @ParameterizedTest
  @EnumSource(Augmentation.class)
  void eachOperationKeepsTheShapeAndPassesAGradientToTheImages(Augmentation operation) {
    Shape shape = new Shape(4, 3, 16, 16);
    try (Autograd autograd = new Autograd()) {
      NDArray x = manager.create(gaussian(new Random(1), (int) shape.size()), shape);
      x.setRequiresGradient(true);
      NDArray y = DiffAugment.apply(x, List.of(operation), 1f, new Random(2));
      assertThat(y.getShape()).isEqualTo(shape);
      assertThat(y).isNotSameAs(x);
      // A weighted sum, so that no operation's gradient cancels (contrast's would for a sum).
      NDArray weights = manager.create(gaussian(new Random(3), (int) shape.size()), shape);
      autograd.backward(y.mul(weights).sum());
      float[] gradient = x.getGradient().toFloatArray();
      double norm = 0;
      for (float g : gradient) {
        assertThat(g).isFinite();
        norm += g * g;
      }
      assertThat(norm).as(operation.id()).isGreaterThan(1e-3);
    }
  }

  @Test
  void translationByAKnownShiftMovesPixelsExactlyAndPadsWithZeros() {
    int h = 6;
    int w = 7;
    float[] values = new float[2 * h * w];
    for (int i = 0; i < values.length; i++) {
      values[i] = i + 1; // no zeros, so padding shows
    }
    NDArray x = manager.create(values, new Shape(2, 1, h, w));
    int[] dy = {2, -1};
    int[] dx = {-3, 0};
    float[] out = DiffAugment.translate(x, dy, dx).toFloatArray();
    for (int s = 0; s < 2; s++) {
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < w; j++) {
          int si = i + dy[s];
          int sj = j + dx[s];
          float expected = si >= 0 && si < h && sj >= 0 && sj < w
              ? values[(s * h + si) * w + sj] : 0f;
          assertThat(out[(s * h + i) * w + j]).as("image %d (%d, %d)", s, i, j)
              .isEqualTo(expected);
        }
      }
    }
  }

  @Test
  void drawnTranslationsShiftByAtMostAnEighthOfTheSide() {
    int side = 16; // shifts of -2..2
    int n = 200;
    float[] values = new float[n * side * side];
    Random data = new Random(5);
    for (int i = 0; i < values.length; i++) {
      values[i] = 1 + data.nextFloat();
    }
    NDArray x = manager.create(values, new Shape(n, 1, side, side));
    float[] out = DiffAugment.apply(x, List.of(Augmentation.TRANSLATION), 1f, new Random(6))
        .toFloatArray();
    int[] seen = new int[5];
    for (int s = 0; s < n; s++) {
      int found = -1;
      for (int t = -2; t <= 2 && found < 0; t++) {
        for (int u = -2; u <= 2 && found < 0; u++) {
          if (Arrays.equals(shifted(values, s, side, t, u),
              Arrays.copyOfRange(out, s * side * side, (s + 1) * side * side))) {
            found = t + 2;
          }
        }
      }
      assertThat(found).as("image %d is a shift of at most 2 pixels", s).isNotNegative();
      seen[found]++;
    }
    assertThat(seen).doesNotContain(0); // every vertical shift drawn
  }

  @Test
  void cutoutZeroesAHalfSideSquareAndTheExpectedFraction() {
    int side = 16;
    NDArray ones = manager.ones(new Shape(1, 1, side, side));
    float[] one = DiffAugment.cutout(ones, new int[] {8}, new int[] {3}, 8, 8).toFloatArray();
    for (int i = 0; i < side; i++) {
      for (int j = 0; j < side; j++) {
        boolean inside = i >= 4 && i < 12 && j < 7; // columns -1..6 clipped to 0..6
        assertThat(one[i * side + j]).as("(%d, %d)", i, j).isEqualTo(inside ? 0f : 1f);
      }
    }

    // Drawn centres: DiffAugment's 0..side (an even square), the square clipped at the edges.
    double coverage = 0;
    for (int c = 0; c <= side; c++) {
      coverage += Math.min(side, c + 4) - Math.max(0, c - 4);
    }
    coverage /= side + 1;
    double expected = coverage * coverage / (side * side); // rows and columns independent
    int n = 4000;
    float p = 0.5f;
    float[] out = DiffAugment.apply(manager.ones(new Shape(n, 1, side, side)),
        List.of(Augmentation.CUTOUT), p, new Random(7)).toFloatArray();
    int zeros = 0;
    int touched = 0;
    for (int s = 0; s < n; s++) {
      int z = 0;
      for (int k = 0; k < side * side; k++) {
        z += out[s * side * side + k] == 0f ? 1 : 0;
      }
      zeros += z;
      touched += z > 0 ? 1 : 0;
    }
    assertThat((double) touched / n).isCloseTo(p, within(0.03)); // 4 σ
    assertThat((double) zeros / (n * side * side)).isCloseTo(p * expected, within(0.01));
  }

  @Test
  void colourFollowsDiffAugmentsFormulas() {
    float[] values = gaussian(new Random(8), 2 * 3 * 2 * 2);
    NDArray x = manager.create(values, new Shape(2, 3, 2, 2));
    float[] bright = DiffAugment.brightness(x, new float[] {0.25f, -0.5f}).toFloatArray();
    float[] contrast = DiffAugment.contrast(x, new float[] {1.5f, 0.5f}).toFloatArray();
    float[] saturation = DiffAugment.saturation(x, new float[] {2f, 0f}).toFloatArray();
    for (int s = 0; s < 2; s++) {
      double mean = 0;
      for (int k = 0; k < 12; k++) {
        mean += values[s * 12 + k] / 12.0;
      }
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < 4; p++) {
          int k = s * 12 + c * 4 + p;
          double channelMean = (values[s * 12 + p] + values[s * 12 + 4 + p]
              + values[s * 12 + 8 + p]) / 3.0;
          assertThat(bright[k]).isCloseTo(values[k] + (s == 0 ? 0.25f : -0.5f), within(1e-6f));
          assertThat((double) contrast[k]).isCloseTo(
              (values[k] - mean) * (s == 0 ? 1.5 : 0.5) + mean, within(1e-5));
          assertThat((double) saturation[k]).isCloseTo(
              (values[k] - channelMean) * (s == 0 ? 2 : 0) + channelMean, within(1e-5));
        }
      }
    }
    // One channel has no saturation to change.
    NDArray gray = manager.create(values, new Shape(2, 1, 6, 2));
    assertThat(DiffAugment.saturation(gray, new float[] {2f, 0f}).toFloatArray())
        .containsExactly(values, within(1e-6f));
  }

  @Test
  void probabilityZeroIsTheIdentityAndDrawsAreAFunctionOfTheRandomStream() {
    NDArray x = manager.create(gaussian(new Random(9), 8 * 3 * 8 * 8), new Shape(8, 3, 8, 8));
    List<Augmentation> all = List.of(Augmentation.COLOR, Augmentation.TRANSLATION,
        Augmentation.CUTOUT);
    assertThat(DiffAugment.apply(x, all, 0f, new Random(10))).isSameAs(x);
    assertThat(DiffAugment.apply(x, List.of(), 1f, new Random(10))).isSameAs(x);

    float[] once = DiffAugment.apply(x, all, 0.7f, new Random(11)).toFloatArray();
    assertThat(DiffAugment.apply(x, all, 0.7f, new Random(11)).toFloatArray())
        .containsExactly(once);
    assertThat(DiffAugment.apply(x, all, 0.7f, new Random(12)).toFloatArray())
        .isNotEqualTo(once);
  }

  @Test
  void refusesWhatIsNotABatchOfImagesOrAProbability() {
    NDArray flat = manager.zeros(new Shape(4, 16));
    assertThatThrownBy(() -> DiffAugment.apply(flat, List.of(Augmentation.CUTOUT), 1f,
        new Random(1))).hasMessage("expected images [N, C, H, W], got (4, 16)");
    NDArray images = manager.zeros(new Shape(1, 1, 8, 8));
    assertThatThrownBy(() -> DiffAugment.apply(images, List.of(), 1.5f, new Random(1)))
        .hasMessage("p must be in [0, 1], got 1.5");
  }

  /** Image s of {@code values} shifted as DiffAugment does: {@code out[i, j] = x[i+t, j+u]}. */
  private static float[] shifted(float[] values, int s, int side, int t, int u) {
    float[] out = new float[side * side];
    for (int i = 0; i < side; i++) {
      for (int j = 0; j < side; j++) {
        boolean inside = i + t >= 0 && i + t < side && j + u >= 0 && j + u < side;
        out[i * side + j] = inside ? values[s * side * side + (i + t) * side + j + u] : 0f;
      }
    }
    return out;
  }

  private static float[] gaussian(Random random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }
}
