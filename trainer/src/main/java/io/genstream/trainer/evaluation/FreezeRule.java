package io.genstream.trainer.evaluation;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;

/**
 * The decision of {@link EvaluationOptions.Freeze}, fed one held-out accuracy at a time: pure
 * logic, no evaluator, so a test can feed it any sequence. Memory is bounded by the plateau
 * window: of the checks before it only their best accuracy is kept. Not thread-safe.
 */
final class FreezeRule {

  /** What a check decides: learn on, freeze as ready (its own weights), freeze at a plateau. */
  enum Outcome { LEARN, READY, PLATEAU }

  /**
   * What one check decided.
   *
   * @param outcome whether, and why, the evaluator freezes now
   * @param improved whether this check is the most accurate since the window last started (the
   *     weights worth keeping)
   * @param reason why it freezes, e.g. {@code "accuracy plateaued at 0.971 over the last 5
   *     checks"}; empty when it does not
   */
  record Decision(Outcome outcome, boolean improved, String reason) {

    boolean freeze() {
      return outcome != Outcome.LEARN;
    }
  }

  private final EvaluationOptions.Freeze settings;
  private final double readyAccuracy;
  private final ArrayDeque<Double> window = new ArrayDeque<>();
  private double bestBeforeWindow = Double.NaN;
  private double best = Double.NaN;
  private long bestStep = -1;
  private int classes = -1;

  /**
   * @param readyAccuracy the early-freeze bar for this evaluator's task (the settings' own for
   *     classes, a lower one for rotations)
   */
  FreezeRule(EvaluationOptions.Freeze settings, double readyAccuracy) {
    this.settings = settings;
    this.readyAccuracy = readyAccuracy;
  }

  /** Whether held-out accuracy is to be checked after evaluator step {@code step}. */
  boolean checkDue(long step) {
    return step > 0 && step % settings.checkEvery() == 0;
  }

  /**
   * Records the held-out accuracy after evaluator step {@code step}.
   *
   * @param classesHeldOut classes present in the held-out images it was measured on
   * @param classesExpected classes the evaluator must tell apart (1 for unlabelled data)
   */
  Decision check(long step, double accuracy, int classesHeldOut, int classesExpected) {
    if (classesHeldOut != classes) {
      // A new class: the accuracies so far were measured on a different question.
      classes = classesHeldOut;
      window.clear();
      bestBeforeWindow = Double.NaN;
      best = Double.NaN;
      bestStep = -1;
    }
    boolean improved = Double.isNaN(best) || accuracy > best;
    if (improved) {
      best = accuracy;
      bestStep = step;
    }
    window.addLast(accuracy);
    if (window.size() > settings.plateauChecks()) {
      double oldest = window.removeFirst();
      bestBeforeWindow = Double.isNaN(bestBeforeWindow) ? oldest
          : Math.max(bestBeforeWindow, oldest);
    }
    boolean eligible = step >= settings.minSteps() && classesHeldOut >= classesExpected;
    if (eligible && accuracy >= readyAccuracy) {
      return new Decision(Outcome.READY, improved, String.format(Locale.ROOT,
          "held-out accuracy %.3f reached the %.3f bar", accuracy, readyAccuracy));
    }
    if (eligible && plateaued()) {
      return new Decision(Outcome.PLATEAU, improved, String.format(Locale.ROOT,
          "accuracy plateaued at %.3f over the last %d checks", best, settings.plateauChecks()));
    }
    return new Decision(Outcome.LEARN, improved, "");
  }

  /**
   * Why a budget freezes the evaluator after step {@code step}, {@code elapsed} after its first
   * step, or null while neither budget is spent.
   */
  String budgetSpent(long step, Duration elapsed) {
    if (step >= settings.maxSteps()) {
      return "step budget of " + settings.maxSteps() + " steps spent";
    }
    if (!settings.maxTime().isZero() && elapsed.compareTo(settings.maxTime()) >= 0) {
      return "time budget of " + settings.maxTime().toSeconds() + " s spent";
    }
    return null;
  }

  /** The best accuracy since the window last started, NaN before the first check. */
  double best() {
    return best;
  }

  /** The step of {@link #best()}, -1 before the first check. */
  long bestStep() {
    return bestStep;
  }

  private boolean plateaued() {
    if (window.size() < settings.plateauChecks() || Double.isNaN(bestBeforeWindow)) {
      return false;
    }
    double recent = window.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    return recent <= bestBeforeWindow + settings.plateauEpsilon();
  }
}
