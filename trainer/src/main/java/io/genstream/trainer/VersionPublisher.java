package io.genstream.trainer;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Puts one {@link VersionExport} on Kafka, in an order that keeps every reader consistent: the
 * version's other graphs, then its generator (a version is complete once that is acked), its
 * training event, its checkpoint, and finally the retention of older versions. A failed
 * checkpoint or retention is logged, not fatal: the version is out. Thread-safe; sends go
 * through the caller's {@link KafkaSender}, which it does not own.
 */
final class VersionPublisher {

  private static final Logger log = LoggerFactory.getLogger(VersionPublisher.class);

  private final TrainerOptions options;
  private final KafkaSender<String, byte[]> sender;
  private final VersionRetention retention;

  VersionPublisher(TrainerOptions options, KafkaSender<String, byte[]> sender,
      VersionRetention retention) {
    this.options = options;
    this.sender = sender;
    this.retention = retention;
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
        .doOnSuccess(metadata -> onGeneratorAcked.accept(export))
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
