package io.genstream.trainer.promotion;

import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import io.genstream.trainer.evaluation.ImageEvaluation;
import io.genstream.trainer.evaluation.PixelSpread;
import java.util.Locale;
import java.util.Map;

/**
 * Decides each version's status from its figures and keeps the model's {@link ModelStatus}:
 *
 * <ol>
 *   <li>{@code rejected} if a training loss or a figure is NaN or infinite, or a generated
 *       image is ({@code nonFiniteImages}: a diverged model),
 *       or it is collapsed: its pixel spread is below {@code minPixelSpread} of the real images'
 *       on average over the classes, or below half of that in one class (measured whether or
 *       not the evaluator is frozen), or its feature-space diversity below {@code
 *       minDiversity}. It never becomes best;
 *   <li>{@code candidate} if it has no main metric yet (the evaluator is still learning, too few
 *       held-out images);
 *   <li>{@code best} if it is the first judged version, or its main metric beats best's by the
 *       margin;
 *   <li>{@code candidate} otherwise.
 * </ol>
 *
 * <p>A judgement is {@link #judge proposed} when the version is exported and {@link #accept
 * accepted} once the version is on the broker, so that {@code best} never names a version that
 * was not published. Thread-safe; judgements are expected one at a time (the trainer's thread).
 */
public final class Promotion {

  private final PromotionRules rules;
  private final String metric;
  private volatile ModelStatus status;

  /**
   * @param initial the status already on the models topic (a restarted trainer), or {@link
   *     ModelStatus#none}
   */
  public Promotion(PromotionRules rules, String metric, ModelStatus initial) {
    this.rules = rules;
    this.metric = metric;
    this.status = initial;
  }

  /**
   * A judgement of {@code version}.
   *
   * @param version the version's number
   * @param metrics the version's figures: training losses and evaluation together
   */
  public Judgement judge(long version, Map<String, Double> metrics) {
    ModelStatus current = status;
    VersionStatus verdict = verdict(metrics, current);
    Double value = metrics.get(metric);
    return new Judgement(version, verdict, current.judged(version, verdict, value));
  }

  private VersionStatus verdict(Map<String, Double> metrics, ModelStatus current) {
    for (Map.Entry<String, Double> figure : metrics.entrySet()) {
      if (figure.getValue() == null || !Double.isFinite(figure.getValue())) {
        return new VersionStatus(ModelStatus.REJECTED,
            "diverged: " + figure.getKey() + " is " + figure.getValue());
      }
    }
    Double broken = metrics.get(ImageEvaluation.NON_FINITE_IMAGES);
    if (broken != null && broken > 0) {
      return new VersionStatus(ModelStatus.REJECTED, String.format(Locale.ROOT,
          "diverged: %d generated images have NaN or infinite values", broken.longValue()));
    }
    // The worst class alone is a noisy figure (8 images of each class, one of ten classes):
    // on real MNIST a well-trained version's worst class measured 0.38-0.45 of real's while
    // its average was 0.76, and crude early versions, whose blotches differ a lot, scored
    // higher. So the average decides, and one class only when it collapsed outright.
    Double worst = metrics.get(PixelSpread.WORST);
    double classBar = rules.minPixelSpread() / 2;
    if (worst != null && worst < classBar) {
      return new VersionStatus(ModelStatus.REJECTED, collapsedReason(metrics, worst, classBar));
    }
    Double mean = metrics.get(PixelSpread.MEAN);
    if (mean != null && mean < rules.minPixelSpread()) {
      return new VersionStatus(ModelStatus.REJECTED, String.format(Locale.ROOT,
          "collapsed: pixel spread %.3f of real images' on average (< %.2f); worst %s", mean,
          rules.minPixelSpread(), worstSpread(metrics)));
    }
    Double diversity = metrics.get("diversity");
    if (diversity != null && diversity < rules.minDiversity()) {
      return new VersionStatus(ModelStatus.REJECTED, String.format(Locale.ROOT,
          "collapsed: diversity %.3f < %.2f of the real data's", diversity, rules.minDiversity()));
    }
    Double value = metrics.get(metric);
    if (value == null) {
      return new VersionStatus(ModelStatus.CANDIDATE, notJudgedReason(metrics));
    }
    if (!current.hasBest() || current.bestValue() == null) {
      String first = current.hasBest()
          ? "v" + current.best() + " has no " + metric + " this evaluator can compare"
          : "first judged version";
      return new VersionStatus(ModelStatus.BEST,
          String.format(Locale.ROOT, "%s: %s %.4g", first, metric, value));
    }
    double best = current.bestValue();
    boolean higher = PromotionRules.higherIsBetter(metric);
    double needed = higher ? best + Math.abs(best) * rules.margin()
        : best - Math.abs(best) * rules.margin();
    boolean better = higher ? value >= needed && value > best : value <= needed && value < best;
    String comparison = String.format(Locale.ROOT, "%s %.4g vs v%d's %.4g (needs %s %.4g)",
        metric, value, current.best(), best, higher ? "≥" : "≤", needed);
    return new VersionStatus(better ? ModelStatus.BEST : ModelStatus.CANDIDATE, comparison);
  }

