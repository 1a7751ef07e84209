package io.genstream.trainer;

import io.genstream.core.config.Topics;
import io.genstream.core.messages.ModelManifest;
import io.genstream.trainer.gan.GanConfig;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How a {@link TrainerService} is wired.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param topics topic names (images in; models, training events and dead letters out)
 * @param modelName the model's name: the models-topic key prefix and consumer group suffix
 * @param gan architecture and hyper-parameters, including the export interval
 * @param samplesDir where sample grids {@code <model>-v<version>.png} are written
 * @param maxSteps stop after this many training steps of this run (a final version is exported
 *     then), counted from the checkpoint it resumed from, if any; 0 trains until closed
 * @param logEveryNSteps INFO log line interval
 * @param intraOpThreads PyTorch intra-op threads of the training thread; 0 keeps PyTorch's
 *     default (one per core), which is fastest on an idle machine. On cores shared with other
 *     busy processes 1 is steadier (measured on 2 shared cores: 2 threads 120–600 img/s, 1
 *     thread 310–345 img/s), because PyTorch's OpenMP workers spin while they wait.
 */
public record TrainerOptions(
    String bootstrapServers,
    Topics topics,
    String modelName,
    GanConfig gan,
    Path samplesDir,
    long maxSteps,
    int logEveryNSteps,
    int intraOpThreads) {

  public TrainerOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(gan, "gan");
    Objects.requireNonNull(samplesDir, "samplesDir");
    if (!ModelManifest.isValidName(modelName)) {
      throw new IllegalArgumentException("modelName must be [A-Za-z0-9._-]+, got '" + modelName + "'");
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("maxSteps must be >= 0 (0 = until closed), got " + maxSteps);
    }
    if (logEveryNSteps < 1) {
      throw new IllegalArgumentException("logEveryNSteps must be >= 1, got " + logEveryNSteps);
    }
    if (intraOpThreads < 0 || intraOpThreads > 256) {
      throw new IllegalArgumentException(
          "intraOpThreads must be 0..256 (0 = PyTorch's default), got " + intraOpThreads);
    }
  }

  /** Default topics, the digits GAN, unlimited steps, a log line every 50 steps. */
  public static TrainerOptions defaults(String bootstrapServers, String modelName, Path samplesDir) {
    return new TrainerOptions(bootstrapServers, Topics.defaults(), modelName, GanConfig.digits(),
        samplesDir, 0, 50, 0);
  }

  public TrainerOptions withMaxSteps(long steps) {
    return new TrainerOptions(bootstrapServers, topics, modelName, gan, samplesDir, steps,
        logEveryNSteps, intraOpThreads);
  }

  public TrainerOptions withGan(GanConfig config) {
    return new TrainerOptions(bootstrapServers, topics, modelName, config, samplesDir, maxSteps,
        logEveryNSteps, intraOpThreads);
  }

  public TrainerOptions withTopics(Topics newTopics) {
    return new TrainerOptions(bootstrapServers, newTopics, modelName, gan, samplesDir, maxSteps,
        logEveryNSteps, intraOpThreads);
  }

  public TrainerOptions withIntraOpThreads(int threads) {
    return new TrainerOptions(bootstrapServers, topics, modelName, gan, samplesDir, maxSteps,
        logEveryNSteps, threads);
  }

  /** The consumer group on the images topic: one per model. */
  public String groupId() {
    return "genstream-trainer-" + modelName;
  }
}
