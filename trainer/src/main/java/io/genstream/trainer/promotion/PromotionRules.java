package io.genstream.trainer.promotion;

import io.genstream.trainer.evaluation.PixelSpread;
import io.genstream.trainer.family.ModelSpec.Family;
import java.util.Set;

/**
 * When a version becomes {@code best} and when it is {@code rejected}.
 *
 * @param metric the main metric compared between versions; null: the family's ({@code fd} for
 *     the image families, {@code mseVsCopyLast} for {@code framepred})
 * @param margin the relative improvement over {@code best} needed to replace it, 0..1 (0.02:
 *     2 % better)
 * @param minDiversity a version whose diversity (generated vs real spread in the evaluator's
 *     feature space) is below this is collapsed and rejected, 0..1
 * @param minPixelSpread a version whose pixel spread ({@link PixelSpread}: generated vs held-out
 *     real images, mean pairwise L1) is below this on average over its classes, or below half of
 *     this in one class, is collapsed and rejected, 0..1; needs no frozen evaluator, so it
 *     applies from the first version on
 */
public record PromotionRules(String metric, double margin, double minDiversity,
    double minPixelSpread) {

  /** Metrics where higher is better; every other metric is lower-is-better (distances, errors). */
  static final Set<String> HIGHER_IS_BETTER = Set.of("classConsistency", "precision", "recall",
      "diversity", "psnr", "ssim", "evaluatorAccuracy", PixelSpread.MEAN, PixelSpread.WORST);

  public PromotionRules {
    if (metric != null && !metric.matches("[A-Za-z][A-Za-z0-9]{0,63}")) {
      throw new IllegalArgumentException("promotion metric must be a metric name such as fd, "
          + "classConsistency or mseVsCopyLast, got '" + metric + "'");
    }
    if (!(margin >= 0 && margin < 1)) {
      throw new IllegalArgumentException("promotion margin must be 0..1, got " + margin);
    }
    if (!(minDiversity >= 0 && minDiversity <= 1)) {
      throw new IllegalArgumentException("minDiversity must be 0..1, got " + minDiversity);
    }
    if (!(minPixelSpread >= 0 && minPixelSpread <= 1)) {
      throw new IllegalArgumentException("minPixelSpread must be 0..1, got " + minPixelSpread);
    }
  }

  /** The default {@link #margin}, as the CLI shows it. */
  public static final String DEFAULT_MARGIN = "0.02";
  /** The default {@link #minDiversity}, as the CLI shows it. */
  public static final String DEFAULT_MIN_DIVERSITY = "0.3";

  /**
   * The default {@link #minPixelSpread}, as the CLI shows it: collapsed versions measured on real
   * MNIST were at 0.28-0.33 of real digits' spread, a cgan trained on shuffled MNIST at 0.78
   * (0.76 on average at step 1 600 of an 8-minute demo, its worst class at 0.44).
   */
  public static final String DEFAULT_MIN_PIXEL_SPREAD = "0.5";

  /**
   * The family's metric, a 2 % margin, rejection below 0.3 of the data's diversity or below 0.5
   * of its pixel spread on average (0.25 in one class).
   */
  public static PromotionRules defaults() {
    return new PromotionRules(null, Double.parseDouble(DEFAULT_MARGIN),
        Double.parseDouble(DEFAULT_MIN_DIVERSITY), Double.parseDouble(DEFAULT_MIN_PIXEL_SPREAD));
  }

  /** The metric compared for {@code family}. */
  public String metricFor(Family family) {
    if (metric != null) {
      return metric;
    }
    return family == Family.FRAMEPRED ? "mseVsCopyLast" : "fd";
  }

  static boolean higherIsBetter(String metric) {
    return HIGHER_IS_BETTER.contains(metric);
  }
}
