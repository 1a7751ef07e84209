package io.genstream.app.cli;

import io.genstream.app.management.ManagementServer;
import io.genstream.generator.GeneratorService;
import io.genstream.generator.video.FramePredictionService;
import io.genstream.sinks.SinkService;
import io.genstream.trainer.TrainerService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;
import reactor.core.publisher.Mono;

/**
 * Each service's own counters as Prometheus meters for its management port, read from the
 * snapshot the service already keeps (no second set of counters to keep in step).
 */
final class ServiceMeters {

  private ServiceMeters() {}

  static void trainer(TrainerService trainer, MeterRegistry meters) {
    counter(meters, "genstream.trainer.steps", trainer, t -> t.summary().steps());
    counter(meters, "genstream.trainer.examples", trainer, t -> t.summary().imagesTrained());
    counter(meters, "genstream.trainer.versions", trainer, t -> t.summary().versionsPublished());
    counter(meters, "genstream.trainer.deadletters", trainer, t -> t.summary().deadLettered());
    Gauge.builder("genstream.trainer.examples.per.second", trainer,
        t -> t.summary().imagesPerSecond()).register(meters);
  }

  static void predictor(FramePredictionService predictor, MeterRegistry meters) {
    counter(meters, "genstream.predictor.frames", predictor, p -> p.scores().framesIn());
    counter(meters, "genstream.predictor.predictions", predictor, p -> p.scores().predictions());
    counter(meters, "genstream.predictor.deadletters", predictor, p -> p.scores().deadLettered());
    counter(meters, "genstream.predictor.gaps", predictor, p -> p.scores().gaps());
    Gauge.builder("genstream.predictor.mse.vs.copylast", predictor,
            p -> p.scores().latest().mseVsCopyLast())
        .description("the newest version's next-frame MSE over copy-last-frame's (NaN before)")
        .register(meters);
  }

  static void generator(GeneratorService generator, MeterRegistry meters) {
    counter(meters, "genstream.generator.requests.served", generator,
        g -> g.stats().requestsServed());
    counter(meters, "genstream.generator.deadletters", generator, g -> g.stats().deadLettered());
  }

  static void ingest(io.genstream.ingest.IngestService ingest, MeterRegistry meters) {
    counter(meters, "genstream.ingest.published", ingest, i -> i.published());
    counter(meters, "genstream.ingest.deadletters", ingest, i -> i.deadLettered());
    counter(meters, "genstream.ingest.alreadysent", ingest, i -> i.alreadySent());
  }

  static void sink(SinkService sink, MeterRegistry meters) {
    counter(meters, "genstream.sink.written", sink, SinkService::written);
    counter(meters, "genstream.sink.deadletters", sink, SinkService::deadLettered);
    counter(meters, "genstream.sink.retries", sink, SinkService::retried);
  }

  /** Ready once {@code ready} completed (or failed: the service then says why itself). */
  static ManagementServer.Readiness readyWhen(Mono<Void> ready, String notYet) {
    AtomicBoolean done = new AtomicBoolean();
    ready.subscribe(null, e -> done.set(true), () -> done.set(true));
    return () -> done.get() ? null : notYet;
  }

  private static <T> void counter(MeterRegistry meters, String name, T source,
      ToDoubleFunction<T> value) {
    FunctionCounter.builder(name, source, value).register(meters);
  }
}
