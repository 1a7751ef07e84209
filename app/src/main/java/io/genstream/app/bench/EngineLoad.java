package io.genstream.app.bench;

import io.genstream.core.messages.GenerationRequest;
import io.genstream.generator.EngineOptions;
import io.genstream.generator.GenerationEngine;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The engine alone: a closed loop keeping {@code inFlight} single-image requests in
 * {@link GenerationEngine#generate} at all times (each completion submits the next), so that it
 * batches them up to its {@code maxBatchSize}. Results are PNG-encoded as on the Kafka path;
 * nothing touches Kafka. The engine runs on a {@link ModelRegistry#of single-model registry} loaded by the
 * generator's own {@link ModelLoader}.
 */
final class EngineLoad {

  private EngineLoad() {}

  /**
   * @param images images per second completed in the timed window
   * @param meters the engine's batch sizes and inference time in that window
   * @param failed requests that failed (overloaded, …); 0 in a sound run
   */
  record Result(double images, long requests, EngineMeters meters, long failed,
      CpuMeter.Usage cpu) {}

  static Result run(BenchModel model, int batch, int ortThreads, int inFlight, Duration warmup,
      Duration duration) throws InterruptedException {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    EngineOptions options = EngineOptions.defaults()
        .withBatching(batch, EngineOptions.defaults().maxBatchWait())
        .withMaxQueuedImages(Math.max(EngineOptions.defaults().maxQueuedImages(), inFlight));
    boolean conditional = model.spec().conditional();
    try (ModelRegistry registry = ModelRegistry.of(
            ModelLoader.onnxRuntime(ortThreads).load(model.published()));
        GenerationEngine engine = new GenerationEngine(registry, options, meters)) {
      AtomicLong done = new AtomicLong();
      AtomicLong failed = new AtomicLong();
      AtomicBoolean stop = new AtomicBoolean();
      var finished = Flux.range(0, Integer.MAX_VALUE)
          .takeWhile(i -> !stop.get())
          .flatMap(i -> engine.generate(new GenerationRequest("engine-" + i, BenchModel.NAME,
                  GenerationRequest.LATEST, 1, i, conditional ? i % 10 : null))
              .doOnNext(generation -> done.addAndGet(generation.images().size()))
              .then()
              .onErrorResume(e -> {
                failed.incrementAndGet();
                return Mono.empty();
              }), inFlight)
          .then()
          .toFuture();
      Thread.sleep(warmup.toMillis());
      CpuMeter.Mark cpu = CpuMeter.start();
      EngineMeters.Mark mark = EngineMeters.mark(meters);
      long start = System.nanoTime();
      long before = done.get();
      Thread.sleep(duration.toMillis());
      long after = done.get();
      double seconds = (System.nanoTime() - start) / 1e9;
      EngineMeters window = EngineMeters.since(meters, mark);
      CpuMeter.Usage usage = cpu.stop(8);
      stop.set(true);
      try {
        finished.get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        throw new IllegalStateException("engine load did not drain: " + e, e);
      }
      return new Result((after - before) / seconds, after - before, window, failed.get(), usage);
    }
  }
}
