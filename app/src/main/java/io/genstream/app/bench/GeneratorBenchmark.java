package io.genstream.app.bench;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * {@code genstream bench generator}: how fast the generator serves, measured in one run on one
 * model and one batch size, each figure next to its ceiling.
 *
 * <ol>
 *   <li>bare ONNX Runtime loop ({@link OrtLoop}): the ceiling;
 *   <li>the engine alone ({@link EngineLoad}): single-image requests batched by
 *       {@code GenerationEngine};
 *   <li>the full Kafka path ({@link KafkaLoad#throughput}): an in-process broker, a real
 *       {@code GeneratorService}, JSON requests in, results consumed;
 *   <li>latency at half that load ({@link KafkaLoad#latency}), next to a raw Kafka round trip
 *       and one batch inference;
 *   <li>DJL vs ONNX Runtime on the same network ({@link DjlVsOrt}).
 * </ol>
 *
 * <p>Phases run in the order 1, 2, 5, 3, 4: the broker starts only for the Kafka phases, so
 * that its threads are not running beside the others. Progress goes to {@code progress}.
 * Everything runs in this JVM and is closed before {@link #run} returns.
 */
public final class GeneratorBenchmark {


  private final BenchOptions options;
  private final BenchProgress progress;

  public GeneratorBenchmark(BenchOptions options, PrintWriter progress) {
    this.options = options;
    this.progress = new BenchProgress(progress);
  }

  /**
   * Runs every phase; writes the JSON file if one was asked for.
   *
   * @param command how it was started, for the report
   * @throws IllegalStateException if a phase cannot complete (a broker that does not start,
   *     results that never arrive), naming the phase
   * @throws IOException if the JSON file cannot be written
   */
  public BenchReport run(String command) throws InterruptedException, IOException {
    String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String load = BenchProgress.loadAverage();
    int batch = options.batchSize();
    int threads = options.ortThreads();
    progress.step("model: %s default spec, fresh weights, exported to ONNX by the trainer",
        options.family().name().toLowerCase(Locale.ROOT));
    try (BenchModel model = BenchModel.create(options.family(), threads)) {
      progress.step("      %,d generator parameters, %,d ONNX bytes; DJL %s, %d intra-op thread(s) "
              + "(torch.set_num_threads on the bench thread)",
          model.generatorParameters(), model.published().onnx().length,
          BenchModel.djlEngine(), BenchModel.djlThreads());

      progress.step("(1) bare ONNX Runtime loop: OrtSession.run, batch %d, %d intra-op thread(s), %.0f s",
          batch, threads, options.seconds());
      CpuMeter.Mark cpu = CpuMeter.start();
      OrtLoop.Result bare;
      try (OrtLoop loop = new OrtLoop(model.published().onnx(), model.manifest(),
          model.inputs(batch, 1), threads)) {
        bare = loop.run(options.warmup(), options.phase());
      }
      CpuMeter.Usage bareCpu = cpu.stop(0);
      progress.step("      %,.0f images/s; one call p50 %.1f ms, p99 %.1f ms", bare.imagesPerSecond(),
          bare.call().p50Ms(), bare.call().p99Ms());

      int engineInFlight = Math.max(256, 4 * batch);
      progress.step("(2) engine alone: %d single-image requests in flight, batches up to %d, %.0f s",
          engineInFlight, batch, options.seconds());
      EngineLoad.Result engine = EngineLoad.run(model, batch, threads, engineInFlight,
          options.warmup(), options.phase());
      progress.step("      %,.0f images/s (%.2f × bare); mean batch %.1f over %,d calls%s",
          engine.images(), engine.images() / bare.imagesPerSecond(),
          engine.meters().meanBatch(), engine.meters().calls(),
          engine.failed() > 0 ? "; " + engine.failed() + " requests FAILED" : "");

      int rounds = 3;
      progress.step("(5) DJL vs ONNX Runtime forward, batch %d, %d rounds of %.1f s each", batch, rounds,
          options.seconds() / rounds);
      cpu = CpuMeter.start();
      DjlVsOrt.Result djl = DjlVsOrt.run(model, batch, threads, rounds,
          options.phase().dividedBy(rounds), options.warmup().dividedBy(4));
      CpuMeter.Usage djlCpu = cpu.stop(0);
      progress.step("      DJL %,.0f images/s, ORT %,.0f images/s, ratio %.2f", djl.djl(), djl.ort(),
          djl.ratio());

      progress.step("(3) Kafka path: starting the in-process broker and a generator service");
      try (KafkaLoad kafka = KafkaLoad.start(model, batch, threads)) {
        BenchReport.WarmUp kafkaWarmUp = warmUp(kafka);
        progress.step("      %,d single-image requests, produced at once", options.requests());
        KafkaLoad.Throughput throughput = kafka.throughput("t", options.requests());
        progress.step("      %,.0f images/s (%.2f × bare) in %.1f s; mean batch %.1f; JIT compilers "
                + "%.2f cores",
            throughput.images(), throughput.images() / bare.imagesPerSecond(),
            throughput.seconds(), throughput.meters().meanBatch(),
            throughput.cpu().jitCores());

        progress.step("(4) raw Kafka round trip of a 1 KiB record, %.0f s", options.seconds() / 2);
        Percentiles roundTrip = kafka.roundTrip(options.phase().dividedBy(2), 50);
        progress.step("      p50 %.1f ms, p99 %.1f ms", roundTrip.p50Ms(), roundTrip.p99Ms());
        double rate = throughput.images() / 2;
        progress.step("(4) latency: single-image requests at %.0f/s (half of 3) for %.0f s", rate,
            options.seconds());
        BenchReport.WarmUp latencyWarmUp = warmUpPaced(kafka, rate);
        KafkaLoad.Latency latency = kafka.latency("l", rate, options.phase());
        progress.step("      p50 %.1f ms, p99 %.1f ms over %,d requests; JIT compilers %.2f cores",
            latency.latency().p50Ms(), latency.latency().p99Ms(), latency.latency().count(),
            latency.cpu().jitCores());

        BenchReport.Setup setup = new BenchReport.Setup(date, command,
            Runtime.getRuntime().availableProcessors(), load,
            System.getProperty("java.version"), options.family().name().toLowerCase(Locale.ROOT),
            model.spec().channels(), model.spec().imageSize(), model.spec().latentDim(),
            model.spec().numClasses(), model.generatorParameters(),
            model.published().onnx().length, batch, threads, BenchModel.djlThreads(),
            BenchModel.djlEngine(), OrtEnvironment.getEnvironment().getVersion(),
            options.requests(), options.seconds(), progress.elapsedSeconds());
        BenchReport report = new BenchReport(setup, bare, bareCpu, engine, engineInFlight,
            throughput, kafkaWarmUp, kafka.maxInFlightRequests(), roundTrip, latency,
            latencyWarmUp, djl, djlCpu,
            BenchReport.targets(bare, throughput, roundTrip, latency, djl));
        progress.step("closing the generator service and the broker");
        if (options.json() != null) {
          Path parent = options.json().toAbsolutePath().getParent();
          if (parent != null) {
            Files.createDirectories(parent);
          }
          Files.writeString(options.json(), report.toJson());
        }
        return report;
      }
    }
  }

  /**
   * Load at full speed until the JIT has compiled the hot code of the broker, the Kafka clients
   * and the service, which takes tens of seconds of CPU on the very cores being measured (the
   * broker, the clients and the generator all run in this JVM): rounds of a quarter of {@code
   * --requests} (at least {@code 2 × maxInFlightRequests}), until one in which the JIT
   * compilers settled ({@link JitWarmUp}), or the round that passes {@link
   * BenchOptions#maxKafkaWarmup()}. The targets are about a service that runs for hours; the
   * JIT's share during the measured phase is reported with it.
   */
  private BenchReport.WarmUp warmUp(KafkaLoad kafka) throws IOException, InterruptedException {
    int round = Math.min(options.requests(),
        Math.max(2 * kafka.maxInFlightRequests(), options.requests() / 4));
    return JitWarmUp.upTo(options.maxKafkaWarmup()).run(r -> {
      KafkaLoad.Throughput warm = kafka.throughput("w" + r, round);
      progress.step("      warm-up round %d: %,d requests, %,.0f images/s; JIT compilers %.2f cores",
          r, round, warm.images(), warm.cpu().jitCores());
      return warm.cpu();
    });
  }

  /**
   * The same for the paced load of phase 4, whose hot code differs (one request per produce and
   * per fetch, small batches): rounds of the warm-up time at {@code rate}.
   */
  private BenchReport.WarmUp warmUpPaced(KafkaLoad kafka, double rate)
      throws IOException, InterruptedException {
    return JitWarmUp.upTo(options.maxKafkaWarmup()).run(r -> {
      KafkaLoad.Latency warm = kafka.latency("lw" + r, rate, options.warmup());
      progress.step("      warm-up round %d: %,d requests, p99 %.1f ms; JIT compilers %.2f cores",
          r, warm.latency().count(), warm.latency().p99Ms(), warm.cpu().jitCores());
      return warm.cpu();
    });
  }
}
