package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Updates a {@link ParameterStore}'s trainable parameters from their accumulated gradients and
 * zeroes the gradients. Its whole state (moments, step count) is ours, not DJL's, so a
 * checkpoint holds it and a resumed run continues exactly. Lives on the training thread.
 */
public abstract class Optimizer {

  protected final ParameterStore parameters;
  protected final NDManager manager;
  protected final float learningRate;
  private final Map<String, NDArray> state = new LinkedHashMap<>();
  protected long updates;

  protected Optimizer(ParameterStore parameters, NDManager manager, float learningRate) {
    this.parameters = parameters;
    this.manager = manager;
    this.learningRate = learningRate;
  }

  /** Adam (Kingma &amp; Ba) with bias correction, DJL's fused update on our own moments. */
  public static Optimizer adam(ParameterStore parameters, NDManager manager, float learningRate,
      float beta1, float beta2) {
    return new Adam(parameters, manager, learningRate, beta1, beta2);
  }

  /** RMSProp (as in WGAN): {@code v = ρv + (1-ρ)g², w -= lr·g / (√v + ε)}. */
  public static Optimizer rmsprop(ParameterStore parameters, NDManager manager,
      float learningRate, float decay) {
    return new RmsProp(parameters, manager, learningRate, decay);
  }

  /** One update of every trainable parameter, then zero its gradient. */
  public final void step() {
    updates++;
    for (Map.Entry<String, NDArray> entry : parameters.trainable().entrySet()) {
      NDArray weight = entry.getValue();
      // getGradient() wraps .grad in a new handle attached to the weight's long-lived manager;
      // close it at once or that manager grows by one handle per step.
      try (NDArray gradient = weight.getGradient()) {
        update(entry.getKey(), weight, gradient);
      }
    }
  }

  /** Applies one update to {@code weight} and zeroes its gradient. */
  protected abstract void update(String name, NDArray weight, NDArray gradient);

  /** A state tensor of {@code name}'s shape, zero at first. */
  protected final NDArray state(String key, NDArray like) {
    return state.computeIfAbsent(key, k -> {
      NDArray zeros = manager.zeros(like.getShape());
      zeros.setName(k);
      return zeros;
    });
  }

  /** Updates taken so far. */
  public long updates() {
    return updates;
  }

  /** The moments by {@code <kind>.<parameter>} name, copied; empty before the first step. */
  public Map<String, float[]> snapshot() {
    Map<String, float[]> copy = new LinkedHashMap<>();
    state.forEach((name, array) -> copy.put(name, array.toFloatArray()));
    return copy;
  }

  /**
   * Continues from a snapshot taken after {@code updates} updates.
   *
   * @throws IllegalArgumentException naming the entry if the snapshot does not fit
   */
  public void load(Map<String, float[]> saved, long savedUpdates) {
    this.updates = savedUpdates;
    for (Map.Entry<String, float[]> entry : saved.entrySet()) {
      String key = entry.getKey();
      String parameter = key.substring(key.indexOf('.') + 1);
      NDArray weight = parameters.trainable().get(parameter);
      if (weight == null || weight.getShape().size() != entry.getValue().length) {
        throw new IllegalArgumentException("optimiser state " + key
            + " does not fit the configured model (another architecture?)");
      }
      state(key, weight).set(entry.getValue());
    }
  }

  private static final class Adam extends Optimizer {
    private final float beta1;
    private final float beta2;

    Adam(ParameterStore parameters, NDManager manager, float learningRate, float beta1,
        float beta2) {
      super(parameters, manager, learningRate);
      this.beta1 = beta1;
      this.beta2 = beta2;
    }

    @Override
    protected void update(String name, NDArray weight, NDArray gradient) {
      NDArray mean = state("m." + name, weight);
      NDArray variance = state("v." + name, weight);
      double t = updates;
      // Bias correction folded into the step size, as DJL's and PyTorch's Adam do.
      float corrected = (float) (learningRate * Math.sqrt(1 - Math.pow(beta2, t))
          / (1 - Math.pow(beta1, t)));
      weight.getNDArrayInternal().adamUpdate(
          new ai.djl.ndarray.NDList(weight, gradient, mean, variance),
          new ai.djl.ndarray.NDList(weight), // PyTorch updates the moments in place
          learningRate, corrected, 0f, 1f, -1f, beta1, beta2, 1e-8f, false, false);
    }
  }

  private static final class RmsProp extends Optimizer {
    private final float decay;

    RmsProp(ParameterStore parameters, NDManager manager, float learningRate, float decay) {
      super(parameters, manager, learningRate);
      this.decay = decay;
    }

    @Override
    protected void update(String name, NDArray weight, NDArray gradient) {
      NDArray square = state("s." + name, weight);
      boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
      // Every temporary is closed at once: they attach to the weights' long-lived manager.
      try (NDArray g2 = gradient.square()) {
        square.muli(decay).addi(g2.muli(1 - decay));
      }
      try (NDArray root = square.sqrt();
          NDArray step = gradient.div(root.addi(1e-8f))) {
        weight.subi(step.muli(learningRate));
      } finally {
        ai.djl.pytorch.jni.JniUtils.zeroGrad((ai.djl.pytorch.engine.PtNDArray) weight);
        ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
      }
    }
  }
}
