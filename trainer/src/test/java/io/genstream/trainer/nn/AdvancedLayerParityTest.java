package io.genstream.trainer.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Self-attention, minibatch standard deviation and spectral normalisation: DJL inference forward
 * against ONNX Runtime on the export, plus the properties parity alone does not show (identity at
 * γ = 0, the appended value, σ ≈ the top singular value, gradients).
 */
class AdvancedLayerParityTest {

  /** Loads PyTorch's native library, which {@link JniUtils} calls need before any array exists. */
  @BeforeAll
  static void loadEngine() {
    Engine.getEngine("PyTorch");
  }

  // --- SelfAttention ---------------------------------------------------------------------------

  @Test
  void selfAttentionMatchesWithNonZeroGamma() throws Exception {
    // H != W so a wrong transpose or reshape shows; f and g scaled up so attention is peaked
    // rather than nearly uniform (the N(0, 0.02) init).
    Parity.Outputs out = Parity.check(new SelfAttention("att", 16), new long[] {2, 16, 4, 5}, 0,
        11, (store, training) -> {
          store.get("att.gamma").set(new float[] {0.7f});
          scale(store, "att.f.weight", 25f);
          scale(store, "att.g.weight", 25f);
          scale(store, "att.h.weight", 10f);
        }).assertMatch();
    report("SelfAttention C=16 [2,16,4,5]", out);
    assertThat(out.onnxShape()).containsExactly(2, 16, 4, 5);
    assertThat(differsFromInput(out, 11)).isGreaterThan(0.1);

    // C/8 rounds down to 0: the projections keep one channel.
    assertThat(new SelfAttention("small", 4).keyChannels()).isEqualTo(1);
    Parity.Outputs small = Parity.check(new SelfAttention("small", 4), new long[] {3, 4, 3, 3}, 0,
        12, (store, training) -> {
          store.get("small.gamma").set(new float[] {-1.3f});
          scale(store, "small.f.weight", 25f);
          scale(store, "small.g.weight", 25f);
        }).assertMatch();
    report("SelfAttention C=4 [3,4,3,3]", small);
  }

  @Test
  void selfAttentionIsTheIdentityWhileGammaIsZero() throws Exception {
    SelfAttention attention = new SelfAttention("att", 8);
    assertThat(ParameterDeclarations.of(attention)).anySatisfy(spec -> {
      assertThat(spec.name()).isEqualTo("att.gamma");
      assertThat(spec.shape()).containsExactly(1);
      assertThat(spec.trainable()).isTrue();
    });
    long seed = 5;
    Parity.Outputs out = Parity.check(attention, new long[] {2, 8, 3, 4}, 0, seed, null)
        .assertMatch();
    report("SelfAttention gamma=0", out);
    float[] x = parityInput(seed, out.djl().length);
    assertThat(out.djl()).containsExactly(x);
    assertThat(out.onnx()).containsExactly(x);
  }

