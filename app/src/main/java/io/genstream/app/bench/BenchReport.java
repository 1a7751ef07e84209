package io.genstream.app.bench;

import io.genstream.core.messages.Json;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one run of {@code genstream bench generator} measured, the targets and whether
 * each was met; printed as Markdown tables (readable in a terminal, pasted as is into the
 * README) or written as JSON.
 *
 * @param kafkaInFlight the generator service's {@code maxInFlightRequests}
 * @param engineInFlight single-image requests kept in the engine in phase 2
 * @param kafkaWarmUp the warm-up before phase 3
 * @param latencyWarmUp the warm-up before phase 4 (whose CPU is in {@code latency.cpu()})
 */
public record BenchReport(
    Setup setup,
    OrtLoop.Result bareOrt,
    CpuMeter.Usage bareOrtCpu,
    EngineLoad.Result engine,
    int engineInFlight,
    KafkaLoad.Throughput kafka,
    WarmUp kafkaWarmUp,
    int kafkaInFlight,
    Percentiles roundTrip,
    KafkaLoad.Latency latency,
    WarmUp latencyWarmUp,
    DjlVsOrt.Result djlVsOrt,
    CpuMeter.Usage djlVsOrtCpu,
    List<Target> targets) {

  /**
   * What ran where.
   *
   * @param loadAverage {@code /proc/loadavg}'s first three fields at start, or "unknown"
   */
  public record Setup(String date, String command, int cores, String loadAverage, String java,
      String family, int channels, int imageSize, int latentDim, int numClasses,
      long generatorParameters, int onnxBytes, int batchSize, int ortThreads, int djlThreads,
      String djlEngine, String ortVersion, int requests, double seconds, double totalSeconds) {}

  /**
   * The load run before a Kafka phase until the JIT compilers settled.
   *
   * @param rounds warm-up rounds run
   * @param seconds their time in all
   * @param lastJitCores what the JIT compilers used in the last round, in cores
   * @param settled whether that was under the threshold (otherwise the rounds ran out)
   */
  public record WarmUp(int rounds, double seconds, double lastJitCores, boolean settled) {

    String describe() {
      return String.format(Locale.ROOT, "after %d warm-up round%s (%.0f s) %s (%.2f cores in the last)",
          rounds, rounds == 1 ? "" : "s", seconds,
          settled ? "until the JIT compilers settled" : "in which the JIT compilers did not settle",
          lastJitCores);
    }
  }

  /** One target: {@code measured} against {@code limit}, at least or at most. */
  public record Target(String name, double measured, double limit, boolean atLeast, String unit,
      boolean met) {

    static Target atLeast(String name, double measured, double limit, String unit) {
      return new Target(name, measured, limit, true, unit, measured >= limit);
    }

    static Target atMost(String name, double measured, double limit, String unit) {
      return new Target(name, measured, limit, false, unit, measured <= limit);
    }
  }

  /** The three targets of the generator's speed. */
  static List<Target> targets(OrtLoop.Result bareOrt, KafkaLoad.Throughput kafka,
      Percentiles roundTrip, KafkaLoad.Latency latency, DjlVsOrt.Result djlVsOrt) {
    return List.of(
        Target.atLeast("Kafka path ≥ 0.9 × bare ORT", kafka.images() / bareOrt.imagesPerSecond(),
            0.9, "x"),
        Target.atMost("latency p99 ≤ round-trip p99 + one batch (p50) + 5 ms",
            latency.latency().p99Ms(), roundTrip.p99Ms() + bareOrt.call().p50Ms() + 5, "ms"),
        Target.atLeast("ORT ≥ 1.5 × DJL", djlVsOrt.ratio(), 1.5, "x"));
  }

  public boolean allTargetsMet() {
    return targets.stream().allMatch(Target::met);
  }

  public String toJson() {
    return Json.write(this);
  }

  /** The tables, the targets and where the CPU went, as Markdown. */
  public void print(PrintWriter out) {
    Setup s = setup;
    double ceiling = bareOrt.imagesPerSecond();
    out.printf(Locale.ROOT, "### genstream bench generator: %s %dx%dx%d, batch %d, %d ORT intra-op thread%s%n%n",
        s.family(), s.channels(), s.imageSize(), s.imageSize(), s.batchSize(), s.ortThreads(),
        s.ortThreads() == 1 ? "" : "s");
    out.printf(Locale.ROOT, "`%s` — %s, %d cores (load average at start %s), Java %s; model: %s default "
            + "spec, untrained, %,d generator parameters, ONNX %,d bytes, latentDim %d%s; "
            + "DJL intra-op threads %d, ONNX Runtime intra-op threads %d; %.0f s in all.%n%n",
        s.command(), s.date(), s.cores(), s.loadAverage(), s.java(), s.family(),
        s.generatorParameters(), s.onnxBytes(), s.latentDim(),
        s.numClasses() > 0 ? ", " + s.numClasses() + " classes" : "", s.djlThreads(),
        s.ortThreads(), s.totalSeconds());

    out.println("| # | images/s of | images/s | × bare ORT | how | other processes (cores) |");
    out.println("|---|---|---:|---:|---|---:|");
    out.printf(Locale.ROOT, "| 1 | bare ONNX Runtime loop | %s | 1.00 | `OrtSession.run` on one thread, "
            + "batches of %d, %d calls, one call p50 %.1f ms; the thread on a core %.0f %% of "
            + "the time | %s |%n",
        number(ceiling), s.batchSize(), bareOrt.calls(), bareOrt.call().p50Ms(),
        100 * bareOrt.onCpu(),
        cores(bareOrtCpu.otherCores()));
    out.printf(Locale.ROOT, "| 2 | engine alone | %s | %.2f | %d single-image requests in flight in "
            + "`GenerationEngine.generate`, PNG results; mean batch %.1f, inference busy %.0f %%, "
            + "one call mean %.1f ms, the inference thread on a core %.0f %% of it; JIT compilers "
            + "%.2f cores | %s |%n",
        number(engine.images()), engine.images() / ceiling, engineInFlight,
        engine.meters().meanBatch(),
        100 * engine.meters().inferenceSeconds() / engine.cpu().seconds(),
        engine.meters().meanCallMs(), 100 * onCpu(engine.cpu(), engine.meters()),
        engine.cpu().jitCores(),
        cores(engine.cpu().otherCores()));
    out.printf(Locale.ROOT, "| 3 | full Kafka path | %s | %.2f | %s, %,d single-image JSON requests "
            + "produced at once, %.1f s to the last result consumed (requests all on the broker after "
            + "%.1f s); generator: %d in flight, mean batch %.1f, inference busy %.0f %%, one call "
            + "mean %.1f ms, the inference thread on a core %.0f %% of it; JIT compilers %.2f "
            + "cores | %s |%n",
        number(kafka.images()), kafka.images() / ceiling, kafkaWarmUp.describe(), kafka.requests(),
        kafka.seconds(),
        kafka.requestsOnBrokerSeconds(), kafkaInFlight, kafka.meters().meanBatch(),
        100 * kafka.meters().inferenceSeconds() / kafka.seconds(), kafka.meters().meanCallMs(),
        100 * onCpu(kafka.cpu(), kafka.meters()), kafka.cpu().jitCores(),
        cores(kafka.cpu().otherCores()));
    out.println();

    out.println("| # | latency | p50 | p99 | max | how |");
    out.println("|---|---|---:|---:|---:|---|");
    Percentiles l = latency.latency();
    out.printf(Locale.ROOT, "| 4 | single-image request through Kafka | %.1f ms | %.1f ms | %.1f ms | "
            + "%s, %,d requests paced at %.0f/s (half of 3), produce call to result consumed; "
            + "medians: request produced → result handed to the generator's producer %.0f ms, "
            + "→ result consumed %.0f ms; in the engine a mean %.1f ms (%.1f ms of it before the "
            + "batch started, one call mean %.1f ms), mean batch %.1f; JIT compilers %.2f cores; "
            + "other processes %s cores |%n",
        l.p50Ms(), l.p99Ms(), l.maxMs(), latencyWarmUp.describe(), l.count(), latency.rate(),
        latency.toResultSentMs(),
        latency.resultSentToConsumedMs(), latency.meters().meanRequestMs(),
        latency.meters().meanQueueWaitMs(), latency.meters().meanCallMs(),
        latency.meters().meanBatch(), latency.cpu().jitCores(), cores(latency.cpu().otherCores()));
    out.printf(Locale.ROOT, "|   | raw Kafka round trip, 1 KiB | %.1f ms | %.1f ms | %.1f ms | %,d "
            + "sequential produce → consume on the same broker, same client settings |%n",
        roundTrip.p50Ms(), roundTrip.p99Ms(), roundTrip.maxMs(), roundTrip.count());
    out.printf(Locale.ROOT, "|   | one batch inference (%d images) | %.1f ms | %.1f ms | %.1f ms | the "
            + "calls of 1 |%n",
        s.batchSize(), bareOrt.call().p50Ms(), bareOrt.call().p99Ms(), bareOrt.call().maxMs());
    out.println();

    out.printf(Locale.ROOT, "| # | forward pass, batch %d | images/s | how |%n", s.batchSize());
    out.println("|---|---|---:|---|");
    out.printf(Locale.ROOT, "| 5 | DJL (%s), %d intra-op thread%s | %s | the trainer's inference-mode "
            + "pass (`ModelFamily.sample`) |%n",
        s.djlEngine(), s.djlThreads(), s.djlThreads() == 1 ? "" : "s", number(djlVsOrt.djl()));
    out.printf(Locale.ROOT, "|   | ONNX Runtime %s, %d intra-op thread%s | %s | the generator's "
            + "`GenerativeModel.generate` on the exported graph |%n",
        s.ortVersion(), s.ortThreads(), s.ortThreads() == 1 ? "" : "s", number(djlVsOrt.ort()));
    out.printf(Locale.ROOT, "|   | ratio ORT / DJL | %.2f | median of %d alternating rounds of %.1f s; "
            + "outputs differ by at most %.1e; other processes %s cores |%n",
        djlVsOrt.ratio(), djlVsOrt.rounds(), s.seconds() / djlVsOrt.rounds(),
        djlVsOrt.maxAbsDiff(), cores(djlVsOrtCpu.otherCores()));
    out.println();

    out.println("| target | measured | limit | met |");
    out.println("|---|---:|---:|---|");
    for (Target t : targets) {
      out.printf(Locale.ROOT, "| %s | %s | %s %s | %s |%n", t.name(), value(t.measured(), t.unit()),
          t.atLeast() ? "≥" : "≤", value(t.limit(), t.unit()), t.met() ? "yes" : "**NO**");
    }
    out.println();

    out.printf(Locale.ROOT, "CPU during 3 (%.1f s): this process %.2f cores, other processes %s cores; "
            + "CPU seconds by thread:%n", kafka.cpu().seconds(), kafka.cpu().processCores(),
        cores(kafka.cpu().otherCores()));
    printThreads(out, kafka.cpu().byThread());
    out.printf(Locale.ROOT, "CPU during 4 (%.1f s): this process %.2f cores, other processes %s cores; "
            + "CPU seconds by thread:%n", latency.cpu().seconds(),
        latency.cpu().processCores(), cores(latency.cpu().otherCores()));
    printThreads(out, latency.cpu().byThread());
    out.printf(Locale.ROOT, "CPU during 2 (%.1f s): this process %.2f cores, other processes %s cores; "
            + "CPU seconds by thread:%n", engine.cpu().seconds(), engine.cpu().processCores(),
        cores(engine.cpu().otherCores()));
    printThreads(out, engine.cpu().byThread());
    out.flush();
  }

  private static void printThreads(PrintWriter out, Map<String, Double> byThread) {
    byThread.forEach((name, seconds) ->
        out.printf(Locale.ROOT, "    %-62s %6.2f%n", name, seconds));
  }

  /** The inference thread's CPU time over its time inside ONNX Runtime calls. */
  private static double onCpu(CpuMeter.Usage usage, EngineMeters meters) {
    return meters.inferenceSeconds() == 0 ? 0
        : usage.byThread().getOrDefault(CpuMeter.INFERENCE, 0.0) / meters.inferenceSeconds();
  }

  private static String value(double v, String unit) {
    return unit.equals("x") ? String.format(Locale.ROOT, "%.2f ×", v)
        : String.format(Locale.ROOT, "%.1f %s", v, unit);
  }

  private static String number(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static String cores(double v) {
    return v < 0 ? "?" : String.format(Locale.ROOT, "%.2f", v);
  }
}
