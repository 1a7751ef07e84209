package io.genstream.trainer.family.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

/**
 * The WGAN-GP gradient penalty (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs"):
 * for {@code x̂ = ε·real + (1−ε)·fake} with one {@code ε ~ U[0, 1)} per sample,
 * {@code penalty = λ · mean_i (‖∇_x̂ D(x̂)_i‖₂ − 1)²}, to be added to the critic's loss.
 *
 * <p><b>Contract.</b> {@link #penalty} returns a scalar tensor whose graph runs through the
 * gradient {@code ∇_x̂ D(x̂)} into the critic's parameters (a double backward), so the ordinary
 * first-order backward of {@code criticLoss + penalty} gives each parameter
 * {@code ∂criticLoss/∂θ + ∂penalty/∂θ}, exactly; tests check it against finite differences. The
 * call itself changes no {@code .grad} anywhere: the input gradient is taken with
 * {@code torch.autograd.grad(create_graph=True)} (see {@code GradientScript}), not with a
 * create-graph {@code backward}, so parameters' gradients are left as they were and no
 * gradient holding a graph is stored in any tensor. Nothing needs releasing afterwards: the
 * penalty's graph is freed by that backward pass, like the loss's, and its arrays by the
 * caller's per-step manager. Parameters' gradients stay plain tensors, zeroed by the optimiser
 * step as usual.
 *
 * <p><b>Order of calls</b>, in one training step of the critic, on one thread:
 * <ol>
 *   <li>open a per-step sub-manager; {@code real} and {@code fake} live in it (fake from the
 *       generator may still carry the generator's graph: the penalty detaches both);
 *   <li>{@code criticLoss = mean(D(fake)) − mean(D(real))} with gradient recording on;
 *   <li>{@code p = GradientPenalty.penalty(D, real, fake, random, 10f)};
 *   <li>one backward of {@code criticLoss.add(p)} (keep graph and create graph both false);
 *   <li>the optimiser update (gradient recording off) and zeroing the critic's gradients;
 *   <li>close the sub-manager.
 * </ol>
 * Backpropagating {@code p} in a backward of its own also works (gradients accumulate, as for
 * any two losses).
 *
 * <p><b>The critic</b> must score each sample on its own: the method differentiates
 * {@code Σ_i D(x̂_i)}, which equals the per-sample gradients only if sample {@code i}'s score
 * does not depend on sample {@code j} (no BatchNorm in a WGAN-GP critic; the paper uses layer
 * normalisation or none). It may return {@code [N]}, {@code [N, 1]} or any shape whose sum is
 * the sum of the scores.
 *
 * <p><b>Threads.</b> Call on the thread that runs the training step and backpropagate there:
 * PyTorch's gradient recording is a per-thread flag, which the call turns on for its own
 * duration and then restores. Several threads may compute penalties at the same time on their
 * own critics and arrays.
 */
public final class GradientPenalty {

  /** The paper's λ. */
  public static final float DEFAULT_WEIGHT = 10f;

  private GradientPenalty() {}

  /**
   * The gradient penalty at random interpolates of {@code real} and {@code fake}.
   *
   * @param critic the critic's forward pass, run once on {@code x̂} with gradient recording on;
   *     its parameters must require gradients for the penalty to reach them
   * @param real a batch {@code [N, ...]} of real samples
   * @param fake a batch of the same shape; only its values are used (no gradient reaches the
   *     generator through the penalty)
   * @param random draws {@code ε}: one {@link Random#nextFloat()} per sample, in batch order
   * @param weight λ, {@code >= 0} ({@link #DEFAULT_WEIGHT} in the paper)
   * @return a scalar in {@code real}'s manager, with the graph described above
   * @throws IllegalArgumentException if the shapes differ or are not batches, or the weight is
   *     negative or not finite, or the critic's output has no graph
   */
  public static NDArray penalty(Function<NDArray, NDArray> critic, NDArray real, NDArray fake,
      Random random, float weight) {
    Objects.requireNonNull(critic, "critic");
    Objects.requireNonNull(random, "random");
    Shape shape = real.getShape();
    if (!shape.equals(fake.getShape())) {
      throw new IllegalArgumentException(
          "real and fake batches differ in shape: " + shape + " vs " + fake.getShape());
    }
    if (shape.dimension() < 2 || shape.get(0) < 1) {
      throw new IllegalArgumentException("expected a batch [N, ...] with N >= 1, got " + shape);
    }
    if (!(weight >= 0f) || Float.isInfinite(weight)) {
      throw new IllegalArgumentException("weight must be finite and >= 0, got " + weight);
    }
    int n = Math.toIntExact(shape.get(0));
    float[] epsilon = new float[n];
    for (int i = 0; i < n; i++) {
      epsilon[i] = random.nextFloat();
    }
    long[] epsilonShape = new long[shape.dimension()];
    Arrays.fill(epsilonShape, 1L);
    epsilonShape[0] = n;

    boolean recording = JniUtils.isGradMode();
    try {
      // Off while interpolating, so x̂ is a leaf whatever graphs real and fake carry.
      JniUtils.setGradMode(false);
      NDArray eps = real.getManager().create(epsilon, new Shape(epsilonShape));
      NDArray interpolates = real.sub(fake).mul(eps).add(fake); // ε·real + (1−ε)·fake
      interpolates.setRequiresGradient(true);

      JniUtils.setGradMode(true);
      NDArray scores = critic.apply(interpolates);
      NDArray gradient = GradientScript.gradientOfSum(scores, interpolates); // [N, ...]
      NDArray norms = gradient.reshape(n, -1).norm(new int[] {1}); // [N]
      return norms.sub(1f).square().mean().mul(weight);
    } finally {
      JniUtils.setGradMode(recording);
    }
  }

