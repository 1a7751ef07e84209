package io.genstream.trainer.gan;

import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link ConditionalGan} needs to continue training where it left off: the step
 * count and both networks' weights and BatchNorm statistics, by parameter name. Adam's moment
 * estimates are not part of it (DJL keeps them private); after a restore they start again from
 * zero, which with bias correction makes the first updates about one learning rate in size.
 *
 * @param steps training steps taken
 * @param generator the generator's weights and buffers
 * @param discriminator the discriminator's weights
 */
public record GanState(long steps, Map<String, float[]> generator,
    Map<String, float[]> discriminator) {

  public GanState {
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
    generator = Map.copyOf(Objects.requireNonNull(generator, "generator"));
    discriminator = Map.copyOf(Objects.requireNonNull(discriminator, "discriminator"));
  }

  /** Scalars in both networks. */
  public long size() {
    return generator.values().stream().mapToLong(a -> a.length).sum()
        + discriminator.values().stream().mapToLong(a -> a.length).sum();
  }
}
