package io.genstream.trainer;

import io.genstream.trainer.evaluation.EvaluationOptions;
import io.genstream.trainer.promotion.PromotionRules;
import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.config.Topics;
import io.genstream.core.messages.ModelManifest;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.video.VideoOptions;
import io.genstream.core.messages.CloudEvents;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.header.Headers;

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
 * @param shuffle the buffer an image model's fresh images are shuffled in before they are
 *     batched (ignored by {@code framepred})
 * @param replay how an image model's batches mix fresh and replayed images (ignored by
 *     {@code framepred})
 * @param evaluation how an image model's versions are judged; null: not at all (no images held
 *     out, no evaluator), and versions are only ever candidates
 * @param promotion when a judged version becomes {@code best} or is rejected
 * @param data which topic the model trains from and which of its records are the model's
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
    ShuffleOptions shuffle,
    ReplayOptions replay,
    EvaluationOptions evaluation,
    PromotionRules promotion,
    DataBinding data) {

  /**
   * The data a model trains from, when it is not everything on its family's topic: several
   * models can then share one images topic, each taking its own dataset.
   *
   * @param topic the topic to read; null for the family's ({@link Topics#images()}, or
   *     {@link Topics#frames()} for {@code framepred})
   * @param attributes CloudEvents attributes a record must carry with exactly these values
   *     (e.g. {@code dataset=pets} matches {@code ce_dataset: pets}); empty: every record
   */
  public record DataBinding(String topic, Map<String, String> attributes) {

    /** The family's topic, every record. */
    public static final DataBinding ALL = new DataBinding(null, Map.of());

    public DataBinding {
      if (topic != null && topic.isBlank()) {
        throw new IllegalArgumentException("a bound topic must not be blank");
      }
      attributes = Map.copyOf(attributes);
      // The rule of CloudEvents extension names: any other name could never match a record.
      attributes.keySet().forEach(name -> {
        if (!name.matches("[a-z0-9]+")) {
          throw new IllegalArgumentException(
              "attribute names are lower-case letters and digits, got '" + name + "'");
        }
      });
    }

    /** Records of {@code ce_dataset = name} on the family's topic. */
    public static DataBinding dataset(String name) {
      return new DataBinding(null, Map.of("dataset", name));
    }

    /** Whether a record with these headers belongs to the model. */
    public boolean accepts(Headers headers) {
      for (Map.Entry<String, String> wanted : attributes.entrySet()) {
        if (!CloudEvents.attribute(headers, wanted.getKey())
            .map(wanted.getValue()::equals).orElse(false)) {
          return false;
        }
      }
      return true;
    }

    /** {@code "ce_dataset=pets"}, or empty when every record is accepted. */
    public String describe() {
      StringBuilder text = new StringBuilder();
      new TreeMap<>(attributes).forEach((name, value) -> text.append(text.isEmpty() ? "" : ", ")
          .append(CloudEvents.PREFIX).append(name).append('=').append(value));
      return text.toString();
    }
  }

  public TrainerOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(samplesDir, "samplesDir");
    Objects.requireNonNull(video, "video");
    Objects.requireNonNull(shuffle, "shuffle");
    Objects.requireNonNull(replay, "replay");
    Objects.requireNonNull(promotion, "promotion");
    Objects.requireNonNull(data, "data");
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

  /**
   * The topic the model trains from: the bound one ({@link #data()}), otherwise frames for
   * {@code framepred} and images for the others.
   */
  public String inputTopic() {
    if (data.topic() != null) {
      return data.topic();
    }
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
    private ShuffleOptions shuffle = ShuffleOptions.defaults();
    private ReplayOptions replay = ReplayOptions.defaults();
    private EvaluationOptions evaluation = EvaluationOptions.defaults();
    private PromotionRules promotion = PromotionRules.defaults();
    private DataBinding data = DataBinding.ALL;

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

    /** The shuffle buffer of an image model's fresh images. */
    public Builder shuffle(ShuffleOptions value) {
      shuffle = value;
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

    /** Shuffle buffer, replay, evaluation and promotion at once. */
    public Builder judging(Judging value) {
      shuffle = value.shuffle();
      replay = value.replay();
      evaluation = value.evaluation();
      promotion = value.promotion();
      return this;
    }

    /** The topic and records the model trains from (default: all of the family's topic). */
    public Builder data(DataBinding value) {
      data = value;
      return this;
    }

    public TrainerOptions build() {
      return new TrainerOptions(kafka, topics, modelName, spec, samplesDir, maxSteps,
          logEveryNSteps, intraOpThreads, keepVersions, pinnedVersions, video, shuffle, replay,
          evaluation, promotion, data);
    }
  }
}
