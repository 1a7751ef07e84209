package io.genstream.trainer;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.messages.PublishedModel;
import java.time.Duration;

/**
 * Finds the highest version of a model already on the models topic, so that a restarted trainer
 * continues numbering instead of overwriting (the topic is compacted by key
 * {@code <name>/<version>}).
 */
final class ModelVersions {

  private ModelVersions() {}

  /**
   * Reads the models topic to its current end on the calling thread (it blocks).
   *
   * @return the highest version of {@code modelName}, 0 if none
   */
  static long highest(KafkaConnection kafka, String modelsTopic, String modelName,
      Duration timeout) {
    long[] highest = {0};
    TopicScan.readToEnd(kafka, modelsTopic, timeout,
        record -> highest[0] = Math.max(highest[0], versionOf(record.key(), modelName)));
    return highest[0];
  }

  /** The version a key names for {@code modelName}, or 0 for another model's or a foreign key. */
  private static long versionOf(String key, String modelName) {
    try {
      PublishedModel.Key parsed = PublishedModel.Key.parse(key);
      return parsed.model().equals(modelName) ? parsed.version() : 0;
    } catch (IllegalArgumentException e) {
      return 0;
    }
  }
}
