package io.genstream.trainer.promotion;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.messages.ModelStatus;
import io.genstream.trainer.evaluation.PixelSpread;
import io.genstream.trainer.family.ModelSpec.Family;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromotionTest {

  private final Promotion promotion = newPromotion(PromotionRules.defaults());

  private static Promotion newPromotion(PromotionRules rules) {
    String metric = rules.metricFor(Family.CGAN);
    return new Promotion(rules, metric, ModelStatus.none("digits", metric));
  }

  private static Map<String, Double> figures(double fd, double diversity) {
    Map<String, Double> figures = new HashMap<>();
    figures.put("gLoss", 1.2);
    figures.put("dLoss", 0.7);
    figures.put("fd", fd);
    figures.put("diversity", diversity);
    return figures;
  }

  private Promotion.Judgement judgeAndAccept(long version, Map<String, Double> figures) {
    Promotion.Judgement judgement = promotion.judge(version, figures);
    promotion.accept(judgement);
    return judgement;
  }

  @Test
  void theFirstJudgedVersionBecomesBest() {
    Promotion.Judgement first = judgeAndAccept(1, figures(40, 0.8));
    assertThat(first.isBest()).isTrue();
    assertThat(promotion.best()).isEqualTo(1);
    assertThat(promotion.status().bestValue()).isEqualTo(40.0);
  }

  @Test
  void bestMovesOnlyWhenTheMainMetricImprovesByTheMargin() {
    judgeAndAccept(1, figures(40, 0.8));
    Promotion.Judgement slightlyBetter = judgeAndAccept(2, figures(39.5, 0.8)); // 1.25 % < 2 %
    Promotion.Judgement worse = judgeAndAccept(3, figures(45, 0.8));
    Promotion.Judgement better = judgeAndAccept(4, figures(30, 0.8));

    assertThat(slightlyBetter.verdict().status()).isEqualTo(ModelStatus.CANDIDATE);
    assertThat(slightlyBetter.verdict().reason()).contains("fd 39.50 vs v1's 40.00");
    assertThat(worse.verdict().status()).isEqualTo(ModelStatus.CANDIDATE);
    assertThat(better.isBest()).isTrue();
    assertThat(promotion.best()).isEqualTo(4);
    assertThat(promotion.status().statusOf(1)).isEqualTo(ModelStatus.CANDIDATE);
  }

  @Test
  void aCollapsedVersionIsRejectedAndNeverBest() {
    // Even with the best fd so far: a generator that ignores z can have a low fd on average.
    Promotion.Judgement collapsed = judgeAndAccept(1, figures(5, 0.05));
    assertThat(collapsed.verdict().status()).isEqualTo(ModelStatus.REJECTED);
    assertThat(collapsed.verdict().reason()).contains("collapsed", "0.050");
    assertThat(promotion.best()).isZero();
    assertThat(judgeAndAccept(2, figures(40, 0.8)).isBest()).isTrue();
  }

  /** Pixel-spread figures of a conditional version whose worst class is {@code worstClass}. */
  private static Map<String, Double> spread(Map<String, Double> figures, int worstClass,
      double generated, double real) {
    figures.put(PixelSpread.MEAN, generated / real + 0.2);
    figures.put(PixelSpread.WORST, generated / real);
    figures.put(PixelSpread.WORST_CLASS, (double) worstClass);
    figures.put(PixelSpread.WORST_GENERATED, generated);
    figures.put(PixelSpread.WORST_REAL, real);
    return figures;
  }

  @Test
  void aVersionWhosePixelSpreadCollapsedInOneClassIsRejectedWithThatClass() {
    Map<String, Double> unjudged = new HashMap<>(Map.of("gLoss", 1.0, "heldOutImages", 500.0));
    Promotion.Judgement judgement = judgeAndAccept(1, spread(unjudged, 3, 0.02, 0.13));
    assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.REJECTED);
    assertThat(judgement.verdict().reason())
        .isEqualTo("collapsed: class 3 spread 0.020 vs 0.130 real (0.154 < 0.25)");
    assertThat(promotion.best()).isZero();
  }

  @Test
  void aPixelCollapseIsRejectedEvenWithTheBestFdAndHealthyFeatureDiversity() {
    judgeAndAccept(1, spread(figures(40, 0.9), 0, 0.12, 0.13));
    Promotion.Judgement collapsed = judgeAndAccept(2, spread(figures(10, 0.9), 7, 0.02, 0.13));
    assertThat(collapsed.verdict().status()).isEqualTo(ModelStatus.REJECTED);
    assertThat(collapsed.verdict().reason()).startsWith("collapsed: class 7 spread 0.020");
    assertThat(promotion.best()).isEqualTo(1);
  }

  @Test
  void aSpreadAtTheThresholdPassesAndTheNotJudgedReasonSaysSo() {
    Map<String, Double> unjudged = new HashMap<>(Map.of("heldOutImages", 500.0,
        "evaluatorSteps", 300.0, "evaluatorAccuracy", 0.9));
    Promotion.Judgement judgement = judgeAndAccept(1, spread(unjudged, 2, 0.065, 0.13));
    assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.CANDIDATE);
    assertThat(judgement.verdict().reason()).contains("no fd yet",
        "not collapsed: pixel spread 0.50 of real's in its worst class");
  }

  @Test
  void anUnconditionalCollapseNamesNoClass() {
    Map<String, Double> figures = spread(figures(40, 0.9), 0, 0.01, 0.2);
    figures.remove(PixelSpread.WORST_CLASS);
    assertThat(judgeAndAccept(1, figures).verdict().reason())
        .isEqualTo("collapsed: spread 0.010 vs 0.200 real (0.050 < 0.25)");
  }

  @Test
  void theAverageSpreadDecidesAndOneWeakClassAloneDoesNot() {
    // As v9 of an 8-minute real-MNIST demo: varied, recognisable digits, class 2 at 0.38.
    Map<String, Double> healthy = spread(figures(40, 0.8), 2, 0.062, 0.165);
    healthy.put(PixelSpread.MEAN, 0.72);
    assertThat(judgeAndAccept(1, healthy).isBest()).isTrue();
    // Every class a little alike: the average is below the bar although no class collapsed.
    Map<String, Double> alike = spread(figures(30, 0.8), 4, 0.05, 0.13);
    alike.put(PixelSpread.MEAN, 0.41);
    Promotion.Judgement rejected = judgeAndAccept(2, alike);
    assertThat(rejected.verdict().status()).isEqualTo(ModelStatus.REJECTED);
    assertThat(rejected.verdict().reason()).isEqualTo("collapsed: pixel spread 0.410 of real "
        + "images' on average (< 0.50); worst class 4 spread 0.050 vs 0.130 real");
    assertThat(promotion.best()).isEqualTo(1);
  }

  @Test
  void aVersionWhoseLossesWentNaNIsRejected() {
    judgeAndAccept(1, figures(40, 0.8));
    Map<String, Double> diverged = figures(10, 0.9);
    diverged.put("gLoss", Double.NaN);
    Promotion.Judgement judgement = judgeAndAccept(2, diverged);
    assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.REJECTED);
    assertThat(judgement.verdict().reason()).contains("gLoss is NaN");
    assertThat(promotion.best()).isEqualTo(1);
  }

  @Test
  void aVersionWithoutTheMainMetricStaysACandidateAndSaysWhy() {
    Map<String, Double> unjudged = new HashMap<>(Map.of("gLoss", 1.0, "heldOutImages", 120.0,
        "evaluatorSteps", 80.0, "evaluatorAccuracy", 0.62));
    Promotion.Judgement judgement = judgeAndAccept(1, unjudged);
    assertThat(judgement.verdict().status()).isEqualTo(ModelStatus.CANDIDATE);
    assertThat(judgement.verdict().reason())
        .contains("no fd yet", "120 held-out images", "step 80", "accuracy 0.620");
    assertThat(promotion.best()).isZero();
  }

  @Test
  void aHigherIsBetterMetricPromotesUpwards() {
    Promotion byConsistency = newPromotion(new PromotionRules("classConsistency", 0.02, 0.3, 0.5));
    Map<String, Double> first = new HashMap<>(Map.of("classConsistency", 0.80));
    Map<String, Double> second = new HashMap<>(Map.of("classConsistency", 0.90));
    Map<String, Double> third = new HashMap<>(Map.of("classConsistency", 0.85));
    byConsistency.accept(byConsistency.judge(1, first));
    byConsistency.accept(byConsistency.judge(2, second));
    byConsistency.accept(byConsistency.judge(3, third));
    assertThat(byConsistency.best()).isEqualTo(2);
  }

  @Test
  void aJudgementMovesBestOnlyOnceAccepted() {
    Promotion.Judgement judgement = promotion.judge(1, figures(40, 0.8));
    assertThat(judgement.next().best()).isEqualTo(1);
    assertThat(promotion.best()).isZero(); // the version is not on the broker yet
  }

  @Test
  void aRestartKeepsBestAndItsFigureOnlyIfTheJudgeIsTheSame() {
    ModelStatus before = ModelStatus.none("digits", "fd")
        .judged(7, new ModelStatus.VersionStatus(ModelStatus.BEST, "first"), 30.0);

    Promotion sameJudge = newPromotion(PromotionRules.defaults());
    sameJudge.resume(before, true);
    assertThat(sameJudge.judge(8, figures(35, 0.8)).isBest()).isFalse();

    Promotion newJudge = newPromotion(PromotionRules.defaults());
    newJudge.resume(before, false);
    assertThat(newJudge.best()).isEqualTo(7);
    Promotion.Judgement first = newJudge.judge(8, figures(35, 0.8));
    assertThat(first.isBest()).isTrue();
    assertThat(first.verdict().reason()).contains("v7 has no fd this evaluator can compare");
  }

  @Test
  void framePredictionIsJudgedAgainstCopyingTheLastFrame() {
    assertThat(PromotionRules.defaults().metricFor(Family.FRAMEPRED)).isEqualTo("mseVsCopyLast");
    assertThat(PromotionRules.defaults().metricFor(Family.VAE)).isEqualTo("fd");
  }
}
