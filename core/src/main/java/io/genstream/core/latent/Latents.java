package io.genstream.core.latent;

import java.util.Random;

/**
 * Latent vectors drawn from a seeded {@link Random}, shared by the trainer (training noise,
 * sample grids) and the generator (requests).
 *
 * <p>Reproducibility rests on this: {@link Random#nextGaussian()} is specified by the JDK down to
 * its algorithm, so the same seed gives the same latents on every JVM, and a request's seed
 * reproduces its images.
 */
public final class Latents {

  private Latents() {}

  /** The next {@code count} standard-normal values of {@code random}, as floats. */
  public static float[] gaussian(Random random, int count) {
    float[] values = new float[count];
    for (int i = 0; i < count; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }
}
