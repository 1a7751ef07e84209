package io.genstream.trainer.family.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.genstream.trainer.family.ModelSpec.Objective;

/**
 * The GAN objectives as losses over discriminator scores ({@code [N]}, unbounded): what D
 * minimises on real scores {@code r} and fake scores {@code f}, and what G minimises.
 *
 * <ul>
 *   <li>non-saturating (Goodfellow et al.): D {@code -log σ(r) - log(1-σ(f))}, G {@code -log σ(f)};
 *       one-sided label smoothing s makes the real target 1-s
 *   <li>least squares (LSGAN, Mao et al.): D {@code ½(r-(1-s))² + ½f²}, G {@code ½(f-1)²}
 *   <li>hinge (Lim &amp; Ye; SAGAN, BigGAN): D {@code max(0,1-r) + max(0,1+f)}, G {@code -f}
 *   <li>Wasserstein (WGAN, WGAN-GP): D {@code f - r}, G {@code -f} (plus clipping or a penalty,
 *       applied by the family)
 *   <li>relativistic average (RaGAN, Jolicoeur-Martineau): D {@code -log σ(r - f̄) - log(1-σ(f -
 *       r̄))}, G the same with real and fake swapped
 * </ul>
 *
 * <p>Public so that other families can add an adversarial term (frame prediction).
 */
public final class GanLosses {

  private GanLosses() {}

  public static NDArray discriminator(Objective objective, NDArray r, NDArray f, float smoothing) {
    return switch (objective) {
      case NONSATURATING -> bce(r, 1 - smoothing).add(Activation.softPlus(f).mean());
      case LSGAN -> r.sub(1 - smoothing).square().mean().mul(0.5f)
          .add(f.square().mean().mul(0.5f));
      case HINGE -> Activation.relu(r.neg().add(1)).mean()
          .add(Activation.relu(f.add(1)).mean());
      case WGAN, WGAN_GP -> f.mean().sub(r.mean());
      case RAGAN -> Activation.softPlus(r.sub(f.mean()).neg()).mean()
          .add(Activation.softPlus(f.sub(r.mean())).mean());
    };
  }

  /**
   * @param r real scores from the (frozen) discriminator, without gradient; only RaGAN reads it
   */
  public static NDArray generator(Objective objective, NDArray f, NDArray r) {
    return switch (objective) {
      case NONSATURATING -> Activation.softPlus(f.neg()).mean();
      case LSGAN -> f.sub(1).square().mean().mul(0.5f);
      case HINGE, WGAN, WGAN_GP -> f.mean().neg();
      case RAGAN -> Activation.softPlus(f.sub(r.mean()).neg()).mean()
          .add(Activation.softPlus(r.sub(f.mean())).mean());
    };
  }

  /** Whether the generator's loss needs the real images' scores. */
  public static boolean generatorNeedsRealScores(Objective objective) {
    return objective == Objective.RAGAN;
  }

  /** Scores as the progress line shows them: probabilities where D is a classifier. */
  public static float meanScore(Objective objective, NDArray scores) {
    return switch (objective) {
      case NONSATURATING, RAGAN -> Activation.sigmoid(scores).mean().getFloat();
      default -> scores.mean().getFloat();
    };
  }

  /**
   * The score above which D calls an image real, for ADA's r_t: 0 for logits and critics, ½
   * for least squares (targets 0 and 1).
   */
  public static float decisionBoundary(Objective objective) {
    return objective == Objective.LSGAN ? 0.5f : 0f;
  }

  /** Binary cross-entropy of logits against a constant target t: {@code t·sp(-x) + (1-t)·sp(x)}. */
  private static NDArray bce(NDArray logits, float target) {
    NDArray loss = Activation.softPlus(logits.neg()).mean();
    return target == 1f ? loss
        : loss.mul(target).add(Activation.softPlus(logits).mean().mul(1 - target));
  }
}
