package io.genstream.trainer.nn;

import java.util.Arrays;
import java.util.Random;

/** How a parameter's first values are drawn. */
public sealed interface Init {

  /** Fills {@code values}, drawing from {@code random} if the scheme is random. */
  void fill(float[] values, Random random);

  /** N(mean, std²): DCGAN's N(0, 0.02) for weights, N(1, 0.02) for BatchNorm scales. */
  static Init normal(float mean, float std) {
    return new Normal(mean, std);
  }

  /** Every value {@code value}: zero biases, unit variances. */
  static Init constant(float value) {
    return new Constant(value);
  }

  /** Gaussian draws. */
  record Normal(float mean, float std) implements Init {
    @Override
    public void fill(float[] values, Random random) {
      for (int i = 0; i < values.length; i++) {
        values[i] = mean + std * (float) random.nextGaussian();
      }
    }
  }

  /** A constant. */
  record Constant(float value) implements Init {
    @Override
    public void fill(float[] values, Random random) {
      Arrays.fill(values, value);
    }
  }
}
