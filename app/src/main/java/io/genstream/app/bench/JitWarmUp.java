package io.genstream.app.bench;

import java.io.IOException;
import java.time.Duration;

/**
 * Rounds of a benchmark's own load until the JIT compilers settle, before what it times: the
 * code under test, and on 2 cores the JIT compiling it, would otherwise share the cores being
 * measured. A round counts as settled when the JIT compilers used under
 * {@value #SETTLED_JIT_CORES} cores during it, or when it was too short to tell (one compilation
 * is a large share of a round of a few milliseconds).
 *
 * @param min the rounds go on for at least this long, settled or not
 * @param max no round starts after this, settled or not
 * @param maxRounds nor after this many
 * @param minTelling a shorter round counts as settled
 */
record JitWarmUp(Duration min, Duration max, int maxRounds, Duration minTelling) {

  static final double SETTLED_JIT_CORES = 0.1;

  /** Until settled, at most {@code max}: no minimum, no limit on rounds, every round telling. */
  static JitWarmUp upTo(Duration max) {
    return new JitWarmUp(Duration.ZERO, max, Integer.MAX_VALUE, Duration.ZERO);
  }

  /** One round: runs round {@code r} (from 1) and returns the CPU used during it. */
  interface Round {
    CpuMeter.Usage run(int r) throws IOException, InterruptedException;
  }

  BenchReport.WarmUp run(Round round) throws IOException, InterruptedException {
    long start = System.nanoTime();
    int r = 0;
    double jit;
    boolean settled;
    do {
      CpuMeter.Usage usage = round.run(++r);
      jit = usage.jitCores();
      settled = jit < SETTLED_JIT_CORES || usage.seconds() < minTelling.toNanos() / 1e9;
    } while ((elapsed(start) < min.toNanos() || !settled) && r < maxRounds
        && elapsed(start) < max.toNanos());
    return new BenchReport.WarmUp(r, elapsed(start) / 1e9, jit, jit < SETTLED_JIT_CORES);
  }

  private static long elapsed(long start) {
    return System.nanoTime() - start;
  }
}