  @Test
  void selfAttentionNormalisesOverTheSourcePositions() {
    // Parity shows both backends agree; this checks they agree with the paper's formula
    // (β_{j,i} = softmax_i(f_iᵀ g_j), o_j = Σ_i β_{j,i} h_i), computed in double in Java.
    int n = 2;
    int c = 8;
    int positions = 6;
    SelfAttention layer = new SelfAttention("att", c);
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store = store(manager, layer, 61, false);
      store.get("att.gamma").set(new float[] {0.5f});
      scale(store, "att.f.weight", 25f);
      scale(store, "att.g.weight", 25f);
      scale(store, "att.h.weight", 10f);
      store.get("att.h.bias").set(new float[] {0.1f, -0.2f, 0.3f, 0f, 0f, 0.5f, 0f, -1f});
      Map<String, float[]> p = store.snapshot();
      float[] x = gaussian(new Random(62), n * c * positions);
      float[] y = layer.forward(inference(store), manager.create(x, new Shape(n, c, 2, 3)))
          .toFloatArray();
      for (int b = 0; b < n; b++) {
        int base = b * c * positions;
        double[][] f = conv1x1(p.get("att.f.weight"), p.get("att.f.bias"), x, base, c, positions);
        double[][] g = conv1x1(p.get("att.g.weight"), p.get("att.g.bias"), x, base, c, positions);
        double[][] h = conv1x1(p.get("att.h.weight"), p.get("att.h.bias"), x, base, c, positions);
        for (int j = 0; j < positions; j++) {
          double[] s = new double[positions];
          double total = 0;
          for (int i = 0; i < positions; i++) {
            for (int k = 0; k < f.length; k++) {
              s[i] += f[k][i] * g[k][j];
            }
          }
          double max = java.util.Arrays.stream(s).max().orElseThrow();
          for (int i = 0; i < positions; i++) {
            s[i] = Math.exp(s[i] - max);
            total += s[i];
          }
          for (int ch = 0; ch < c; ch++) {
            double o = 0;
            for (int i = 0; i < positions; i++) {
              o += s[i] / total * h[ch][i];
            }
            int at = base + ch * positions + j;
            assertThat((double) y[at]).isCloseTo(0.5 * o + x[at], within(1e-5));
          }
        }
      }
    }
  }

  // --- MinibatchStddev -------------------------------------------------------------------------

  @Test
  void minibatchStddevMatchesAtBatchFourAndOne() throws Exception {
    Parity.Outputs four = Parity.check(new MinibatchStddev(), 4, 3, 5, 6).assertMatch();
    report("MinibatchStddev batch 4", four);
    assertThat(four.onnxShape()).containsExactly(4, 4, 5, 6);

    Parity.Outputs one = Parity.check(new MinibatchStddev(), 1, 3, 5, 6).assertMatch();
    report("MinibatchStddev batch 1", one);
    assertThat(one.onnxShape()).containsExactly(1, 4, 5, 6);
    for (int i = 3 * 30; i < 4 * 30; i++) { // the appended channel: sqrt(0 + 1e-8)
      assertThat(one.djl()[i]).isCloseTo(1e-4f, within(1e-9f));
      assertThat(one.onnx()[i]).isCloseTo(1e-4f, within(1e-9f));
    }
  }

  @Test
  void minibatchStddevAppendsTheAverageBatchStandardDeviation() {
    int n = 3;
    int c = 2;
    int hw = 4;
    float[] x = gaussian(new Random(3), n * c * hw);
    // In double: per feature and position, the population std over the batch; then the average.
    double sum = 0;
    for (int f = 0; f < c * hw; f++) {
      double mean = 0;
      for (int i = 0; i < n; i++) {
        mean += x[i * c * hw + f] / n;
      }
      double variance = 0;
      for (int i = 0; i < n; i++) {
        double d = x[i * c * hw + f] - mean;
        variance += d * d / n;
      }
      sum += Math.sqrt(variance + 1e-8);
    }
    double expected = sum / (c * hw);
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray input = manager.create(x, new Shape(n, c, 2, 2));
      NDArray y = new MinibatchStddev().forward(inference(Map.of()), input);
      assertThat(y.getShape()).isEqualTo(new Shape(n, c + 1, 2, 2));
      float[] values = y.toFloatArray();
      for (int i = 0; i < n; i++) {
        for (int p = 0; p < hw; p++) {
          assertThat(values[i * (c + 1) * hw + c * hw + p]).isCloseTo((float) expected,
              within(1e-6f));
          for (int ch = 0; ch < c; ch++) { // x passes through unchanged
            assertThat(values[i * (c + 1) * hw + ch * hw + p])
                .isEqualTo(x[i * c * hw + ch * hw + p]);
          }
        }
      }
    }
  }

  @Test
  void minibatchStddevIsDifferentiable() {
    boolean gradMode = JniUtils.isGradMode();
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      JniUtils.setGradMode(true);
      NDArray x = manager.create(gaussian(new Random(4), 4 * 2 * 3 * 3), new Shape(4, 2, 3, 3));
      x.setRequiresGradient(true);
      NDArray y = new MinibatchStddev().forward(inference(Map.of()), x);
      NDArray loss = y.get(":, 2").sum(); // only the appended channel
      backward(loss);
      float[] gradient = x.getGradient().toFloatArray();
      double norm = 0;
      for (float g : gradient) {
        assertThat(g).isFinite();
        norm += g * g;
      }
      assertThat(norm).isGreaterThan(1e-6);
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  // --- SpectralNorm ----------------------------------------------------------------------------

  @Test
  void spectralNormMatchesAfterTrainingForwards() throws Exception {
    SpectralNorm linear = new SpectralNorm(new Linear("fc", 12, 5));
    Parity.Outputs fc = Parity.check(linear, new long[] {4, 12}, 0, 21, (store, training) -> {
      float[] u0 = store.get("fc.weight_u").toFloatArray();
      NDArray batch = store.get("fc.weight").getManager().randomNormal(new Shape(3, 12));
      for (int i = 0; i < 3; i++) {
        linear.forward(training, batch);
      }
      // The buffers were updated in place, to unit vectors.
      float[] u = store.get("fc.weight_u").toFloatArray();
      assertThat(u).isNotEqualTo(u0);
      assertThat(norm(u)).isCloseTo(1.0, within(1e-5));
      assertThat(norm(store.get("fc.weight_v").toFloatArray())).isCloseTo(1.0, within(1e-5));
    }).assertMatch();
    report("SpectralNorm(Linear 12->5)", fc);
    assertThat(fc.onnxShape()).containsExactly(4, 5);

    SpectralNorm conv = new SpectralNorm(Conv2d.down4x4("d", 3, 4));
    assertThat(ParameterDeclarations.of(conv)).extracting(ParameterSpec::name)
        .containsExactly("d.weight", "d.bias", "d.weight_u", "d.weight_v");
    Parity.Outputs down = Parity.check(conv, new long[] {2, 3, 8, 8}, 0, 22, (store, training) -> {
      NDArray batch = store.get("d.weight").getManager().randomNormal(new Shape(2, 3, 8, 8));
      for (int i = 0; i < 3; i++) {
        conv.forward(training, batch);
      }
    }).assertMatch();
    report("SpectralNorm(Conv2d 3->4 k4 s2)", down);
    assertThat(down.onnxShape()).containsExactly(2, 4, 4, 4);
  }

  @Test
  void spectralNormWrapsOnlyLinearAndConv() {
    assertThatThrownBy(() -> new SpectralNorm(Activation.relu()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Activation");
    assertThatThrownBy(() -> new SpectralNorm(new SpectralNorm(new Linear("fc", 2, 2))))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void spectralNormBringsTheTopSingularValueToOne() {
    int in = 6;
    int out = 8;
    SpectralNorm layer = new SpectralNorm(new Linear("fc", in, out));
    boolean gradMode = JniUtils.isGradMode();
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      JniUtils.setGradMode(false);
      ParameterStore store = store(manager, layer, 31, false);
      double raw = topSingularValue(store.get("fc.weight").toFloatArray(), out, in);
      Forward training = Forward.training(store::get, Map.of());
      NDArray batch = manager.randomNormal(new Shape(2, in));
      for (int i = 0; i < 20; i++) {
        layer.forward(training, batch);
      }
      // With a zero bias, the identity as input gives back (W/σ)ᵀ: the weight actually used.
      float[] transposed = layer.forward(inference(store), manager.eye(in)).toFloatArray();
      float[] effective = new float[out * in];
      for (int r = 0; r < out; r++) {
        for (int c = 0; c < in; c++) {
          effective[r * in + c] = transposed[c * out + r];
        }
      }
      double normalised = topSingularValue(effective, out, in);
      System.out.printf("SpectralNorm: top singular value of W %.6f, of W/sigma %.6f%n", raw,
          normalised);
      assertThat(raw).isLessThan(0.5); // N(0, 0.02) init: far from 1 before normalising
      assertThat(normalised).isCloseTo(1.0, within(1e-2));
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  @Test
  void spectralNormTrainingForwardGivesTheWeightAGradient() {
    SpectralNorm layer = new SpectralNorm(Conv2d.same3x3("c", 2, 3));
    boolean gradMode = JniUtils.isGradMode();
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store = store(manager, layer, 41, true);
      NDArray weight = store.get("c.weight");
      weight.setRequiresGradient(true);
      JniUtils.setGradMode(true);
      NDArray x = manager.randomNormal(new Shape(2, 2, 4, 4));
      NDArray loss = layer.forward(Forward.training(store::get, Map.of()), x).square().sum();
      assertThat(JniUtils.isGradMode()).as("grad mode restored after the power iteration")
          .isTrue();
      backward(loss);
      float[] gradient = weight.getGradient().toFloatArray();
      double norm = 0;
      for (float g : gradient) {
        assertThat(g).isFinite();
        norm += g * g;
      }
      assertThat(norm).isGreaterThan(1e-6);
      assertThat(store.get("c.weight_u").hasGradient()).isFalse();
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  @Test
  void spectralNormGradientFlowsThroughSigma() {
    // With converged u and v, the loss uᵀ (W/σ) v with σ = uᵀ W v is constant in W (it is 1),
    // so its gradient vanishes; were σ detached, it would be u vᵀ/σ, of norm 1/σ.
    int in = 5;
    int out = 4;
    SpectralNorm layer = new SpectralNorm(new Linear("fc", in, out));
    boolean gradMode = JniUtils.isGradMode();
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store = store(manager, layer, 51, true);
      // Start from the exact singular vectors (Java power iteration), so the one iteration of
      // the training forward leaves them (nearly) unchanged.
      float[] w = store.get("fc.weight").toFloatArray();
      double[] right = topRightSingularVector(w, out, in);
      double sigma = topSingularValue(w, out, in);
      float[] vValues = new float[in];
      for (int c = 0; c < in; c++) {
        vValues[c] = (float) right[c];
      }
      float[] uValues = new float[out]; // W v / σ
      for (int r = 0; r < out; r++) {
        double wv = 0;
        for (int c = 0; c < in; c++) {
          wv += w[r * in + c] * right[c];
        }
        uValues[r] = (float) (wv / sigma);
      }
      NDArray u = manager.create(uValues);
      NDArray v = manager.create(vValues);
      store.get("fc.weight_u").set(uValues);
      store.get("fc.weight_v").set(vValues);
      Forward training = Forward.training(store::get, Map.of());
      JniUtils.setGradMode(true);
      NDArray y = layer.forward(training, v.reshape(1, in)); // [1, out]; the bias is 0
      NDArray loss = y.matMul(u.reshape(out, 1)).sum();
      backward(loss);
      float[] gradient = store.get("fc.weight").getGradient().toFloatArray();
      double max = 0;
      for (float g : gradient) {
        max = Math.max(max, Math.abs(g));
      }
      System.out.printf("SpectralNorm: max |dL/dW| %.3g, detached sigma would give ~%.3g%n",
          max, 1 / sigma);
      assertThat(max).isLessThan(1e-4 / sigma);
    } finally {
      JniUtils.setGradMode(gradMode);
    }
  }

  // --- all three -------------------------------------------------------------------------------

  @Test
  void forwardPassesLeaveNoArraysInTheStoresManager() {
    // Results belong to x's per-step manager; anything derived from a stored value that landed in
    // the store's long-lived manager would pile up there, one set per training step.
    Map<Layer, Shape> layers = Map.of(
        new SelfAttention("att", 8), new Shape(2, 8, 3, 3),
        new MinibatchStddev(), new Shape(2, 3, 3, 3),
        new SpectralNorm(new Linear("fc", 6, 4)), new Shape(2, 6),
        new SpectralNorm(Conv2d.down4x4("d", 2, 3)), new Shape(2, 2, 6, 6));
    layers.forEach((layer, shape) -> {
      try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
        ParameterStore store = store(manager, layer, 71, true);
        int before = ((BaseNDManager) manager).getManagedArrays().size();
        try (NDManager step = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
          NDArray x = step.randomNormal(shape);
          layer.forward(Forward.training(store::get, Map.of()), x);
          layer.forward(Forward.inference(store::get, Map.of()), x);
        }
        assertThat(((BaseNDManager) manager).getManagedArrays()).as(layer.toString())
            .hasSize(before);
      }
    });
  }

  // --- helpers ---------------------------------------------------------------------------------

  private static void report(String what, Parity.Outputs outputs) {
    System.out.printf("%s: max |DJL - ONNX| = %.3g%n", what, outputs.maxAbsDifference());
  }

  private static Forward inference(Map<String, NDArray> parameters) {
    return Forward.inference(parameters::get, Map.of());
  }

  private static Forward inference(ParameterStore store) {
    return Forward.inference(store::get, Map.of());
  }

  private static ParameterStore store(NDManager manager, Layer layer, long seed,
      boolean trackGradients) {
    return new ParameterStore(manager, ParameterDeclarations.of(layer), new Random(seed),
        trackGradients);
  }

  private static void scale(ParameterStore store, String name, float factor) {
    NDArray value = store.get(name);
    value.set(value.mul(factor).toFloatArray());
  }

  /** A 1×1 convolution of item {@code x[base ..]} ({@code [in, positions]}): {@code [out][p]}. */
  private static double[][] conv1x1(float[] weight, float[] bias, float[] x, int base, int in,
      int positions) {
    int out = bias.length;
    double[][] y = new double[out][positions];
    for (int o = 0; o < out; o++) {
      for (int p = 0; p < positions; p++) {
        double sum = bias[o];
        for (int i = 0; i < in; i++) {
          sum += (double) weight[o * in + i] * x[base + i * positions + p];
        }
        y[o][p] = sum;
      }
    }
    return y;
  }

  private static void backward(NDArray loss) {
    try (NDArray seed = loss.onesLike()) {
      JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
    }
  }

  /** The input {@link Parity#check} draws: the first Gaussians of {@code new Random(seed)}. */
  private static float[] parityInput(long seed, int size) {
    return gaussian(new Random(seed), size);
  }

  private static double differsFromInput(Parity.Outputs out, long seed) {
    float[] x = parityInput(seed, out.djl().length);
    double max = 0;
    for (int i = 0; i < x.length; i++) {
      max = Math.max(max, Math.abs(out.djl()[i] - x[i]));
    }
    return max;
  }

  private static float[] gaussian(Random random, int size) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static double norm(float[] values) {
    double sum = 0;
    for (float value : values) {
      sum += (double) value * value;
    }
    return Math.sqrt(sum);
  }

  /** The largest singular value of a row-major {@code [rows, columns]} matrix. */
  private static double topSingularValue(float[] a, int rows, int columns) {
    double[] v = topRightSingularVector(a, rows, columns);
    double squared = 0;
    for (int r = 0; r < rows; r++) {
      double av = 0;
      for (int c = 0; c < columns; c++) {
        av += a[r * columns + c] * v[c];
      }
      squared += av * av;
    }
    return Math.sqrt(squared); // ‖A v‖ for the top right singular vector v
  }

  /** The unit top right singular vector of {@code a}, by 2000 power iterations on AᵀA. */
  private static double[] topRightSingularVector(float[] a, int rows, int columns) {
    double[] v = new double[columns];
    java.util.Arrays.fill(v, 1);
    for (int iteration = 0; iteration < 2000; iteration++) {
      double[] av = new double[rows];
      for (int r = 0; r < rows; r++) {
        for (int c = 0; c < columns; c++) {
          av[r] += a[r * columns + c] * v[c];
        }
      }
      double[] atav = new double[columns];
      for (int c = 0; c < columns; c++) {
        for (int r = 0; r < rows; r++) {
          atav[c] += a[r * columns + c] * av[r];
        }
      }
      double length = 0;
      for (double value : atav) {
        length += value * value;
      }
      length = Math.sqrt(length);
      for (int c = 0; c < columns; c++) {
        v[c] = atav[c] / length;
      }
    }
    return v;
  }

}
