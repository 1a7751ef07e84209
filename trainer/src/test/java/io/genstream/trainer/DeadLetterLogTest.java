package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DeadLetterLogTest {

  @Test
  void aStreamThatDoesNotFitGivesOneLineAndThenOneCountPerInterval() {
    AtomicLong now = new AtomicLong();
    DeadLetterLog log = new DeadLetterLog(now::get);
    String reason = "image must be 28x28 for model frames, got 32x32";

    int lines = 0;
    // 20 frames a second for 65 s: one line at first, then one count every 30 s.
    for (int frame = 0; frame < 20 * 65; frame++) {
      now.set(frame * 50_000_000L);
      lines += log.deadLettered("frames-0@" + frame, reason) ? 1 : 0;
    }
    assertThat(lines).isEqualTo(3);
    // Another reason is told at once.
    assertThat(log.deadLettered("frames-0@9999", "label must be 0..9, got 12")).isTrue();
  }
}
