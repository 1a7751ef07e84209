package io.genstream.trainer.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * One named parameter of a network: its shape, its initial values and whether the optimiser
 * trains it (weights) or the forward pass maintains it (buffers such as BatchNorm statistics).
 *
 * @param name stable full name, e.g. {@code g.fc.weight}; shared by export, checkpoints, tests
 */
public record ParameterSpec(String name, long[] shape, Init init, boolean trainable) {

  public ParameterSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(init, "init");
    shape = shape.clone();
    for (long dim : shape) {
      if (dim < 1) {
        throw new IllegalArgumentException(
            "parameter " + name + " has a non-positive dimension: " + Arrays.toString(shape));
      }
    }
  }

  /** Number of scalars. */
  public int size() {
    long size = 1;
    for (long dim : shape) {
      size *= dim;
    }
    return Math.toIntExact(size);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
