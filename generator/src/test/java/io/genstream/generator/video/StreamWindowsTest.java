package io.genstream.generator.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.image.ImageTensor;
import io.genstream.generator.TinyFramePredictor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StreamWindowsTest {

  private final AtomicLong nanos = new AtomicLong();

  @Test
  void keepsAtMostMaxStreamsAndCapacityFramesEach() {
    StreamWindows windows = new StreamWindows(3, Duration.ofMinutes(1), nanos::get);
    for (int t = 0; t < 20; t++) {
      for (int s = 0; s < 50; s++) {
        windows.accept("s" + s, t, Instant.EPOCH, frame(t), 4);
        assertThat(windows.size()).isLessThanOrEqualTo(3);
        assertThat(windows.framesHeld()).isLessThanOrEqualTo(3 * 4);
      }
    }
    assertThat(windows.size()).isEqualTo(3);
    assertThat(windows.evicted()).isEqualTo(20 * 50 - 3);
  }

  @Test
  void anEvictedStreamStartsAgainColdAndTheMostRecentStaysWarm() {
    StreamWindows windows = new StreamWindows(2, Duration.ofMinutes(1), nanos::get);
    windows.accept("a", 0, Instant.EPOCH, frame(0), 4);
    windows.accept("b", 0, Instant.EPOCH, frame(0), 4);
    windows.accept("a", 1, Instant.EPOCH, frame(1), 4); // a is now the most recent
    windows.accept("c", 0, Instant.EPOCH, frame(0), 4); // evicts b
    assertThat(windows.accept("a", 2, Instant.EPOCH, frame(2), 4).outcome())
        .isEqualTo(StreamWindows.Outcome.APPENDED);
    StreamWindows.Arrival b = windows.accept("b", 1, Instant.EPOCH, frame(1), 4);
    assertThat(b.outcome()).isEqualTo(StreamWindows.Outcome.STARTED);
    assertThat(b.stream().size()).isEqualTo(1);
  }

  @Test
  void duplicatesAreSkippedAndAJumpRestartsTheWindowWithoutItsPendingPrediction() {
    StreamWindows windows = new StreamWindows(10, Duration.ofMinutes(1), nanos::get);
    windows.accept("a", 0, Instant.EPOCH, frame(0), 4);
    StreamWindows.Arrival second = windows.accept("a", 1, Instant.EPOCH, frame(1), 4);
    windows.expect(second.stream(), new StreamWindows.Pending(2, 1, 1, frame(2), frame(1)));
    assertThat(windows.pendingHeld()).isEqualTo(1);
    assertThat(windows.accept("a", 1, Instant.EPOCH, frame(1), 4).outcome())
        .isEqualTo(StreamWindows.Outcome.DUPLICATE);
    assertThat(windows.accept("a", 0, Instant.EPOCH, frame(0), 4).outcome())
        .isEqualTo(StreamWindows.Outcome.DUPLICATE);
    assertThat(second.stream().size()).isEqualTo(2);
    StreamWindows.Arrival gap = windows.accept("a", 5, Instant.EPOCH, frame(5), 4);
    assertThat(gap.outcome()).isEqualTo(StreamWindows.Outcome.GAP);
    assertThat(gap.due()).isEmpty();
    assertThat(gap.stream().pendingCount()).isZero();
    assertThat(windows.pendingHeld()).isZero();
    assertThat(gap.stream().size()).isEqualTo(1);
    StreamWindows.Arrival next = windows.accept("a", 6, Instant.EPOCH, frame(6), 4);
    assertThat(next.outcome()).isEqualTo(StreamWindows.Outcome.APPENDED);
    assertThat(next.previous().chw()).isEqualTo(frame(5).chw());
  }

  @Test
  void aFrameOfAnotherSizeIsAGap() {
    StreamWindows windows = new StreamWindows(10, Duration.ofMinutes(1), nanos::get);
    windows.accept("a", 0, Instant.EPOCH, frame(0), 4);
    StreamWindows.Arrival bigger = windows.accept("a", 1, Instant.EPOCH,
        new ImageTensor(1, 9, 9, new byte[81]), 4);
    assertThat(bigger.outcome()).isEqualTo(StreamWindows.Outcome.GAP);
    assertThat(bigger.stream().size()).isEqualTo(1);
  }

  @Test
  void idleStreamsExpire() {
    StreamWindows windows = new StreamWindows(10, Duration.ofSeconds(5), nanos::get);
    windows.accept("old", 0, Instant.EPOCH, frame(0), 4);
    nanos.set(Duration.ofSeconds(3).toNanos());
    windows.accept("recent", 0, Instant.EPOCH, frame(0), 4);
    nanos.set(Duration.ofSeconds(6).toNanos());
    assertThat(windows.expireIdle()).isEqualTo(1);
    assertThat(windows.size()).isEqualTo(1);
    assertThat(windows.accept("recent", 1, Instant.EPOCH, frame(1), 4).outcome())
        .isEqualTo(StreamWindows.Outcome.APPENDED);
    assertThat(windows.expired()).isEqualTo(1);
  }

  private static ImageTensor frame(long t) {
    return TinyFramePredictor.frame(0, t);
  }
}
