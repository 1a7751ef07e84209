package io.genstream.trainer;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.ModelStatus;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a model already has on the models topic: its highest version, so that a restarted trainer
 * continues numbering instead of overwriting (the topic is compacted by key
 * {@code <name>/<version>}), and its promotion status ({@code <name>/status}), so that it keeps
 * the same {@code best}.
 *
 * @param highest the highest version of the model, 0 if none
 * @param status the latest status record, null if none (or deleted)
 */
record ModelVersions(long highest, ModelStatus status) {

  private static final Logger log = LoggerFactory.getLogger(ModelVersions.class);

  /** Reads the models topic to its current end on the calling thread (it blocks). */
  static ModelVersions read(KafkaConnection kafka, String modelsTopic, String modelName,
      Duration timeout) {
    long[] highest = {0};
    ModelStatus[] status = {null};
    String statusKey = ModelStatus.key(modelName);
    TopicScan.readToEnd(kafka, modelsTopic, timeout, record -> {
      if (statusKey.equals(record.key())) {
        if (CloudEvents.isOfType(record, ModelStatus.TYPE)) {
          status[0] = readStatus(record);
        }
      } else if (CloudEvents.isOfType(record, CloudEvents.TYPE_MODEL)) {
        highest[0] = Math.max(highest[0], VersionRetention.versionOf(record.key(), modelName));
      }
    });
    return new ModelVersions(highest[0], status[0]);
  }

  private static ModelStatus readStatus(
      org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> record) {
    if (record.value() == null) {
      return null;
    }
    try {
      return ModelStatus.fromRecord(record);
    } catch (IllegalArgumentException e) {
      log.warn("ignoring invalid status record {} at offset {}: {}", record.key(),
          record.offset(), e.getMessage());
      return null;
    }
  }

}
