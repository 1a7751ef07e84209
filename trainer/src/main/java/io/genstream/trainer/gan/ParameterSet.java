package io.genstream.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.optimizer.Adam;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The named weights of one network and their Adam optimiser, all living in one long-lived
 * {@link NDManager} owned by the caller.
 *
 * <p>Trainable weights carry a PyTorch gradient. {@link #adamStep()} applies Adam and zeroes the
 * gradients (DJL's PyTorch {@code adamUpdate} does {@code zero_grad} on the weight), so nothing
 * from one backward pass reaches the next update. {@link #setFrozen(boolean)} turns gradient
 * tracking off for all trainable weights, so a backward pass through this network (the
 * generator's update going through the discriminator) neither accumulates gradients here nor
 * spends time computing them.
 *
 * <p>Buffers (BatchNorm running statistics) are plain arrays, updated in place by the forward
 * pass and never touched by the optimiser. Not thread-safe.
 */
final class ParameterSet {

  private final NDManager manager;
  private final Map<String, NDArray> trainable = new LinkedHashMap<>();
  private final Map<String, NDArray> buffers = new LinkedHashMap<>();
  private final Optimizer adam;
  private final String prefix;
  private final Map<String, float[]> restored;

  /**
   * @param restored values to start from instead of the initialisers' (a checkpoint), by name;
   *     empty for fresh weights. Each must be used exactly once: see {@link #checkAllRestored()}.
   */
  ParameterSet(NDManager manager, String prefix, float learningRate, float beta1, float beta2,
      Map<String, float[]> restored) {
    this.manager = manager;
    this.prefix = prefix;
    this.restored = restored;
    this.adam = Adam.builder()
        .optLearningRateTracker(Tracker.fixed(learningRate))
        .optBeta1(beta1)
        .optBeta2(beta2)
        .optEpsilon(1e-8f)
        .build();
  }

  /** A trainable weight drawn from N(mean, std²) with {@code random}. */
  NDArray normal(String name, Random random, float mean, float std, long... shape) {
    float[] values = new float[Math.toIntExact(new Shape(shape).size())];
    for (int i = 0; i < values.length; i++) {
      values[i] = mean + std * (float) random.nextGaussian();
    }
    return trainable(name, values, shape);
  }

  /** A trainable weight filled with {@code value}. */
  NDArray constant(String name, float value, long... shape) {
    float[] values = new float[Math.toIntExact(new Shape(shape).size())];
    java.util.Arrays.fill(values, value);
    return trainable(name, values, shape);
  }

  /** A non-trainable buffer filled with {@code value} (e.g. BatchNorm running statistics). */
  NDArray buffer(String name, float value, long... shape) {
    float[] values = new float[Math.toIntExact(new Shape(shape).size())];
    java.util.Arrays.fill(values, value);
    NDArray array = manager.create(restoredOr(name, values), new Shape(shape));
    array.setName(name);
    buffers.put(name, array);
    return array;
  }

  private NDArray trainable(String name, float[] values, long... shape) {
    NDArray array = manager.create(restoredOr(name, values), new Shape(shape));
    array.setName(name);
    array.setRequiresGradient(true);
    trainable.put(name, array);
    return array;
  }

  /** The restored values of {@code name} if there are any, else {@code initial}. */
  private float[] restoredOr(String name, float[] initial) {
    if (restored.isEmpty()) {
      return initial;
    }
    float[] values = restored.get(name);
    if (values == null) {
      throw new IllegalArgumentException(
          "the saved state has no parameter " + prefix + name + " (another architecture?)");
    }
    if (values.length != initial.length) {
      throw new IllegalArgumentException("saved parameter " + prefix + name + " has "
          + values.length + " values, the configured model needs " + initial.length
          + " (another architecture?)");
    }
    return values;
  }

  /** Fails if the saved state has parameters this network does not (another architecture). */
  void checkAllRestored() {
    if (restored.isEmpty()) {
      return;
    }
    for (String name : restored.keySet()) {
      if (!trainable.containsKey(name) && !buffers.containsKey(name)) {
        throw new IllegalArgumentException("the saved state has parameter " + prefix + name
            + ", which the configured model does not (another architecture?)");
      }
    }
  }

  /** One Adam update of every trainable weight from its accumulated gradient, then zero_grad. */
  void adamStep() {
    for (Map.Entry<String, NDArray> entry : trainable.entrySet()) {
      NDArray weight = entry.getValue();
      // getGradient() wraps the tensor's .grad in a new Java handle attached to the weight's
      // (long-lived) manager; close it right away or the manager grows by one handle per step.
      try (NDArray gradient = weight.getGradient()) {
        adam.update(prefix + entry.getKey(), weight, gradient);
      }
    }
  }

  /** Stops (true) or resumes (false) gradient tracking for every trainable weight. */
  void setFrozen(boolean frozen) {
    for (NDArray weight : trainable.values()) {
      weight.setRequiresGradient(!frozen);
    }
  }

  /** Weights and buffers by name, copied to Java arrays. */
  Map<String, float[]> snapshot() {
    Map<String, float[]> copy = new LinkedHashMap<>();
    trainable.forEach((name, array) -> copy.put(name, array.toFloatArray()));
    buffers.forEach((name, array) -> copy.put(name, array.toFloatArray()));
    return Collections.unmodifiableMap(copy);
  }

  /** Number of scalars in the trainable weights. */
  long size() {
    return trainable.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }
}
