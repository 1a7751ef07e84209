package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The freeze rule fed sequences of held-out accuracies, one check per 100 steps. */
class FreezeRuleTest {

  /** Ready at 0.98 after 300 steps; a plateau is 3 checks within 0.005; 2000 steps or 60 s. */
  private static final EvaluationOptions.Freeze SETTINGS =
      new EvaluationOptions.Freeze(0.98, 300, 2000, Duration.ofSeconds(60), 100, 3, 0.005);

  /** The step at which the rule freezes, fed {@code accuracies} at steps 100, 200, …; -1: never. */
  private static long freezeStep(FreezeRule rule, double... accuracies) {
    for (int i = 0; i < accuracies.length; i++) {
      long step = (i + 1) * 100L;
      if (rule.check(step, accuracies[i], 10, 10).freeze()) {
        return step;
      }
    }
    return -1;
  }

  @Test
  void freezesWhenAccuracyStopsImprovingOnDataItCannotMaster() {
    FreezeRule rule = new FreezeRule(SETTINGS, 0.98);
    // Clothing-like: rises to about 0.73 and stays there, up and down by noise.
    long step = freezeStep(rule, 0.40, 0.60, 0.70, 0.725, 0.731, 0.728, 0.733, 0.730, 0.735);
    // Checks 6-8 (0.728, 0.733, 0.730) are within 0.005 of the 0.731 before them.
    assertThat(step).isEqualTo(800);
    assertThat(rule.best()).isEqualTo(0.733);
    assertThat(rule.bestStep()).isEqualTo(700);
  }

  @Test
  void saysWhyItFroze() {
    FreezeRule rule = new FreezeRule(SETTINGS, 0.98);
    rule.check(100, 0.9, 10, 10);
    rule.check(200, 0.971, 10, 10);
    rule.check(300, 0.968, 10, 10);
    rule.check(400, 0.97, 10, 10);
    FreezeRule.Decision last = rule.check(500, 0.969, 10, 10);
    assertThat(last.outcome()).isEqualTo(FreezeRule.Outcome.PLATEAU);
    assertThat(last.reason()).isEqualTo("accuracy plateaued at 0.971 over the last 3 checks");
  }

  @Test
  void keepsLearningWhileEachWindowImprovesByMoreThanEpsilon() {
    FreezeRule rule = new FreezeRule(SETTINGS, 0.98);
    double[] rising = new double[19];
    for (int i = 0; i < rising.length; i++) {
      rising[i] = 0.5 + 0.01 * i; // 0.03 per window of 3 checks, over the 0.005 epsilon
    }
    assertThat(freezeStep(rule, rising)).isEqualTo(-1);
  }

  @Test
  void aSlowerRiseThanEpsilonPerWindowIsAPlateau() {
    FreezeRule rule = new FreezeRule(SETTINGS, 0.98);
    double[] creeping = new double[19];
    for (int i = 0; i < creeping.length; i++) {
      creeping[i] = 0.5 + 0.001 * i; // 0.003 per window
    }
    assertThat(freezeStep(rule, creeping)).isEqualTo(400);
  }

  @Test
  void freezesEarlyAtTheReadyBarButNotBeforeMinSteps() {
    FreezeRule rule = new FreezeRule(SETTINGS, 0.98);
    assertThat(freezeStep(rule, 0.985, 0.99, 0.991)).isEqualTo(300);
    FreezeRule ready = new FreezeRule(SETTINGS, 0.98);
    FreezeRule.Decision decision = ready.check(300, 0.985, 10, 10);
    assertThat(decision.outcome()).isEqualTo(FreezeRule.Outcome.READY);
    assertThat(decision.reason()).isEqualTo("held-out accuracy 0.985 reached the 0.980 bar");
  }

  @Test
  void aHeldOutSetMissingClassesFreezesNothingByAccuracy() {
    FreezeRule rule = new FreezeRule(SETTINGS, 0.98);
    // Class-sorted data: only classes 0-2 held out so far, and told apart perfectly.
    for (long step = 100; step <= 1000; step += 100) {
      assertThat(rule.check(step, 1.0, 3, 10).freeze()).as("step " + step).isFalse();
    }
  }

  @Test
  void aNewClassInTheHeldOutSetStartsTheWindowAgain() {
    FreezeRule rule = new FreezeRule(SETTINGS, 0.98);
    rule.check(100, 0.95, 9, 10);
    rule.check(200, 0.95, 9, 10);
    rule.check(300, 0.95, 9, 10);
    // The tenth class arrives: accuracy falls, and 0.95 over nine classes no longer compares.
    assertThat(rule.check(400, 0.85, 10, 10).freeze()).isFalse();
    assertThat(rule.best()).isEqualTo(0.85);
    assertThat(rule.check(500, 0.86, 10, 10).freeze()).isFalse();
    assertThat(rule.check(600, 0.86, 10, 10).freeze()).isFalse();
    assertThat(rule.check(700, 0.86, 10, 10).freeze()).isFalse();
    assertThat(rule.check(800, 0.86, 10, 10).freeze()).isTrue();
  }

  @Test
  void budgetsFreezeWhateverTheAccuracy() {
    FreezeRule rule = new FreezeRule(SETTINGS, 0.98);
    assertThat(rule.budgetSpent(1999, Duration.ofSeconds(59))).isNull();
    assertThat(rule.budgetSpent(2000, Duration.ofSeconds(1)))
        .isEqualTo("step budget of 2000 steps spent");
    assertThat(rule.budgetSpent(10, Duration.ofSeconds(60)))
        .isEqualTo("time budget of 60 s spent");
    FreezeRule untimed = new FreezeRule(SETTINGS.withBudget(2000, Duration.ZERO), 0.98);
    assertThat(untimed.budgetSpent(10, Duration.ofHours(5))).isNull();
  }

  @Test
  void settingsOutOfRangeAreRefusedByName() {
    assertThatThrownBy(() -> new EvaluationOptions.Freeze(0.98, 300, 2000, Duration.ZERO, 0, 3,
        0.005)).hasMessage("evaluator checkEvery must be 1..100000, got 0");
    assertThatThrownBy(() -> new EvaluationOptions.Freeze(0.98, 3000, 2000, Duration.ZERO, 100,
        3, 0.005)).hasMessage("evaluator minSteps must be 0..maxSteps (2000), got 3000");
    assertThatThrownBy(() -> new EvaluationOptions.Freeze(0.98, 300, 2000,
        Duration.ofSeconds(-1), 100, 3, 0.005)).hasMessageStartingWith("evaluator maxTime");
  }
}
