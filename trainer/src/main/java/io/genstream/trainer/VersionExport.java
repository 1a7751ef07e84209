package io.genstream.trainer;

import io.genstream.core.messages.PublishedModel;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A model version ready to publish: the generator graph with its manifest, the records of its
 * other graphs, its sample grid (null if it could not be written), the trainer state to
 * continue from it, and its evaluation (held-out figures, also in the manifest's metrics; empty
 * for families the feed does not evaluate), and the promotion judgement of its figures.
 */
record VersionExport(PublishedModel model, List<ProducerRecord<String, byte[]>> extraGraphs,
    Path grid, TrainerCheckpoint checkpoint, TrainingProgress progress,
    java.util.Map<String, Double> evaluation,
    io.genstream.trainer.promotion.Promotion.Judgement judgement) {

  long version() {
    return model.manifest().version();
  }

  /** Every models-topic key of this version: the generator's and its other graphs'. */
  List<String> keys() {
    List<String> keys = new java.util.ArrayList<>();
    keys.add(PublishedModel.key(model.manifest()));
    extraGraphs.forEach(record -> keys.add(record.key()));
    return keys;
  }
}
