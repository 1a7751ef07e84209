package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code genstream bench video}: its help and option checks. A run takes over 20 s even at
 * 2 streams (broker start-up, JIT), so it is left to {@code bench/video.sh}.
 */
class BenchVideoCommandTest extends CliTest {

  @Test
  void helpNamesEveryOptionAndTheTarget() {
    assertThat(run("bench", "video", "--help")).isZero();
    assertThat(out.toString()).contains("--streams", "--fps", "--seconds", "--warmup", "--size",
        "--ort-threads", "--stagger", "--json",
        "latency p99 ≤ round-trip p99 + batch inference", "(default: 8)");
  }

  @Test
  void benchListsTheVideoBenchmark() {
    assertThat(run("bench", "--help")).isZero();
    assertThat(out.toString()).contains("video", "Measure the video predictor's latency");
  }

  @Test
  void rejectsAFrameSizeTheDigitsDoNotComeInNamingTheValue() {
    assertThat(run("bench", "video", "--size", "48")).isEqualTo(2);
    assertThat(err.toString()).contains("--size must be 32 or 64, got 48");
  }

  @Test
  void rejectsStreamsOutOfRangeNamingTheValue() {
    assertThat(run("bench", "video", "--streams", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--streams must be 1..1024, got 0");
  }

  @Test
  void rejectsAFrameRateOutOfRangeNamingTheValue() {
    assertThat(run("bench", "video", "--fps", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--fps must be 0.5..1000, got 0.0");
  }

  @Test
  void rejectsANegativeWarmUpAndTooShortAPhase() {
    assertThat(run("bench", "video", "--warmup", "-1")).isEqualTo(2);
    assertThat(err.toString()).contains("--warmup must be 0..600, got -1.0");
    assertThat(run("bench", "video", "--seconds", "0.5")).isEqualTo(2);
    assertThat(err.toString()).contains("--seconds must be 1..3600, got 0.5");
  }

  @Test
  void rejectsANonNumericStreamCount() {
    assertThat(run("bench", "video", "--streams", "eight")).isEqualTo(2);
    assertThat(err.toString()).contains("--streams");
  }
}
