package io.genstream.app.bench;

import java.util.Arrays;

/**
 * Nearest-rank percentiles of a set of durations, in milliseconds.
 *
 * @param count how many samples
 * @param p50Ms median
 * @param p99Ms 99th percentile
 * @param maxMs largest
 */
public record Percentiles(int count, double p50Ms, double p99Ms, double maxMs) {

  /** The percentiles of {@code nanos[0..n)}; the array is sorted in place. */
  public static Percentiles ofNanos(long[] nanos, int n) {
    if (n < 1) {
      throw new IllegalArgumentException("no samples");
    }
    Arrays.sort(nanos, 0, n);
    return new Percentiles(n, rank(nanos, n, 0.50) / 1e6, rank(nanos, n, 0.99) / 1e6,
        nanos[n - 1] / 1e6);
  }

  private static long rank(long[] sorted, int n, double p) {
    int index = (int) Math.ceil(p * n) - 1;
    return sorted[Math.max(0, Math.min(n - 1, index))];
  }
}
