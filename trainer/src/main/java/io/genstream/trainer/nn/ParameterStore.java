package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The values of a set of declared parameters as native arrays in one long-lived
 * {@link NDManager} owned by the caller.
 *
 * <p>Trainable parameters carry a PyTorch gradient; {@link #setFrozen(boolean)} turns tracking
 * off, so a backward pass through this network (the generator's update going through the
 * discriminator) neither stores nor spends time on gradients here. Buffers are plain arrays the
 * forward pass updates in place. Not thread-safe.
 */
public final class ParameterStore {

  private final Map<String, ParameterSpec> specs = new LinkedHashMap<>();
  private final Map<String, NDArray> values = new LinkedHashMap<>();
  private final Map<String, NDArray> trainable = new LinkedHashMap<>();

  /**
   * Creates every parameter with values drawn by its {@link Init} from {@code random}, in
   * declaration order (so the same seed gives the same network).
   *
   * @param trackGradients whether trainable parameters record gradients (false for an EMA copy)
   */
  public ParameterStore(NDManager manager, List<ParameterSpec> declared, Random random,
      boolean trackGradients) {
    for (ParameterSpec spec : declared) {
      float[] initial = new float[spec.size()];
      spec.init().fill(initial, random);
      NDArray array = manager.create(initial, new Shape(spec.shape()));
      array.setName(spec.name());
      specs.put(spec.name(), spec);
      values.put(spec.name(), array);
      if (spec.trainable()) {
        trainable.put(spec.name(), array);
        if (trackGradients) {
          array.setRequiresGradient(true);
        }
      }
    }
  }

  /** The named value, or null if there is none. */
  public NDArray get(String name) {
    return values.get(name);
  }

  /** Trainable parameters by name, in declaration order. */
  public Map<String, NDArray> trainable() {
    return Collections.unmodifiableMap(trainable);
  }

  /** Every parameter and buffer by name, in declaration order. */
  public Map<String, NDArray> all() {
    return Collections.unmodifiableMap(values);
  }

  public List<ParameterSpec> specs() {
    return List.copyOf(specs.values());
  }

  /** Stops (true) or resumes (false) gradient tracking for every trainable parameter. */
  public void setFrozen(boolean frozen) {
    for (NDArray weight : trainable.values()) {
      weight.setRequiresGradient(!frozen);
    }
  }

  /** Every value copied to Java arrays, by name, in declaration order. */
  public Map<String, float[]> snapshot() {
    Map<String, float[]> copy = new LinkedHashMap<>();
    values.forEach((name, array) -> copy.put(name, array.toFloatArray()));
    return Collections.unmodifiableMap(copy);
  }

  /**
   * Overwrites every value with {@code saved}'s (a checkpoint).
   *
   * @throws IllegalArgumentException naming the parameter if one is missing, extra or of
   *     another size (another architecture)
   */
  public void load(Map<String, float[]> saved) {
    for (String name : saved.keySet()) {
      if (!specs.containsKey(name)) {
        throw new IllegalArgumentException("the saved state has parameter " + name
            + ", which the configured model does not (another architecture?)");
      }
    }
    for (ParameterSpec spec : specs.values()) {
      float[] data = saved.get(spec.name());
      if (data == null) {
        throw new IllegalArgumentException(
            "the saved state has no parameter " + spec.name() + " (another architecture?)");
      }
      if (data.length != spec.size()) {
        throw new IllegalArgumentException("saved parameter " + spec.name() + " has "
            + data.length + " values, the configured model needs " + spec.size()
            + " (another architecture?)");
      }
      values.get(spec.name()).set(data);
    }
  }

  /** Number of trainable scalars. */
  public long size() {
    return trainable.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }
}
