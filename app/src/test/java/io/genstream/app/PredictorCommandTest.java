package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PredictorCommandTest extends CliTest {

  @Test
  void helpNamesTheModelHorizonStreamsAndIdleTimeoutWithDefaults() {
    assertThat(run("predictor", "--help")).isZero();
    assertThat(out.toString())
        .contains("--model=NAME", "--bootstrap-server", "--horizon=H", "default: 1",
            "--max-streams=N", "10000)", "--stream-idle-timeout=DURATION", "default: 5m",
            "genstream.predictions", "copy-last");
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("predictor");
  }

  @Test
  void refusesAHorizonOutOfRangeBeforeConnecting() {
    assertThat(run("predictor", "--model", "clips", "-b", "127.0.0.1:1", "--horizon", "17"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("horizon must be 1..16, got 17");
  }

  @Test
  void requiresAModel() {
    assertThat(run("predictor", "-b", "127.0.0.1:1")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--model=NAME'");
  }
}
