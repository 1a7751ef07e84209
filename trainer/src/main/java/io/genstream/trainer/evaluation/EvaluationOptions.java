package io.genstream.trainer.evaluation;

import java.time.Duration;
import java.util.Objects;

/**
 * How a trainer judges the versions of an image model (see {@link ImageEvaluation}).
 *
 * <p><b>The evaluator's warm-up.</b> The evaluator learns online from the training batches until
 * its {@link Freeze} rule freezes it; every later version is then measured in the same feature
 * space, so their figures compare. Versions exported before that get no feature-space figures,
 * but the pixel-space collapse check ({@link PixelSpread}) needs no evaluator and judges them
 * from the first version on.
 *
 * @param holdOutEvery about one image in this many is held out, never trained on, 2..1000
 * @param heldOutImages held-out images kept (a class-balanced reservoir)
 * @param minHeldOut held-out images needed before a version is judged
 * @param samplesPerClass generated images per class for each judgement (unconditional models:
 *     ten times this many)
 * @param freeze when the evaluator stops learning
 */
public record EvaluationOptions(int holdOutEvery, int heldOutImages, int minHeldOut,
    int samplesPerClass, Freeze freeze) {

  public EvaluationOptions {
    require(holdOutEvery >= 2 && holdOutEvery <= 1000, "holdOutEvery", holdOutEvery, "2..1000");
    require(heldOutImages >= 10 && heldOutImages <= 20_000, "heldOutImages", heldOutImages,
        "10..20000");
    require(minHeldOut >= 2 && minHeldOut <= heldOutImages, "minHeldOut", minHeldOut,
        "2..heldOutImages");
    require(samplesPerClass >= 2 && samplesPerClass <= 2000, "samplesPerClass", samplesPerClass,
        "2..2000");
    Objects.requireNonNull(freeze, "freeze");
  }

  /**
   * When the online evaluator freezes: whichever of these comes first.
   *
   * <ol>
   *   <li><b>Ready</b>: its held-out accuracy reaches {@code readyAccuracy} (for unlabelled data,
   *       90 % of the rotations told right) — the early
   *       freeze of an evaluator that masters its data, as on clean digits;
   *   <li><b>Plateau</b>: over the last {@code plateauChecks} checks its best held-out accuracy
   *       is no more than {@code plateauEpsilon} above the best of every check before them —
   *       data it cannot master (clothing photos: about 0.73; the rotation task: 0.85-0.87)
   *       would otherwise keep it learning forever;
   *   <li><b>Budget</b>: {@code maxSteps} evaluator steps, or {@code maxTime} of wall time since
   *       its first step in this process ({@link Duration#ZERO}: no time budget).
   * </ol>
   *
   * <p>Held-out accuracy is checked every {@code checkEvery} evaluator steps. Ready and plateau
   * need {@code minSteps} steps and a held-out set that holds every class; a new class in the
   * held-out set starts the plateau window again (accuracies over other classes do not compare).
   * A plateau or budget freeze keeps the weights of the most accurate check, not the last ones:
   * on a stream that comes class by class the last weights may have forgotten a class.
   *
   * @param readyAccuracy held-out accuracy at which the evaluator freezes early, 0..1
   * @param minSteps evaluator steps before an accuracy may freeze it, 0..maxSteps
   * @param maxSteps evaluator steps after which it freezes whatever its accuracy, 1..1000000
   * @param maxTime wall time after which it freezes whatever its accuracy, 0 (none) or more
   * @param checkEvery evaluator steps between two checks of held-out accuracy, 1..100000
   * @param plateauChecks checks without improvement that make a plateau, 1..1000
   * @param plateauEpsilon the improvement in accuracy that still counts as none, 0..0.5
   */
  public record Freeze(double readyAccuracy, int minSteps, int maxSteps, Duration maxTime,
      int checkEvery, int plateauChecks, double plateauEpsilon) {

    public Freeze {
      require(readyAccuracy >= 0 && readyAccuracy <= 1, "readyAccuracy", readyAccuracy, "0..1");
      require(maxSteps >= 1 && maxSteps <= 1_000_000, "evaluator maxSteps", maxSteps,
          "1..1000000");
      require(minSteps >= 0 && minSteps <= maxSteps, "evaluator minSteps", minSteps,
          "0..maxSteps (" + maxSteps + ")");
      Objects.requireNonNull(maxTime, "maxTime");
      require(!maxTime.isNegative(), "evaluator maxTime", maxTime, "0 (none) or more");
      require(checkEvery >= 1 && checkEvery <= 100_000, "evaluator checkEvery", checkEvery,
          "1..100000");
      require(plateauChecks >= 1 && plateauChecks <= 1000, "plateauChecks", plateauChecks,
          "1..1000");
      require(plateauEpsilon >= 0 && plateauEpsilon <= 0.5, "plateauEpsilon", plateauEpsilon,
          "0..0.5");
    }

    /**
     * 98 % after 300 steps; a plateau of 5 checks of 100 steps within 0.005 (about the noise of
     * an accuracy over 1000 held-out images at 97 %); at the latest after {@value
     * #DEFAULT_MAX_STEPS} steps or {@value #DEFAULT_MAX_TIME} (so that a demo of a few minutes
     * on a busy machine still judges its last versions). (Measured on rendered digits: an
     * evaluator of 1500 steps, 99 % accurate, separated a GAN's poor and good versions by 3.9×
     * in FD, one of 200 steps, 93 %, by 2×.)
     */
    public static Freeze defaults() {
      return new Freeze(0.98, 300, Integer.parseInt(DEFAULT_MAX_STEPS),
          Duration.ofMinutes(2), 100, 5, 0.005);
    }

    /** The default {@link #maxSteps}, as the CLI shows it. */
    public static final String DEFAULT_MAX_STEPS = "2000";
    /** The default {@link #maxTime}, as the CLI shows it. */
    public static final String DEFAULT_MAX_TIME = "2m";

    /** These settings with the budgets given ({@code minSteps} lowered to fit). */
    public Freeze withBudget(int steps, Duration time) {
      return new Freeze(readyAccuracy, Math.min(minSteps, steps), steps, time, checkEvery,
          plateauChecks, plateauEpsilon);
    }
  }

  /** 1 image in 10 held out, 1000 kept, 200 needed; 100 generated images per class; {@link
   * Freeze#defaults()}. */
  public static EvaluationOptions defaults() {
    return new EvaluationOptions(Integer.parseInt(DEFAULT_HOLD_OUT_EVERY), 1000, 200, 100,
        Freeze.defaults());
  }

  /** The default {@link #holdOutEvery}, as the CLI shows it. */
  public static final String DEFAULT_HOLD_OUT_EVERY = "10";

  /** These options holding out one image in {@code every}. */
  public EvaluationOptions withHoldOutEvery(int every) {
    return new EvaluationOptions(every, heldOutImages, minHeldOut, samplesPerClass, freeze);
  }

  /** These options with another freeze rule. */
  public EvaluationOptions withFreeze(Freeze rule) {
    return new EvaluationOptions(holdOutEvery, heldOutImages, minHeldOut, samplesPerClass, rule);
  }

  private static void require(boolean ok, String name, Object value, String range) {
    if (!ok) {
      throw new IllegalArgumentException(name + " must be " + range + ", got " + value);
    }
  }
}