  /**
   * The R1 penalty (Mescheder et al. 2018, "Which Training Methods for GANs do actually
   * Converge?"): {@code γ/2 · mean_i ‖∇_x D(x)_i‖²} at the real images, to be added to the
   * discriminator's loss. Same contract, order of calls and threading as {@link #penalty}: the
   * gradient is taken at a detached copy of {@code real} with {@code autograd.grad}, so no
   * {@code .grad} is touched and one ordinary backward of {@code loss + r1} gives the
   * parameters both terms' gradients.
   *
   * @param critic the discriminator's forward pass (augmentation included, if any: the
   *     gradient is then taken through it, at the un-augmented images, as StyleGAN2-ADA does)
   * @param real a batch {@code [N, ...]}; only its values are used
   * @param gamma γ, {@code >= 0}
   * @return a scalar in {@code real}'s manager
   * @throws IllegalArgumentException if {@code real} is not a batch or γ is negative or not
   *     finite, or the critic's output has no graph
   */
  public static NDArray r1(Function<NDArray, NDArray> critic, NDArray real, float gamma) {
    Objects.requireNonNull(critic, "critic");
    Shape shape = real.getShape();
    if (shape.dimension() < 2 || shape.get(0) < 1) {
      throw new IllegalArgumentException("expected a batch [N, ...] with N >= 1, got " + shape);
    }
    if (!(gamma >= 0f) || Float.isInfinite(gamma)) {
      throw new IllegalArgumentException("gamma must be finite and >= 0, got " + gamma);
    }
    int n = Math.toIntExact(shape.get(0));
    boolean recording = JniUtils.isGradMode();
    try {
      JniUtils.setGradMode(false); // a leaf, whatever graph real carries
      NDArray x = real.duplicate();
      x.setRequiresGradient(true);

      JniUtils.setGradMode(true);
      NDArray gradient = GradientScript.gradientOfSum(critic.apply(x), x); // [N, ...]
      return gradient.square().reshape(n, -1).sum(new int[] {1}).mean().mul(gamma / 2);
    } finally {
      JniUtils.setGradMode(recording);
    }
  }

  /**
   * {@code ∇_inputs Σ outputs} as a tensor with its own graph, for penalties on the critic's
   * input gradient other than WGAN-GP's (R1: {@code γ/2 · mean ‖∇D(real)‖²}). Touches no
   * {@code .grad}; keeps {@code outputs}' graph. Same threading rules as {@link #penalty}.
   *
   * @param outputs the critic's scores, computed from {@code inputs} with gradient recording on
   * @param inputs an array that requires a gradient
   * @return the gradient, shaped like {@code inputs}, in {@code outputs}' manager
   * @throws IllegalArgumentException if {@code inputs} does not require a gradient or
   *     {@code outputs} has no graph
   */
  public static NDArray inputGradient(NDArray outputs, NDArray inputs) {
    boolean recording = JniUtils.isGradMode();
    try {
      JniUtils.setGradMode(true);
      return GradientScript.gradientOfSum(outputs, inputs);
    } finally {
      JniUtils.setGradMode(recording);
    }
  }
}
