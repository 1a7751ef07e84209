package io.genstream.generator;

import io.genstream.core.failure.Failures;
import io.genstream.core.messages.InvalidRequestException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The engine's meters, named {@code genstream.generator.*} (Prometheus:
 * {@code genstream_generator_*}): requests by outcome, images, batch sizes, inference and
 * request latency, queue wait and depth, versions known, execution provider.
 */
final class EngineMetrics implements AutoCloseable {

  private final MeterRegistry meters;
  private final List<Meter> registered = new ArrayList<>();
  private final Counter images;
  private final DistributionSummary batchImages;
  private final Timer inference;
  private final Timer queueWait;
  private final Timer request;
  /** Requests by outcome; a handful of fixed outcomes. */
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();

  EngineMetrics(MeterRegistry meters, IntSupplier queuedImages, ModelRegistry registry) {
    this.meters = meters;
    images = keep(Counter.builder("genstream.generator.images")
        .description("Images generated").register(meters));
    batchImages = keep(DistributionSummary.builder("genstream.generator.batch.images")
        .description("Images per ONNX Runtime call").publishPercentiles(0.5, 0.99).register(meters));
    inference = keep(Timer.builder("genstream.generator.inference")
        .description("Duration of one ONNX Runtime call").publishPercentiles(0.5, 0.99)
        .register(meters));
    queueWait = keep(Timer.builder("genstream.generator.queue.wait")
        .description("Time a request waited for its batch").publishPercentiles(0.5, 0.99)
        .register(meters));
    request = keep(Timer.builder("genstream.generator.request")
        .description("Request latency inside the engine, queue to encoded images")
        .publishPercentiles(0.5, 0.99).register(meters));
    keep(Gauge.builder("genstream.generator.queue.images", queuedImages::getAsInt)
        .description("Images accepted and not yet running").register(meters));
    keep(Gauge.builder("genstream.generator.model.versions",
            () -> registry.versions().values().stream().mapToInt(List::size).sum())
        .description("Model versions the registry knows").register(meters));
    for (ModelLoader.ExecutionProvider provider : ModelLoader.ExecutionProvider.values()) {
      keep(Gauge.builder("genstream.generator.execution.provider",
              () -> registry.executionProvider() == provider ? 1 : 0)
          .tag("provider", provider.label())
          .description("1 for the execution provider new sessions run on").register(meters));
    }
  }

  private <M extends Meter> M keep(M meter) {
    registered.add(meter);
    return meter;
  }

  void waited(long nanos) {
    queueWait.record(nanos, TimeUnit.NANOSECONDS);
  }

  void inferred(int batch, long nanos) {
    batchImages.record(batch);
    inference.record(nanos, TimeUnit.NANOSECONDS);
  }

  void served(int count, long nanos) {
    images.increment(count);
    request.record(nanos, TimeUnit.NANOSECONDS);
    outcome("served");
  }

  void rejected(String outcome) {
    outcome(outcome);
  }

  void failed(Throwable e) {
    outcome(e instanceof UnknownModelException ? "unknown_model"
        : e instanceof InvalidRequestException ? "invalid"
        : e instanceof OverloadedException ? "overloaded"
        : Failures.isTransient(e) ? "not_ready"
        : "internal");
  }

  private void outcome(String outcome) {
    // Looked up once per outcome, not per request: building the id and finding it in the
    // registry cost more than the increment. Not removed on close, as before the cache.
    outcomes.computeIfAbsent(outcome, o -> Counter.builder("genstream.generator.requests")
        .tag("outcome", o).description("Requests by outcome").register(meters)).increment();
  }

  /** Removes the meters, so that a closed engine's gauges do not pin it. */
  @Override
  public void close() {
    registered.forEach(meters::remove);
  }
}
