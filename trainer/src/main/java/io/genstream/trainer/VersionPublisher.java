package io.genstream.trainer;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.Json;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.promotion.Promotion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Puts one {@link VersionExport} on Kafka, in an order that keeps every reader consistent: the
 * version's other graphs, then its generator (a version is complete once that is acked), its
 * promotion status, its training event, its checkpoint, and finally the retention of older
 * versions. A failed
 * checkpoint or retention is logged, not fatal: the version is out. Thread-safe; sends go
 * through the caller's {@link KafkaSender}, which it does not own. It remembers the latest
 * publish it {@link #start started}, for a trainer that must wait for it.
 */
final class VersionPublisher {

  private static final Logger log = LoggerFactory.getLogger(VersionPublisher.class);

  private final TrainerOptions options;
  private final KafkaSender<String, byte[]> sender;
  private final VersionRetention retention;
  private final Promotion promotion;
  // The latest publish started, guarded by `this`.
  private CompletableFuture<Void> latest = CompletableFuture.completedFuture(null);

  VersionPublisher(TrainerOptions options, KafkaSender<String, byte[]> sender,
      VersionRetention retention, Promotion promotion) {
    this.options = options;
    this.sender = sender;
    this.retention = retention;
    this.promotion = promotion;
  }

  /**
   * Starts publishing now; the sends run to their end whatever happens to the caller. Logs the
   * version (with its evaluation) once the generator record is acked.
   *
   * @param onGeneratorAcked called once the broker acked the generator record
   * @return completes when the version, its event, checkpoint and retention are done
   */
  CompletableFuture<Void> start(VersionExport export, Consumer<VersionExport> onGeneratorAcked) {
    CompletableFuture<Void> sent = publish(export, acked -> {
      onGeneratorAcked.accept(acked);
      logPublished(acked);
    }).toFuture();
    synchronized (this) {
      latest = sent;
    }
    return sent;
  }

  /** The latest publish {@link #start started} (completed if none). */
  synchronized CompletableFuture<Void> latest() {
    return latest;
  }

  /**
   * Waits up to {@code timeout} for the latest publish, reading which one that is on {@code
   * readOn} (the thread that starts publishes, so that one it is starting now is included).
   * Failures are not thrown: the pipeline logged them.
   */
  void awaitLatest(Scheduler readOn, Duration timeout) {
    try {
      CompletableFuture<Void> inFlight =
          Mono.fromCallable(this::latest).subscribeOn(readOn).block(timeout);
      inFlight.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.debug("publish in flight: {}", e.toString());
    }
  }

  private void logPublished(VersionExport export) {
    ModelManifest manifest = export.model().manifest();
    StringBuilder evaluation = new StringBuilder();
    export.evaluation().forEach((name, value) -> evaluation.append(", ").append(name)
        .append(' ').append(String.format("%.4g", value)));
    log.info("published {} ({} bytes, step {}, sha256 {}…){}{}; {}", PublishedModel.key(manifest),
        export.model().onnx().length, export.progress().step(),
        manifest.sha256().substring(0, 12),
        export.grid() == null ? "" : ", samples " + export.grid(), evaluation,
        export.judgement());
  }

  /**
   * The sends, run when subscribed.
   *
   * @param onGeneratorAcked called once the broker acked the generator record
   */
  Mono<Void> publish(VersionExport export, Consumer<VersionExport> onGeneratorAcked) {
    return Flux.fromIterable(export.extraGraphs())
        .concatMap(sender::send)
        .then(sender.send(export.model().toRecord(options.topics().models(), TrainerService.SOURCE)))
        .then(Mono.defer(() -> sender.send(export.judgement().next()
            .toRecord(options.topics().models(), TrainerService.SOURCE))))
        // Best only moves once the version it names is on the broker.
        .doOnSuccess(metadata -> {
          promotion.accept(export.judgement());
          onGeneratorAcked.accept(export);
        })
        .then(sender.send(trainingEvent(export)))
        .then(sender.send(export.checkpoint().toRecord(options.topics().checkpoints(),
                TrainerService.SOURCE))
            // The version is out; without its checkpoint a restart resumes from an older one.
            .onErrorResume(e -> {
              log.warn("checkpoint of {} v{} not published: {}", options.modelName(),
                  export.version(), e.toString());
              return Mono.empty();
            }))
        .then(Mono.defer(() -> retention.published(export.version(), export.keys()))
            // Versions not deleted now are tried again after the next publish.
            .onErrorResume(e -> {
              log.warn("retention of {} after v{} failed: {}", options.modelName(),
                  export.version(), e.toString());
              return Mono.empty();
            }))
        .then();
  }

  private ProducerRecord<String, byte[]> trainingEvent(VersionExport export) {
    TrainingProgress p = export.progress();
    Map<String, Object> event = new LinkedHashMap<>();
    event.put("model", options.modelName());
    event.put("family", options.spec().family().id());
    event.put("version", export.version());
    event.put("step", p.step());
    event.put("imagesSeen", p.imagesSeen());
    event.put("imagesPerSecond", p.imagesPerSecond());
    event.put("dutyCycle", p.dutyCycle());
    event.put("metrics", p.metrics());
    if (!export.evaluation().isEmpty()) {
      event.put("evaluation", export.evaluation());
    }
    event.put("status", export.judgement().verdict().status());
    event.put("statusReason", export.judgement().verdict().reason());
    event.put("best", export.judgement().next().best());
    if (export.grid() != null) {
      event.put("sampleGrid", export.grid().toString());
    }
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_TRAINING, TrainerService.SOURCE,
        "application/json");
    CloudEvents.header(headers, "model", options.modelName());
    CloudEvents.header(headers, "modelversion", export.version());
    return new ProducerRecord<>(options.topics().training(), null, options.modelName(),
        Json.write(event).getBytes(StandardCharsets.UTF_8), headers);
  }
}
