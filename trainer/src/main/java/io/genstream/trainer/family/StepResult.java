package io.genstream.trainer.family;

import java.util.Map;

/**
 * What one training step reports.
 *
 * @param step 1-based count of steps taken by this model
 * @param images real images (or clips) consumed by the step
 * @param metrics the family's figures in a stable order, e.g. {@code dLoss, gLoss, D(x),
 *     D(G(z))} for a GAN, {@code loss, recon, kl} for a VAE
 */
public record StepResult(long step, int images, Map<String, Float> metrics) {

  public StepResult {
    metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
  }

  /** The named metric, NaN if the family does not report it. */
  public float metric(String name) {
    Float value = metrics.get(name);
    return value == null ? Float.NaN : value;
  }
}
