package io.genstream.app.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import io.genstream.generator.ModelRegistry;
import io.genstream.trainer.evaluation.PixelSpread;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo's closing word on the quality gate. */
class GateVerdictTest {

  private static ModelRegistry.VersionInfo version(long number, Map<String, Double> metrics) {
    return new ModelRegistry.VersionInfo(new ModelManifest("digits", number, number - 1, "cgan",
        1, 28, 28, 64, 10, Map.of(), Map.of(), "00", 0, metrics),
        ModelRegistry.VersionStatus.LOADED, null);
  }

  private static Map<String, Double> spread(double worst, int worstClass) {
    return Map.of("step", 200.0, PixelSpread.MEAN, worst + 0.1, PixelSpread.WORST, worst,
        PixelSpread.WORST_CLASS, (double) worstClass, PixelSpread.WORST_GENERATED, worst * 0.13,
        PixelSpread.WORST_REAL, 0.13);
  }

  @Test
  void saysLoudlyThatNoVersionPassedAndWhy() {
    ModelStatus status = ModelStatus.none("digits", "fd")
        .judged(1, new VersionStatus(ModelStatus.REJECTED,
            "collapsed: class 3 spread 0.040 vs 0.130 real (0.31 < 0.50)"), null)
        .judged(2, new VersionStatus(ModelStatus.REJECTED,
            "collapsed: class 5 spread 0.050 vs 0.130 real (0.38 < 0.50)"), null)
        .judged(3, new VersionStatus(ModelStatus.CANDIDATE, "not judged: no fd yet"), null);
    List<String> lines = GateVerdict.lines(status, List.of(), true);
    assertThat(lines).containsExactly(
        "  best version       : NONE",
        "  !! no version passed the quality gate: 2 of 3 versions rejected (newest, v2: "
            + "collapsed: class 5 spread 0.050 vs 0.130 real (0.38 < 0.50)); 1 not judged "
            + "(newest, v3: not judged: no fd yet)",
        "  !! requests were served from 'latest', which the gate did not approve");
  }

  @Test
  void saysSoWhenNothingWasJudgedOrJudgingIsOff() {
    ModelStatus none = ModelStatus.none("digits", "fd");
    assertThat(GateVerdict.lines(none, List.of(), true)).element(1).asString()
        .contains("no version passed the quality gate: no version was judged");
    assertThat(GateVerdict.lines(none, List.of(), false)).element(1).asString()
        .contains("no version passed the quality gate", "--no-evaluation");
  }

  @Test
  void saysWhetherBestPassedTheCollapseCheckWithItsFigures() {
    ModelStatus status = ModelStatus.none("digits", "fd")
        .judged(1, new VersionStatus(ModelStatus.REJECTED, "collapsed: …"), null)
        .judged(2, new VersionStatus(ModelStatus.BEST, "first judged version"), 40.0);
    List<String> lines = GateVerdict.lines(status,
        List.of(version(1, spread(0.2, 3)), version(2, spread(0.8, 4))), true);
    assertThat(lines).containsExactly("  collapse check     : passed by v2: pixel spread 0.90 of "
        + "real images' on average, 0.80 in its worst class, 4 (0.104 vs 0.130 real)");
  }

  @Test
  void theTableListsVersionsJudgedBeforeTheEvaluatorFroze() {
    ModelStatus status = ModelStatus.none("digits", "fd")
        .judged(1, new VersionStatus(ModelStatus.REJECTED,
            "collapsed: class 3 spread 0.026 vs 0.130 real (0.20 < 0.50)"), null);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    VersionTable.print(new PrintStream(bytes, true, StandardCharsets.UTF_8),
        List.of(version(1, spread(0.2, 3))), status);
    String table = bytes.toString(StandardCharsets.UTF_8);
    assertThat(table).contains("v1           200 rejected    0.20        -")
        .contains("  v1 rejected: collapsed: class 3 spread 0.026 vs 0.130 real (0.20 < 0.50)");
    assertThat(VersionTable.bestText(status)).isEqualTo("best: none yet (1 rejected)");
  }
}
