package io.genstream.trainer.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import java.util.Random;

/** Small pieces every family needs: per-step randomness, one-hot labels, argument checks. */
public final class FamilySupport {

  private FamilySupport() {}

  /**
   * The random stream of step {@code step}: a function of the seed and the step only, so a model
   * restored at step s draws exactly what the original drew from s on.
   */
  public static Random stepRandom(long seed, long step) {
    return new Random(seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + 1);
  }

  /** One-hot {@code [N, K]} labels in {@code manager}; checks the range. */
  public static NDArray oneHot(NDManager manager, int[] labels, int offset, int count,
      int classes) {
    float[] values = new float[count * classes];
    for (int i = 0; i < count; i++) {
      int label = labels[offset + i];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException(
            "label must be 0.." + (classes - 1) + ", got " + label);
      }
      values[i * classes + label] = 1f;
    }
    return manager.create(values, new Shape(count, classes));
  }

  /** {@code label → one-hot} side inputs for a conditional model, none otherwise. */
  public static Map<String, NDArray> labelInput(NDArray oneHot) {
    return oneHot == null ? Map.of() : Map.of("label", oneHot);
  }

  /** @throws IllegalArgumentException naming the expected and given sizes */
  public static void checkBatch(Batch batch, int examples, int valuesPerExample) {
    if (batch.size() != examples) {
      throw new IllegalArgumentException(
          "a step takes " + examples + " examples, got " + batch.size());
    }
    if (batch.images().length != (long) examples * valuesPerExample) {
      throw new IllegalArgumentException("expected " + examples + " examples of "
          + valuesPerExample + " values (" + (long) examples * valuesPerExample + "), got "
          + batch.images().length);
    }
  }

  /** Labels as ints, checking the range (unconditional models ignore them). */
  public static int[] toInts(long[] labels, int classes) {
    int[] ints = new int[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (classes > 0 && (labels[i] < 0 || labels[i] >= classes)) {
        throw new IllegalArgumentException(
            "label must be 0.." + (classes - 1) + ", got " + labels[i]);
      }
      ints[i] = (int) labels[i];
    }
    return ints;
  }
}
