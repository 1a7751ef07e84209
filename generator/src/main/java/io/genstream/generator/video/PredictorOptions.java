package io.genstream.generator.video;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.config.Topics;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.VideoFrame;
import io.genstream.generator.RegistryOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link FramePredictionService} is wired with; validated here, once. Build it
 * with {@link #builder(String, String)}.
 *
 * @param kafka the cluster and the client settings of every Kafka client of the predictor
 * @param topics frames in; predictions, evaluation events (training topic) and dead letters out;
 *     models followed
 * @param model the model whose {@code latest} version predicts (family {@code framepred})
 * @param groupId consumer group of the frames topic (default {@code genstream-predictor-<model>});
 *     the partitions, hence the streams, are shared among the group's members
 * @param horizon frames predicted per arriving frame, rolled out autoregressively, 1..{@value
 *     #MAX_HORIZON}, for streams whose frames do not ask for their own ({@code ce_horizon})
 * @param maxStreams streams whose windows are kept, 1..{@value #MAX_STREAMS}; the least recently
 *     seen is dropped beyond it (it warms up again from its next frames)
 * @param streamIdleTimeout a stream with no frame for this long is dropped, positive
 * @param maxBatchStreams most stream contexts in one ONNX Runtime call, 1..1024
 * @param maxBatchWait how long a frame waits for others to share its runtime call, 0..1 s
 * @param evaluationInterval how often the running scores are published on the training topic,
 *     at least 100 ms
 * @param maxScoredVersions model versions whose scores are kept, newest first, 1..1000
 * @param channels how frames are decoded before any version of the model is known (1 gray,
 *     3 RGB); once one is, its manifest's channels are used
 * @param ortIntraOpThreads threads one inference may use, at least 1
 * @param readyTimeout how long to wait for the registry to catch up before consuming anyway
 */
public record PredictorOptions(
    KafkaConnection kafka,
    Topics topics,
    String model,
    String groupId,
    int horizon,
    int maxStreams,
    Duration streamIdleTimeout,
    int maxBatchStreams,
    Duration maxBatchWait,
    Duration evaluationInterval,
    int maxScoredVersions,
    int channels,
    int ortIntraOpThreads,
    Duration readyTimeout) {

  public static final int MAX_HORIZON = VideoFrame.MAX_HORIZON;
  public static final int MAX_STREAMS = 1_000_000;
  public static final int DEFAULT_MAX_STREAMS = 10_000;
  public static final Duration DEFAULT_STREAM_IDLE_TIMEOUT = Duration.ofMinutes(5);

  public PredictorOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(streamIdleTimeout, "streamIdleTimeout");
    Objects.requireNonNull(maxBatchWait, "maxBatchWait");
    Objects.requireNonNull(evaluationInterval, "evaluationInterval");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    if (!ModelManifest.isValidName(model)) {
      throw new IllegalArgumentException("model must be a model name ([A-Za-z0-9._-]+), got '"
          + model + "'");
    }
    if (groupId == null || groupId.isBlank()) {
      throw new IllegalArgumentException("groupId must not be blank");
    }
    require(horizon >= 1 && horizon <= MAX_HORIZON, "horizon", horizon, "1.." + MAX_HORIZON);
    require(maxStreams >= 1 && maxStreams <= MAX_STREAMS, "maxStreams", maxStreams,
        "1.." + MAX_STREAMS);
    require(!streamIdleTimeout.isNegative() && !streamIdleTimeout.isZero(), "streamIdleTimeout",
        streamIdleTimeout, "positive");
    require(maxBatchStreams >= 1 && maxBatchStreams <= 1024, "maxBatchStreams", maxBatchStreams,
        "1..1024");
    require(!maxBatchWait.isNegative() && maxBatchWait.compareTo(Duration.ofSeconds(1)) <= 0,
        "maxBatchWait", maxBatchWait, "0..1s");
    require(evaluationInterval.compareTo(Duration.ofMillis(100)) >= 0, "evaluationInterval",
        evaluationInterval, ">= 100ms");
    require(maxScoredVersions >= 1 && maxScoredVersions <= 1000, "maxScoredVersions",
        maxScoredVersions, "1..1000");
    require(channels == 1 || channels == 3, "channels", channels, "1 or 3");
    require(ortIntraOpThreads >= 1, "ortIntraOpThreads", ortIntraOpThreads, ">= 1");
    // Fails early with RegistryOptions' messages.
    registryOptions(kafka, topics, readyTimeout);
  }

  /** The group a predictor of {@code model} joins by default. */
  public static String defaultGroupId(String model) {
    return "genstream-predictor-" + model;
  }

  public static Builder builder(String bootstrapServers, String model) {
    return new Builder(KafkaConnection.of(bootstrapServers), model);
  }

  /** Defaults against {@code kafka}, with its client settings. */
  public static Builder builder(KafkaConnection kafka, String model) {
    return new Builder(kafka, model);
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  /** The registry's share: the models topic, two open sessions (the swap), the catch-up wait. */
  public RegistryOptions registryOptions() {
    return registryOptions(kafka, topics, readyTimeout);
  }

  private static RegistryOptions registryOptions(
      KafkaConnection kafka, Topics topics, Duration ready) {
    return new RegistryOptions(kafka, topics.models(), 2, ready);
  }

  private static void require(boolean ok, String name, Object value, String valid) {
    if (!ok) {
      throw new IllegalArgumentException(name + " must be " + valid + ", got " + value);
    }
  }

  /** Builds {@link PredictorOptions}; every setting starts at its default. */
  public static final class Builder {
    private final KafkaConnection kafka;
    private final String model;
    private Topics topics = Topics.defaults();
    private String groupId;
    private int horizon = 1;
    private int maxStreams = DEFAULT_MAX_STREAMS;
    private Duration streamIdleTimeout = DEFAULT_STREAM_IDLE_TIMEOUT;
    private int maxBatchStreams = 64;
    private Duration maxBatchWait = Duration.ofMillis(5);
    private Duration evaluationInterval = Duration.ofSeconds(10);
    private int maxScoredVersions = 8;
    private int channels = 1;
    private int ortIntraOpThreads = 1;
    private Duration readyTimeout = Duration.ofSeconds(30);

    private Builder(KafkaConnection kafka, String model) {
      this.kafka = kafka;
      this.model = model;
    }

    public Builder topics(Topics topics) {
      this.topics = topics;
      return this;
    }

    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    public Builder horizon(int horizon) {
      this.horizon = horizon;
      return this;
    }

    public Builder maxStreams(int maxStreams) {
      this.maxStreams = maxStreams;
      return this;
    }

    public Builder streamIdleTimeout(Duration timeout) {
      this.streamIdleTimeout = timeout;
      return this;
    }

    /** Micro-batching: at most {@code streams} contexts per call, waiting up to {@code wait}. */
    public Builder batching(int streams, Duration wait) {
      this.maxBatchStreams = streams;
      this.maxBatchWait = wait;
      return this;
    }

    public Builder evaluationInterval(Duration interval) {
      this.evaluationInterval = interval;
      return this;
    }

    public Builder maxScoredVersions(int versions) {
      this.maxScoredVersions = versions;
      return this;
    }

    public Builder channels(int channels) {
      this.channels = channels;
      return this;
    }

    public Builder ortIntraOpThreads(int threads) {
      this.ortIntraOpThreads = threads;
      return this;
    }

    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = timeout;
      return this;
    }

    /** @throws IllegalArgumentException naming the first invalid setting */
    public PredictorOptions build() {
      return new PredictorOptions(kafka, topics, model,
          groupId == null && ModelManifest.isValidName(model) ? defaultGroupId(model) : groupId,
          horizon, maxStreams, streamIdleTimeout, maxBatchStreams, maxBatchWait,
          evaluationInterval, maxScoredVersions, channels, ortIntraOpThreads, readyTimeout);
    }
  }
}
