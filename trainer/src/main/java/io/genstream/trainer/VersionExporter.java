package io.genstream.trainer;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelManifest.GraphSpec;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.TrainingState;
import io.genstream.trainer.promotion.Promotion;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the current state of a model into a {@link VersionExport}: ONNX graphs, the manifest
 * (shapes, spec and its hash, training metrics plus the feed's evaluation, lineage), the
 * promotion judgement of those figures, the feed's sample image and the checkpoint (the
 * family's state and the feed's). Runs on the
 * training thread, since it reads the family's native memory. Stateless apart from its wiring.
 */
final class VersionExporter {

  private static final Logger log = LoggerFactory.getLogger(VersionExporter.class);

  private final TrainerOptions options;
  private final TrainingFeed feed;
  private final Promotion promotion;

  VersionExporter(TrainerOptions options, TrainingFeed feed, Promotion promotion) {
    this.options = options;
    this.feed = feed;
    this.promotion = promotion;
  }

  /**
   * @param version the number reserved for this version
   * @param parentVersion the version training continued from (0: fresh weights)
   */
  VersionExport export(ModelFamily family, TrainingProgress progress, long version,
      long parentVersion) {
    ModelSpec spec = family.spec();
    Exported exported = family.export();
    Exported.Graph generator = exported.generator();
    Map<String, Double> evaluation =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(feed.evaluate(family)));
    Map<String, Double> metrics = metrics(progress);
    metrics.putAll(evaluation);
    Promotion.Judgement judgement = promotion.judge(version, metrics);
    Map<String, GraphSpec> extras = new LinkedHashMap<>();
    for (Exported.Graph graph : exported.extras()) {
      extras.put(graph.name(), new GraphSpec(PublishedModel.sha256(graph.onnx()),
          graph.inputs(), graph.outputs()));
    }
    ModelManifest manifest = new ModelManifest(options.modelName(), version, parentVersion,
        spec.family().id(), spec.channels(), spec.imageSize(), spec.imageSize(),
        spec.latentDim(), spec.numClasses(), generator.inputs(), generator.outputs(),
        PublishedModel.sha256(generator.onnx()), System.currentTimeMillis(), metrics,
        spec.toMap(), spec.sha256(), extras, feed.labelNames());
    List<ProducerRecord<String, byte[]>> extraRecords = new ArrayList<>();
    for (Exported.Graph graph : exported.extras()) {
      extraRecords.add(PublishedModel.extraGraphRecord(manifest, graph.name(), graph.onnx(),
          options.topics().models(), TrainerService.SOURCE));
    }
    Path gridFile = writeGrid(family, version);
    TrainerCheckpoint checkpoint = new TrainerCheckpoint(options.modelName(), version,
        progress.imagesSeen(), withFeedState(family.state()));
    return new VersionExport(new PublishedModel(manifest, generator.onnx()), extraRecords,
        gridFile, checkpoint, progress, evaluation, judgement);
  }

  /** The family's state plus what the feed keeps across restarts (its evaluator). */
  private TrainingState withFeedState(TrainingState state) {
    Map<String, float[]> tensors = new LinkedHashMap<>(state.tensors());
    Map<String, Long> counters = new java.util.HashMap<>(state.counters());
    feed.save(tensors, counters);
    return new TrainingState(state.spec(), state.steps(), tensors, counters);
  }

  private static Map<String, Double> metrics(TrainingProgress p) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("step", (double) p.step());
    metrics.put("imagesSeen", (double) p.imagesSeen());
    metrics.put("imagesPerSecond", p.imagesPerSecond());
    metrics.put("dutyCycle", p.dutyCycle());
    p.metrics().forEach((name, value) -> metrics.put(name, (double) value));
    return metrics;
  }

  /** The sample image, or null: it is for people, a full disk must not stop publishing. */
  private Path writeGrid(ModelFamily family, long version) {
    try {
      return feed.writeSamples(family, version);
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("could not write the sample grid of {} v{}: {}", options.modelName(), version,
          e.toString());
      return null;
    }
  }
}
