package io.genstream.trainer.fleet;

import io.genstream.core.messages.ModelManifest;
import io.genstream.trainer.TrainerOptions.DataBinding;
import io.genstream.trainer.family.ModelSpec;
import java.util.Objects;

/**
 * One model of a models file ({@link ModelsFile}): what it is and which data it trains from.
 *
 * @param name the model's name (models-topic key prefix, consumer group suffix)
 * @param spec the model
 * @param data its topic and record filter; {@link DataBinding#ALL} for the family's topic
 */
public record FleetModel(String name, ModelSpec spec, DataBinding data) {

  public FleetModel {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(data, "data");
    if (!ModelManifest.isValidName(name)) {
      throw new IllegalArgumentException("model name must be [A-Za-z0-9._-]+, got '" + name + "'");
    }
  }
}
