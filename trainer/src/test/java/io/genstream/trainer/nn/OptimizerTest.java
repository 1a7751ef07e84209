package io.genstream.trainer.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Our optimisers against their textbook formulas, with the state a checkpoint holds. */
class OptimizerTest {

  private static final float[] C = {0.5f, -2f, 3f};

  /** Loss {@code Σ c·w²}: gradient {@code 2·c·w}. */
  private static void backward(ParameterStore store, Autograd autograd) {
    NDArray w = store.get("w");
    try (NDManager scope = w.getManager().newSubManager()) {
      NDArray c = scope.create(C, new Shape(3));
      autograd.backward(c.mul(w.square()).sum());
    }
  }

  private static ParameterStore store(NDManager manager) {
    ParameterStore store = new ParameterStore(manager,
        List.of(new ParameterSpec("w", new long[] {3}, Init.constant(1f), true)),
        new Random(0), true);
    return store;
  }

  @Test
  void adamFollowsKingmaAndBaWithBiasCorrectionAndKeepsItsMomentsAsState() {
    float lr = 0.1f;
    float b1 = 0.5f;
    float b2 = 0.999f;
    double[] w = {1, 1, 1};
    double[] m = new double[3];
    double[] v = new double[3];
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        Autograd autograd = new Autograd()) {
      ParameterStore store = store(manager);
      Optimizer adam = Optimizer.adam(store, manager, lr, b1, b2);
      for (int t = 1; t <= 3; t++) {
        backward(store, autograd);
        adam.step();
        for (int i = 0; i < 3; i++) {
          double g = 2 * C[i] * w[i];
          m[i] = b1 * m[i] + (1 - b1) * g;
          v[i] = b2 * v[i] + (1 - b2) * g * g;
          double mHat = m[i] / (1 - Math.pow(b1, t));
          double vHat = v[i] / (1 - Math.pow(b2, t));
          w[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
        }
      }
      float[] actual = store.get("w").toFloatArray();
      Map<String, float[]> state = adam.snapshot();
      for (int i = 0; i < 3; i++) {
        assertThat((double) actual[i]).isCloseTo(w[i], within(1e-4));
        assertThat((double) state.get("m.w")[i]).isCloseTo(m[i], within(1e-4));
        assertThat((double) state.get("v.w")[i]).isCloseTo(v[i], within(1e-4));
      }
      assertThat(adam.updates()).isEqualTo(3);
      assertThat(store.get("w").getGradient().toFloatArray()).containsOnly(0f);
    }
  }

  @Test
  void rmspropFollowsItsFormula() {
    float lr = 0.01f;
    float rho = 0.9f;
    double[] w = {1, 1, 1};
    double[] s = new double[3];
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        Autograd autograd = new Autograd()) {
      ParameterStore store = store(manager);
      Optimizer rmsprop = Optimizer.rmsprop(store, manager, lr, rho);
      for (int t = 1; t <= 3; t++) {
        backward(store, autograd);
        rmsprop.step();
        for (int i = 0; i < 3; i++) {
          double g = 2 * C[i] * w[i];
          s[i] = rho * s[i] + (1 - rho) * g * g;
          w[i] -= lr * g / (Math.sqrt(s[i]) + 1e-8);
        }
      }
      float[] actual = store.get("w").toFloatArray();
      for (int i = 0; i < 3; i++) {
        assertThat((double) actual[i]).isCloseTo(w[i], within(1e-4));
      }
    }
  }

  @Test
  void anOptimizerLoadedFromASnapshotContinuesIdentically() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        Autograd autograd = new Autograd()) {
      ParameterStore a = store(manager);
      Optimizer adamA = Optimizer.adam(a, manager, 0.1f, 0.5f, 0.999f);
      backward(a, autograd);
      adamA.step();
      ParameterStore b = store(manager);
      b.load(a.snapshot());
      Optimizer adamB = Optimizer.adam(b, manager, 0.1f, 0.5f, 0.999f);
      adamB.load(adamA.snapshot(), adamA.updates());
      backward(a, autograd);
      adamA.step();
      backward(b, autograd);
      adamB.step();
      assertThat(b.get("w").toFloatArray()).containsExactly(a.get("w").toFloatArray());
    }
  }
}
