package io.genstream.trainer.evaluation;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluator's online training until its {@link FreezeRule} freezes it: one step per
 * training batch, a held-out accuracy check every {@code checkEvery} steps, a copy of the most
 * accurate weights so far (put back by a plateau or budget freeze), and one log line saying
 * when and why it froze. Used on the training thread only; the evaluator is owned by the
 * caller.
 */
final class EvaluatorWarmUp {

  private static final Logger log = LoggerFactory.getLogger(EvaluatorWarmUp.class);

  /**
   * A held-out accuracy and the number of classes among the images it was measured on.
   */
  record Measured(double accuracy, int classes) {}

  private final Evaluator evaluator;
  private final FreezeRule rule;
  private final Supplier<Measured> heldOut;
  private final int classesExpected;
  private final LongSupplier nanoClock;
  private long startedNanos = -1;
  // The weights (and Adam moments) of the rule's best check; dropped once frozen.
  private Map<String, float[]> bestState;
  private boolean frozen;
  private String reason = "";

  /**
   * @param heldOut measures the evaluator on the held-out images; null while too few are held
   * @param classesExpected classes the evaluator must tell apart (1 for unlabelled data)
   * @param nanoClock {@link System#nanoTime} but in tests
   */
  EvaluatorWarmUp(Evaluator evaluator, FreezeRule rule, Supplier<Measured> heldOut,
      int classesExpected, LongSupplier nanoClock) {
    this.evaluator = evaluator;
    this.rule = rule;
    this.heldOut = heldOut;
    this.classesExpected = classesExpected;
    this.nanoClock = nanoClock;
  }

  /** One evaluator step on a training batch, then the freeze rule; nothing once frozen. */
  void learn(float[] images, int[] labels) {
    if (frozen) {
      return;
    }
    if (startedNanos < 0) {
      startedNanos = nanoClock.getAsLong();
    }
    evaluator.train(images, labels);
    long step = evaluator.steps();
    Measured now = null;
    if (rule.checkDue(step)) {
      now = heldOut.get();
      if (now != null) {
        FreezeRule.Decision decision = rule.check(step, now.accuracy(), now.classes(),
            classesExpected);
        if (decision.improved()) {
          bestState = evaluator.state();
        }
        if (decision.freeze()) {
          freeze(step, decision.reason(), now.accuracy(),
              decision.outcome() == FreezeRule.Outcome.PLATEAU);
          return;
        }
      }
    }
    String budget = rule.budgetSpent(step,
        Duration.ofNanos(nanoClock.getAsLong() - startedNanos));
    if (budget != null) {
      if (now == null) {
        now = heldOut.get();
      }
      freeze(step, now == null ? budget
          : String.format(Locale.ROOT, "%s (accuracy %.3f)", budget, now.accuracy()),
          now == null ? Double.NaN : now.accuracy(), true);
    }
  }

  /** Whether it stopped learning. */
  boolean frozen() {
    return frozen;
  }

  /** Why it froze, e.g. {@code "accuracy plateaued at 0.971 over the last 5 checks"}; empty
   * while learning or when restored frozen from a checkpoint. */
  String reason() {
    return reason;
  }

  /** Continues frozen (or not) as a checkpoint says. */
  void restoreFrozen(boolean wasFrozen) {
    frozen = wasFrozen;
    bestState = null;
  }

  /**
   * @param keepBest whether to put back the most accurate weights checked, if better than these
   *     (a plateau or budget freeze; a ready evaluator keeps its own)
   */
  private void freeze(long step, String why, double accuracy, boolean keepBest) {
    frozen = true;
    String kept = "";
    if (keepBest && bestState != null && rule.bestStep() != step
        && (Double.isNaN(accuracy) || rule.best() > accuracy)) {
      evaluator.restore(bestState, rule.bestStep());
      kept = String.format(Locale.ROOT, "; keeps its weights of step %d (accuracy %.3f)",
          rule.bestStep(), rule.best());
    }
    bestState = null;
    reason = why + kept;
    log.info("evaluator frozen at step {}: {}", step, reason);
  }
}
