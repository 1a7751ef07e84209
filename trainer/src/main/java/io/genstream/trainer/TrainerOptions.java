package io.genstream.trainer;

import io.genstream.trainer.evaluation.EvaluationOptions;
import io.genstream.trainer.promotion.PromotionRules;
import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.config.Topics;
import io.genstream.core.messages.ModelManifest;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.video.VideoOptions;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link TrainerService} is wired. What the model is and how it trains is its
 * {@link ModelSpec}; these are the service's own settings. Build with {@link #builder}.
 *
 * @param kafka the cluster and the client settings of every Kafka client of the trainer
 * @param topics topic names (images in, or frames for {@code framepred}; models, checkpoints, training events, dead letters out)
 * @param modelName the model's name: the models-topic key prefix and consumer group suffix
 * @param spec the model: family, shapes, objective, stabilisers, optimiser, export interval
 * @param samplesDir where sample grids {@code <model>-v<version>.png} are written
 * @param maxSteps stop after this many training steps of this run (a final version is exported
 *     then), counted from the checkpoint it resumed from, if any; 0 trains until closed
 * @param logEveryNSteps INFO log line interval
 * @param intraOpThreads PyTorch intra-op threads of the training thread; 0 keeps PyTorch's
 *     default (one per core), fastest on an idle machine. On cores shared with other busy
 *     processes 1 is steadier, because PyTorch's OpenMP workers spin while they wait.
 * @param keepVersions the newest versions kept on the models topic; older ones (not pinned) are
 *     tombstoned so the topic, generators' memory and start-up stay bounded
 * @param pinnedVersions versions never tombstoned
 * @param video how a {@code framepred} model's clips are assembled, held out and replayed
 *     (ignored by the image families)
 * @param replay how an image model's batches mix fresh and replayed images (ignored by
 *     {@code framepred})
 * @param evaluation how an image model's versions are judged; null: not at all (no images held
 *     out, no evaluator), and versions are only ever candidates
 * @param promotion when a judged version becomes {@code best} or is rejected
 */
public record TrainerOptions(
    KafkaConnection kafka,
    Topics topics,
    String modelName,
    ModelSpec spec,
    Path samplesDir,
    long maxSteps,
    int logEveryNSteps,
    int intraOpThreads,
    int keepVersions,
    Set<Long> pinnedVersions,
    VideoOptions video,
    ReplayOptions replay,
    EvaluationOptions evaluation,
    PromotionRules promotion) {

  public TrainerOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(samplesDir, "samplesDir");
    Objects.requireNonNull(video, "video");
    Objects.requireNonNull(replay, "replay");
    Objects.requireNonNull(promotion, "promotion");
    pinnedVersions = Set.copyOf(pinnedVersions);
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
    if (keepVersions < 1 || keepVersions > 10_000) {
      throw new IllegalArgumentException("keepVersions must be 1..10000, got " + keepVersions);
    }
  }

  /** Default topics, the family's default spec (cgan digits), unlimited steps. */
  public static Builder builder(KafkaConnection kafka, String modelName) {
    return new Builder(kafka, modelName);
  }

  /** {@link #builder(KafkaConnection, String)} for a plaintext cluster. */
  public static Builder builder(String bootstrapServers, String modelName) {
    return new Builder(KafkaConnection.of(bootstrapServers), modelName);
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** The consumer group on the input topic: one per model. */
  public String groupId() {
    return "genstream-trainer-" + modelName;
  }

  /** The topic the model trains from: frames for {@code framepred}, images for the others. */
  public String inputTopic() {
    return spec.family() == ModelSpec.Family.FRAMEPRED ? topics.frames() : topics.images();
  }

  /** Builds {@link TrainerOptions}; each setter names one setting, validation happens once. */
  public static final class Builder {
    private final KafkaConnection kafka;
    private final String modelName;
    private Topics topics = Topics.defaults();
    private ModelSpec spec = ModelSpec.defaults(ModelSpec.Family.CGAN);
    private Path samplesDir = Path.of("genstream-samples");
    private long maxSteps;
    private int logEveryNSteps = 50;
    private int intraOpThreads;
    private int keepVersions = 20;
    private Set<Long> pinnedVersions = Set.of();
    private VideoOptions video = VideoOptions.defaults();
    private ReplayOptions replay = ReplayOptions.defaults();
    private EvaluationOptions evaluation = EvaluationOptions.defaults();
    private PromotionRules promotion = PromotionRules.defaults();

    private Builder(KafkaConnection kafka, String modelName) {
      this.kafka = kafka;
      this.modelName = modelName;
    }

    public Builder topics(Topics value) {
      topics = value;
      return this;
    }

    public Builder spec(ModelSpec value) {
      spec = value;
      return this;
    }

    public Builder samplesDir(Path value) {
      samplesDir = value;
      return this;
    }

    public Builder maxSteps(long value) {
      maxSteps = value;
      return this;
    }

    public Builder logEveryNSteps(int value) {
      logEveryNSteps = value;
      return this;
    }

    public Builder intraOpThreads(int value) {
      intraOpThreads = value;
      return this;
    }

    public Builder keepVersions(int value) {
      keepVersions = value;
      return this;
    }

    public Builder pinnedVersions(Set<Long> value) {
      pinnedVersions = value;
      return this;
    }

    /** Clip assembly, held-out set and replay of a {@code framepred} model. */
    public Builder video(VideoOptions value) {
      video = value;
      return this;
    }

    /** The replay of an image model's training images. */
    public Builder replay(ReplayOptions value) {
      replay = value;
      return this;
    }

    /** How an image model's versions are judged; null for not at all. */
    public Builder evaluation(EvaluationOptions value) {
      evaluation = value;
      return this;
    }

    public Builder promotion(PromotionRules value) {
      promotion = value;
      return this;
    }

    /** Replay, evaluation and promotion at once. */
    public Builder judging(Judging value) {
      replay = value.replay();
      evaluation = value.evaluation();
      promotion = value.promotion();
      return this;
    }

    public TrainerOptions build() {
      return new TrainerOptions(kafka, topics, modelName, spec, samplesDir, maxSteps,
          logEveryNSteps, intraOpThreads, keepVersions, pinnedVersions, video, replay,
          evaluation, promotion);
    }
  }
}
