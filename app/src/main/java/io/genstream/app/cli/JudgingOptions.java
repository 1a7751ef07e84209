package io.genstream.app.cli;

import io.genstream.trainer.Judging;
import io.genstream.trainer.ReplayOptions;
import io.genstream.trainer.ShuffleOptions;
import io.genstream.trainer.evaluation.EvaluationOptions;
import io.genstream.trainer.promotion.PromotionRules;
import picocli.CommandLine.Option;

/**
 * How the trainer shuffles and replays images and judges versions, for {@code trainer} and
 * {@code demo}. The defaults are the trainer's own ({@link ShuffleOptions}, {@link
 * ReplayOptions}, {@link EvaluationOptions}, {@link PromotionRules}), so the help shows what
 * runs.
 */
public final class JudgingOptions {

  @Option(names = "--promote-by", paramLabel = "METRIC",
      description = "Metric that decides 'best': fd (default for images), classConsistency, "
          + "precision, recall, mseVsCopyLast (default for framepred), …")
  String promoteBy;

  @Option(names = "--promote-margin", paramLabel = "FRACTION",
      defaultValue = PromotionRules.DEFAULT_MARGIN,
      description = "Relative improvement over 'best' a version needs to replace it "
          + "(default: ${DEFAULT-VALUE}).")
  double promoteMargin;

  @Option(names = "--reject-diversity", paramLabel = "RATIO",
      defaultValue = PromotionRules.DEFAULT_MIN_DIVERSITY,
      description = "Reject a version as collapsed when its diversity (generated vs real "
          + "spread) is below this (default: ${DEFAULT-VALUE}).")
  double rejectDiversity;

  @Option(names = "--reject-spread", paramLabel = "RATIO",
      defaultValue = PromotionRules.DEFAULT_MIN_PIXEL_SPREAD,
      description = "Reject a version as collapsed when its images' pixel spread (mean "
          + "pairwise L1 within a class) is below this share of held-out real images' on "
          + "average, or below half of it in one class; judged before the evaluator is ready, "
          + "too (default: ${DEFAULT-VALUE}).")
  double rejectSpread;

  @Option(names = "--evaluator-max-steps", paramLabel = "N",
      defaultValue = EvaluationOptions.Freeze.DEFAULT_MAX_STEPS,
      description = "The evaluator that judges versions stops learning after N steps at the "
          + "latest; earlier at 98%% held-out accuracy or when its accuracy plateaus "
          + "(default: ${DEFAULT-VALUE}).")
  int evaluatorMaxSteps;

  @Option(names = "--evaluator-max-time", paramLabel = "DURATION",
      defaultValue = EvaluationOptions.Freeze.DEFAULT_MAX_TIME,
      converter = DurationConverter.class,
      description = "... or after this long, e.g. 90s, 5m; 0s for no time limit "
          + "(default: ${DEFAULT-VALUE}).")
  java.time.Duration evaluatorMaxTime;

  @Option(names = "--hold-out-every", paramLabel = "N",
      defaultValue = EvaluationOptions.DEFAULT_HOLD_OUT_EVERY,
      description = "Hold out about one image in N, never trained on, to judge versions "
          + "(default: ${DEFAULT-VALUE}).")
  int holdOutEvery;

  @Option(names = "--no-evaluation", negatable = false,
      description = "Do not judge versions: no held-out images, no evaluator, no 'best'.")
  boolean noEvaluation;

  @Option(names = "--shuffle-buffer", paramLabel = "N",
      defaultValue = ShuffleOptions.DEFAULT_CAPACITY,
      description = "Training images held to shuffle the stream before batching, so a "
          + "class-by-class producer still gives mixed batches; 0 = off (default: "
          + "${DEFAULT-VALUE}).")
  int shuffleBuffer;

  @Option(names = "--replay-capacity", paramLabel = "N",
      defaultValue = ReplayOptions.DEFAULT_CAPACITY,
      description = "Training images kept for replay, class-balanced; 0 = no replay "
          + "(default: ${DEFAULT-VALUE}).")
  int replayCapacity;

  @Option(names = "--replay-share", paramLabel = "FRACTION",
      defaultValue = ReplayOptions.DEFAULT_SHARE,
      description = "Part of each batch drawn from the replay (default: ${DEFAULT-VALUE}).")
  double replayShare;

  @Option(names = "--replay-steps", paramLabel = "N",
      defaultValue = ReplayOptions.DEFAULT_STEPS_PER_FRESH_BATCH,
      description = "Replay-only steps after each batch of fresh images (default: "
          + "${DEFAULT-VALUE}).")
  int replaySteps;

  /**
   * The settings given.
   *
   * @throws IllegalArgumentException naming the setting if one is out of range
   */
  public Judging judging() {
    ReplayOptions defaults = ReplayOptions.defaults();
    ReplayOptions replay = new ReplayOptions(replayCapacity, replayCapacity == 0 ? 0 : replayShare,
        replaySteps, defaults.batchWait());
    EvaluationOptions evaluationDefaults = EvaluationOptions.defaults();
    EvaluationOptions evaluation = noEvaluation ? null
        : evaluationDefaults.withHoldOutEvery(holdOutEvery).withFreeze(
            evaluationDefaults.freeze().withBudget(evaluatorMaxSteps, evaluatorMaxTime));
    return new Judging(new ShuffleOptions(shuffleBuffer), replay, evaluation,
        new PromotionRules(promoteBy, promoteMargin, rejectDiversity, rejectSpread));
  }
}