  /** E.g. {@code collapsed: class 3 spread 0.020 vs 0.130 real (0.154 < 0.25)}. */
  private static String collapsedReason(Map<String, Double> metrics, double ratio, double bar) {
    return String.format(Locale.ROOT, "collapsed: %s (%.3f < %.2f)", worstSpread(metrics), ratio,
        bar);
  }

  /** E.g. {@code class 3 spread 0.020 vs 0.130 real}; no class for an unconditional model. */
  private static String worstSpread(Map<String, Double> metrics) {
    Double worstClass = metrics.get(PixelSpread.WORST_CLASS);
    return String.format(Locale.ROOT, "%sspread %.3f vs %.3f real",
        worstClass == null ? "" : "class " + worstClass.longValue() + " ",
        metrics.getOrDefault(PixelSpread.WORST_GENERATED, Double.NaN),
        metrics.getOrDefault(PixelSpread.WORST_REAL, Double.NaN));
  }

  private String notJudgedReason(Map<String, Double> metrics) {
    StringBuilder reason = new StringBuilder("not judged: no ").append(metric).append(" yet");
    Double accuracy = metrics.get("evaluatorAccuracy");
    Double steps = metrics.get("evaluatorSteps");
    Double heldOut = metrics.get("heldOutImages");
    if (heldOut != null) {
      reason.append(String.format(Locale.ROOT, " (%d held-out images", heldOut.longValue()));
      if (steps != null) {
        reason.append(String.format(Locale.ROOT, ", evaluator at step %d", steps.longValue()));
      }
      if (accuracy != null) {
        reason.append(String.format(Locale.ROOT, ", accuracy %.3f", accuracy));
      }
      reason.append(')');
    }
    Double spread = metrics.get(PixelSpread.WORST);
    if (spread != null) {
      reason.append(String.format(Locale.ROOT,
          "; not collapsed: pixel spread %.2f of real's in its worst class", spread));
    }
    return reason.toString();
  }

  /**
   * Continues from the status a previous run left on the models topic. Its {@code best} stays
   * best; if the figures judged from now on do not compare with its value (the evaluator is a
   * new one, or the metric changed), the value is forgotten and the next judged version is
   * compared with nothing, so it becomes best.
   *
   * @param existing the status on the models topic, or null for none
   * @param comparable whether this run's figures compare with the previous run's
   */
  public void resume(ModelStatus existing, boolean comparable) {
    if (existing == null) {
      return;
    }
    boolean same = comparable && metric.equals(existing.metric());
    status = new ModelStatus(existing.model(), existing.best(), metric,
        same ? existing.bestValue() : null, existing.versions());
  }

  /** Makes a judgement the current status (once its version is published). */
  public void accept(Judgement judgement) {
    status = judgement.next();
  }

  /** The current status: what the models topic says, or is about to. */
  public ModelStatus status() {
    return status;
  }

  /** The version currently best, 0 for none. */
  public long best() {
    return status.best();
  }

  /** The metric versions are compared by. */
  public String metric() {
    return metric;
  }

  /**
   * A decision about one version.
   *
   * @param verdict its status and why
   * @param next the model's status with it
   */
  public record Judgement(long version, VersionStatus verdict, ModelStatus next) {

    public boolean isBest() {
      return verdict.status().equals(ModelStatus.BEST);
    }

    /** E.g. {@code best (fd 31.2 vs v7's 35.0 (needs ≤ 34.3))}. */
    @Override
    public String toString() {
      return verdict.status() + (verdict.reason().isEmpty() ? "" : " (" + verdict.reason() + ")");
    }
  }
}
