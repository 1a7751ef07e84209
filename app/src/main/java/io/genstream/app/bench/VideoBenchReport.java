package io.genstream.app.bench;

import io.genstream.app.bench.BenchReport.Target;
import io.genstream.core.messages.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one run of {@code genstream bench video} measured, the targets and whether each
 * was met; printed as Markdown tables (readable in a terminal, pasted as is into the README) or
 * written as JSON.
 *
 * @param backToBack phase 1a: one {@code predict} call on a batch of {@code streams} contexts,
 *     calls back to back (the runtime's best case)
 * @param batchInference phase 1b: the same call paced one per frame interval, as the service
 *     makes it; the target's "one batch inference"
 * @param roundTrip phase 2: a frame-sized record produced and consumed, one at a time
 * @param latency phase 3: frame produced → its prediction consumed, at the paced load
 */
public record VideoBenchReport(Setup setup, PredictLoop.Result backToBack,
    PredictLoop.Result batchInference,
    Percentiles roundTrip, VideoLoad.Latency latency, List<Target> targets) {

  /**
   * What ran where.
   *
   * @param loadAverage {@code /proc/loadavg}'s first three fields at start, or "unknown"
   * @param frameBytes size of the round-trip record: a PNG frame of the benchmark
   * @param batchWaitMs how long the predictor waits for other streams' frames to share a call
   */
  public record Setup(String date, String command, int cores, String loadAverage, String java,
      String ortVersion, int streams, double fps, boolean stagger, int imageSize,
      int contextFrames, long parameters, int onnxBytes, int ortThreads, int frameBytes,
      long batchWaitMs, double seconds, double warmupSeconds, double totalSeconds) {}

  private static final String PREDICTOR_THREAD = CpuMeter.group("genstream-predictor-1");

  /** The targets of issue 13's latency. */
  static List<Target> targets(PredictLoop.Result batch, Percentiles roundTrip,
      VideoLoad.Latency latency) {
    return List.of(
        Target.atMost("frame produced → prediction on the broker, p99 ≤ round-trip p99 + one "
                + "batch inference p99 + 10 ms",
            latency.onBroker().p99Ms(), roundTrip.p99Ms() + batch.call().p99Ms() + 10, "ms"),
        Target.atMost("timed frames without a prediction", latency.missing(), 0, "frames"));
  }

  public boolean allTargetsMet() {
    return targets.stream().allMatch(Target::met);
  }

  public String toJson() {
    return Json.write(this);
  }

  /** The tables, then CPU by thread. */
  public void print(PrintWriter out) {
    Setup s = setup;
    out.printf(Locale.ROOT, "### genstream bench video: %d streams × %s fps, %dx%d gray frames, "
            + "framepred k=%d, %d ORT intra-op thread%s%n%n",
        s.streams(), trim(s.fps()), s.imageSize(), s.imageSize(), s.contextFrames(),
        s.ortThreads(), s.ortThreads() == 1 ? "" : "s");
    out.printf(Locale.ROOT, "`%s` — %s, %d cores (load average at start %s), Java %s, ONNX Runtime "
            + "%s; model: the video demo's framepred spec, untrained, %,d generator parameters, "
            + "ONNX %,d bytes; predictor batches up to %d contexts per call, waiting %d ms for "
            + "them; %.0f s in all.%n%n",
        s.command(), s.date(), s.cores(), s.loadAverage(), s.java(), s.ortVersion(),
        s.parameters(), s.onnxBytes(), s.streams(), s.batchWaitMs(), s.totalSeconds());

    out.println("| # | phase | p50 | p99 | max | how |");
    out.println("|---|---|---:|---:|---:|---|");
    Percentiles h = backToBack.call();
    out.printf(Locale.ROOT, "| 1a | one batch inference, back to back | %s | %s | %s | "
            + "`FramePredictor.predict` (the predictor's loader and session options) on [%d, %d, "
            + "%d, %d], one thread, %,d calls (%,.0f calls/s) |%n",
        ms(h.p50Ms()), ms(h.p99Ms()), ms(h.maxMs()), s.streams(), s.contextFrames(),
        s.imageSize(), s.imageSize(), h.count(), backToBack.callsPerSecond());
    Percentiles b = batchInference.call();
    out.printf(Locale.ROOT, "| 1b | one batch inference, one per frame interval | %s | %s | %s | "
            + "the same call paced at %,.0f calls/s, as the service makes it at %s fps (the "
            + "target's \"one batch inference\") |%n",
        ms(b.p50Ms()), ms(b.p99Ms()), ms(b.maxMs()), batchInference.callsPerSecond(),
        s.fps());
    out.printf(Locale.ROOT, "| 2 | raw Kafka round trip, %d B | %s | %s | %s | %,d records produced "
            + "and consumed one at a time (acks=all, linger.ms=0, the clients of 3) |%n",
        s.frameBytes(), ms(roundTrip.p50Ms()), ms(roundTrip.p99Ms()), ms(roundTrip.maxMs()),
        roundTrip.count());
    Percentiles o = latency.onBroker();
    out.printf(Locale.ROOT, "| 3a | frame produced → prediction on the broker | %s | %s | %s | "
            + "%,d predictions of %,d frames sent at %.1f/s (%d streams × %s fps, %s) after %.0f s "
            + "of warm-up; the broker's append time of the prediction (`LogAppendTime`) less the "
            + "produce call's wall-clock time: whole milliseconds, each within 1 ms; JIT compilers "
            + "%.2f cores (%.2f at the end of the warm-up); other processes %s cores |%n",
        ms(o.p50Ms()), ms(o.p99Ms()), ms(o.maxMs()), o.count(), latency.framesSent(),
        latency.rate(), s.streams(), trim(s.fps()),
        s.stagger() ? "staggered over the frame interval" : "every stream's frame i at once",
        latency.warmupSeconds(),
        latency.cpu().jitCores(),
        latency.warmupJitCores(), cores(latency.cpu().otherCores()));
    Percentiles l = latency.latency();
    out.printf(Locale.ROOT, "| 3b | frame produced → prediction consumed | %s | %s | %s | the "
            + "same predictions read by the client (`System.nanoTime()` on both sides); median "
            + "appended → consumed %.0f ms |%n",
        ms(l.p50Ms()), ms(l.p99Ms()), ms(l.maxMs()), latency.appendedToConsumedMs());
    out.println();

    MeteredPredictors.Calls calls = latency.calls();
    if (calls.calls() > 0) {
      StringBuilder sizes = new StringBuilder();
      int[] histogram = calls.batchSizes();
      for (int n = histogram.length - 1; n >= 1; n--) {
        if (histogram[n] > 0) {
          sizes.append(sizes.length() == 0 ? "" : ", ").append(n).append(" × ")
              .append(histogram[n]);
        }
      }
      double predictorCpu = latency.cpu().byThread().getOrDefault(PREDICTOR_THREAD, 0.0);
      out.printf(Locale.ROOT, "Predictor during 3: %,d ONNX Runtime calls, mean batch %.1f contexts "
              + "(contexts × calls: %s); one call p50 %s, p99 %s, max %s; %.1f s inside the "
              + "calls, its thread %.1f CPU-seconds in all (a thread off its core for long inside "
              + "a call waits for a core).%n%n",
          calls.calls(), calls.meanBatch(), sizes, ms(calls.call().p50Ms()),
          ms(calls.call().p99Ms()), ms(calls.call().maxMs()), calls.seconds(), predictorCpu);
    }

    out.println("| target | measured | limit | met |");
    out.println("|---|---:|---:|---|");
    for (Target t : targets) {
      out.printf(Locale.ROOT, "| %s | %s | ≤ %s | %s |%n", t.name(),
          value(t.measured(), t.unit()), value(t.limit(), t.unit()), t.met() ? "yes" : "**NO**");
    }
    out.println();

    CpuMeter.Usage cpu = latency.cpu();
    out.printf(Locale.ROOT, "CPU during 3 (%.1f s): this process %.2f cores, other processes %s "
        + "cores; CPU seconds by thread:%n", cpu.seconds(), cpu.processCores(),
        cores(cpu.otherCores()));
    printThreads(out, cpu.byThread());
    out.flush();
  }

  private static void printThreads(PrintWriter out, Map<String, Double> byThread) {
    byThread.forEach((name, seconds) ->
        out.printf(Locale.ROOT, "    %-62s %6.2f%n", name, seconds));
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, "%.1f ms", v);
  }

  private static String value(double v, String unit) {
    return unit.equals("frames") ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.1f %s", v, unit);
  }

  private static String trim(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String cores(double v) {
    return v < 0 ? "?" : String.format(Locale.ROOT, "%.2f", v);
  }
}
