package io.genstream.trainer;

import io.genstream.trainer.evaluation.EvaluationOptions;
import io.genstream.trainer.promotion.PromotionRules;
import java.util.Objects;

/**
 * How a trainer feeds and judges an image model, in one value for the commands that configure
 * it: the shuffle buffer and the replay of training images, the evaluation of versions (null:
 * none) and the promotion rules.
 */
public record Judging(ShuffleOptions shuffle, ReplayOptions replay, EvaluationOptions evaluation,
    PromotionRules promotion) {

  public Judging {
    Objects.requireNonNull(shuffle, "shuffle");
    Objects.requireNonNull(replay, "replay");
    Objects.requireNonNull(promotion, "promotion");
  }

  /** Shuffle buffer, replay, evaluation and promotion with their defaults. */
  public static Judging defaults() {
    return new Judging(ShuffleOptions.defaults(), ReplayOptions.defaults(), EvaluationOptions.defaults(),
        PromotionRules.defaults());
  }
}
