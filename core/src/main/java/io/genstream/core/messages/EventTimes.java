package io.genstream.core.messages;

import java.time.Instant;

/**
 * Values of {@code ce_time}: exactly {@link Instant#toString()} (ISO-8601 in UTC, the fraction
 * in groups of three digits, as many as it needs), without going through
 * {@code DateTimeFormatter} for each record. The date and time of day are formatted once per
 * second and reused while the clock stays in that second; only the fraction is written per
 * call. Thread-safe.
 */
final class EventTimes {

  /** The text of one whole second, without the zone: {@code 2026-12-01T05:00:00}. */
  private record Second(long epochSecond, String text) {}

  private static volatile Second last = of(0);

  private EventTimes() {}

  /** {@code instant.toString()}. */
  static String format(Instant instant) {
    long epochSecond = instant.getEpochSecond();
    Second second = last;
    if (second.epochSecond() != epochSecond) {
      second = of(epochSecond);
      last = second;
    }
    int nano = instant.getNano();
    if (nano == 0) {
      return second.text() + 'Z';
    }
    StringBuilder text = new StringBuilder(second.text().length() + 11)
        .append(second.text()).append('.');
    // As ISO_INSTANT prints it: digits in groups of three until the rest is zero.
    int unit = 100_000_000;
    for (int i = 0; nano > 0 || i % 3 != 0; i++) {
      int digit = nano / unit;
      text.append((char) ('0' + digit));
      nano -= digit * unit;
      unit /= 10;
    }
    return text.append('Z').toString();
  }

  private static Second of(long epochSecond) {
    String whole = Instant.ofEpochSecond(epochSecond).toString(); // no fraction: ends "ssZ"
    return new Second(epochSecond, whole.substring(0, whole.length() - 1));
  }
}
