package io.genstream.trainer;

import io.genstream.core.messages.LogSafe;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer's log lines for dead letters: one line the first time a reason is seen, then the
 * number of repeats of each reason at most once per {@link #SUMMARY_EVERY}. A stream that does
 * not fit the model (frames of 32×32 for a 28×28 model, 20 a second from two cameras) fails the
 * same way for every record: one line a record drowned everything else in the log.
 *
 * <p>Remembers at most {@value #MAX_REASONS} reasons (least recently seen out); thread-safe.
 */
final class DeadLetterLog {

  static final Duration SUMMARY_EVERY = Duration.ofSeconds(30);
  private static final int MAX_REASONS = 64;
  private static final Logger log = LoggerFactory.getLogger(TrainingPipeline.class);

  private final LongSupplier nanoTime;
  private final Map<String, Long> repeats = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_REASONS;
    }
  };
  private long lastSummaryNanos;

  DeadLetterLog() {
    this(System::nanoTime);
  }

  /** @param nanoTime the clock (a seam for tests) */
  DeadLetterLog(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.lastSummaryNanos = nanoTime.getAsLong();
  }

  /**
   * Logs (or counts) one dead letter.
   *
   * @param where the record's place, {@code topic-partition@offset}
   * @return whether a line was logged for it (tests)
   */
  synchronized boolean deadLettered(String where, String reason) {
    boolean logged = false;
    Long seen = repeats.get(reason);
    if (seen == null) {
      repeats.put(reason, 0L);
      log.warn("dead-lettered {}: {} (more of this reason are counted, one line per {} s)", where,
          LogSafe.text(reason), SUMMARY_EVERY.toSeconds());
      logged = true;
    } else {
      repeats.put(reason, seen + 1);
    }
    long now = nanoTime.getAsLong();
    if (now - lastSummaryNanos >= SUMMARY_EVERY.toNanos()) {
      lastSummaryNanos = now;
      for (Map.Entry<String, Long> entry : repeats.entrySet()) {
        if (entry.getValue() > 0) {
          log.warn("{} more records dead-lettered in the last {} s: {}", entry.getValue(),
              SUMMARY_EVERY.toSeconds(), LogSafe.text(entry.getKey()));
          entry.setValue(0L);
          logged = true;
        }
      }
    }
    return logged;
  }
}
