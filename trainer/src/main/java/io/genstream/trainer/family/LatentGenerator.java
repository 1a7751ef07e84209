package io.genstream.trainer.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.genstream.core.latent.Latents;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.ParameterStore;
import java.util.Random;

/**
 * What the families whose generator maps a latent (and a label) to an image share: sampling as
 * the exported graph computes, and recomputing BatchNorm statistics before an export. Used by
 * the GANs (their generator) and the VAE (its decoder). Training thread only.
 */
public final class LatentGenerator {

  private final ModelSpec spec;
  private final NDManager manager;
  private final TrainedNetwork generator;

  /** @param manager the family's long-lived manager; per-call scopes are made under it */
  public LatentGenerator(ModelSpec spec, NDManager manager, TrainedNetwork generator) {
    this.spec = spec;
    this.manager = manager;
    this.generator = generator;
  }

  /**
   * Images from the exported weights in inference mode, as the exported graph computes them.
   *
   * @see ModelFamily#sample
   */
  public float[] sample(float[] latents, long[] labels) {
    int n = labels.length;
    if (n < 1 || latents.length != n * spec.latentDim()) {
      throw new IllegalArgumentException("expected " + n + " × " + spec.latentDim()
          + " latent values for " + n + " labels, got " + latents.length);
    }
    int[] ints = FamilySupport.toInts(labels, spec.numClasses());
    // Gradient recording is a per-thread PyTorch flag that defaults to on for new threads.
    JniUtils.setGradMode(false);
    try (NDManager scope = manager.newSubManager()) {
      NDArray z = scope.create(latents, new Shape(n, spec.latentDim()));
      NDArray y = spec.conditional()
          ? FamilySupport.oneHot(scope, ints, 0, n, spec.numClasses()) : null;
      ParameterStore weights = generator.exportedWeights();
      return generator.network()
          .forward(Forward.inference(weights::get, FamilySupport.labelInput(y)), z)
          .toFloatArray();
    }
  }

  /**
   * Recomputes the exported weights' BatchNorm running statistics as the exact average over
   * {@code batches} training-mode passes on prior latents and uniform labels. The running
   * averages lag behind a generator that changes every step; recomputed for the exported
   * weights, inference-mode samples match what the generator does in training mode. Its own
   * random stream (seeded by the step), so training's course does not change.
   */
  public void recalibrateBatchNorm(int batches, long step) {
    ParameterStore weights = generator.exportedWeights();
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    Random random = new Random(spec.seed() * 31 + step);
    int n = spec.batchSize();
    try {
      for (int i = 1; i <= batches; i++) {
        try (NDManager scope = manager.newSubManager()) {
          NDArray z = scope.create(Latents.gaussian(random, n * spec.latentDim()),
              new Shape(n, spec.latentDim()));
          NDArray y = null;
          if (spec.conditional()) {
            int[] labels = new int[n];
            for (int j = 0; j < n; j++) {
              labels[j] = random.nextInt(spec.numClasses());
            }
            y = FamilySupport.oneHot(scope, labels, 0, n, spec.numClasses());
          }
          // DJL momentum m keeps m·old + (1-m)·batch; 1 - 1/i makes it the running mean of all
          // i batches so far (the first replaces the old statistics).
          Forward pass = Forward.training(weights::get, FamilySupport.labelInput(y))
              .withBatchNormMomentum(1f - 1f / i);
          generator.network().forward(pass, z);
        }
      }
    } finally {
      JniUtils.setGradMode(grad);
    }
  }
}
