package io.genstream.generator;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.RequestParser;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link GeneratorService} is wired with; validated here, once. Build it with
 * {@link #builder(String)}; {@link #toBuilder()} changes a few settings of existing options.
 *
 * @param kafka the cluster and the client settings of every Kafka client of the generator
 * @param topics topic names (requests in; results and dead letters out; models followed)
 * @param groupId consumer group of the requests topic; generators with the same group share
 *     the work (scale-out)
 * @param ortIntraOpThreads threads one ONNX Runtime inference may use, at least 1;
 *     {@code ortIntraOpThreads × engine.inferenceThreads} should not exceed the cores the
 *     generator may use
 * @param engine batching, queue and thread settings of the {@link GenerationEngine}
 * @param maxInFlightRequests requests read from Kafka and not yet acknowledged, at least 1;
 *     enough to fill several batches, since the broker's acknowledgements take a round trip
 * @param openSessionsPerModel see {@link RegistryOptions#openSessionsPerModel()}
 * @param readyTimeout how long to wait for the registry to catch up before serving anyway
 * @param maxRequestBytes largest request (JSON bytes) parsed; a larger one is dead-lettered
 *     unread, 2..{@value RequestParser#MAX_REQUEST_BYTES_LIMIT}
 * @param maxStringLength longest string in a request ({@code requestId}, {@code model},
 *     {@code version}, field names), refused while parsing, 1..maxRequestBytes
 * @param maxResultBytes largest result record (PNG, key and headers); a request with a larger
 *     result is dead-lettered before anything is sent, 1..{@value #MAX_RESULT_BYTES_LIMIT}
 * @param replyTopics the topics a request may name as {@code replyTopic} besides the results
 *     topic: names, or prefixes ending in {@code *} ({@link ReplyTopicRule}); empty by default
 * @param maxWaitingRequests requests that may wait at once for a model version that cannot serve
 *     yet ({@code best} before a promotion, a load being retried), outside the in-flight slots;
 *     one more is dead-lettered at once, 0..{@value #MAX_WAITING_REQUESTS_LIMIT}
 * @param maxWait how long such a request waits before it is dead-lettered with the reason, from
 *     1 ms to {@value #MAX_WAIT_MINUTES_LIMIT} minutes; it holds back the commit of its partition
 *     at most that long
 */
public record GeneratorOptions(
    KafkaConnection kafka,
    Topics topics,
    String groupId,
    int ortIntraOpThreads,
    EngineOptions engine,
    int maxInFlightRequests,
    int openSessionsPerModel,
    Duration readyTimeout,
    int maxRequestBytes,
    int maxStringLength,
    int maxResultBytes,
    List<String> replyTopics,
    int maxWaitingRequests,
    Duration maxWait) {

  public static final String DEFAULT_GROUP_ID = "genstream-generator";
  public static final int DEFAULT_MAX_RESULT_BYTES = 4 * 1024 * 1024;
  public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 256;
  /** Below the producer's {@code max.request.size}, with room for its batch overhead. */
  public static final int MAX_RESULT_BYTES_LIMIT = SenderOptions.MAX_REQUEST_SIZE - 1024 * 1024;
  public static final int DEFAULT_MAX_WAITING_REQUESTS = 64;
  public static final int MAX_WAITING_REQUESTS_LIMIT = 100_000;
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(60);
  public static final int MAX_WAIT_MINUTES_LIMIT = 60;

  public GeneratorOptions {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    if (groupId == null || groupId.isBlank()) {
      throw new IllegalArgumentException("groupId must not be blank");
    }
    if (ortIntraOpThreads < 1) {
      throw new IllegalArgumentException("ortIntraOpThreads must be >= 1, got " + ortIntraOpThreads);
    }
    if (maxInFlightRequests < 1) {
      throw new IllegalArgumentException(
          "maxInFlightRequests must be >= 1, got " + maxInFlightRequests);
    }
    RequestParser.checkLimits(maxRequestBytes, maxStringLength);
    if (maxResultBytes < 1 || maxResultBytes > MAX_RESULT_BYTES_LIMIT) {
      throw new IllegalArgumentException("maxResultBytes must be 1.." + MAX_RESULT_BYTES_LIMIT
          + " (below the producer's max.request.size), got " + maxResultBytes);
    }
    replyTopics = List.copyOf(replyTopics);
    new ReplyTopicRule(topics, replyTopics); // refuses malformed entries and pipeline topics
    if (maxWaitingRequests < 0 || maxWaitingRequests > MAX_WAITING_REQUESTS_LIMIT) {
      throw new IllegalArgumentException("maxWaitingRequests must be 0.."
          + MAX_WAITING_REQUESTS_LIMIT + ", got " + maxWaitingRequests);
    }
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.toMillis() < 1 || maxWait.compareTo(Duration.ofMinutes(MAX_WAIT_MINUTES_LIMIT)) > 0) {
      throw new IllegalArgumentException("maxWait must be 1 ms.." + MAX_WAIT_MINUTES_LIMIT
          + " min, got " + maxWait);
    }
    // Fails early with RegistryOptions' messages (the fields are not assigned yet in here).
    new RegistryOptions(kafka, topics.models(), openSessionsPerModel, readyTimeout);
  }

  /**
   * Default topics and group, {@link EngineOptions#defaults()} on one ONNX Runtime thread (the
   * cores are shared with training), 256 requests in flight, 64 KiB of JSON and strings of 256
   * characters, results of up to 4 MiB; replies to the results topic only; up to 64 requests
   * waiting up to 60 s for a version that cannot serve yet.
   */
  public static GeneratorOptions defaults(String bootstrapServers) {
    return builder(bootstrapServers).build();
  }

  public static Builder builder(String bootstrapServers) {
    return new Builder(KafkaConnection.of(bootstrapServers));
  }

  /** Defaults against {@code kafka}, with its client settings. */
  public static Builder builder(KafkaConnection kafka) {
    return new Builder(kafka);
  }

  public String bootstrapServers() {
    return kafka.bootstrapServers();
  }

  public Builder toBuilder() {
    Builder b = new Builder(kafka);
    b.topics = topics;
    b.groupId = groupId;
    b.ortIntraOpThreads = ortIntraOpThreads;
    b.engine = engine;
    b.maxInFlightRequests = maxInFlightRequests;
    b.openSessionsPerModel = openSessionsPerModel;
    b.readyTimeout = readyTimeout;
    b.maxRequestBytes = maxRequestBytes;
    b.maxStringLength = maxStringLength;
    b.maxResultBytes = maxResultBytes;
    b.replyTopics = replyTopics;
    b.maxWaitingRequests = maxWaitingRequests;
    b.maxWait = maxWait;
    return b;
  }

  /** The request parser these options' limits make. */
  public RequestParser requestParser() {
    return new RequestParser(maxRequestBytes, maxStringLength);
  }

  /** The rule {@link #replyTopics()} makes over these topics. */
  public ReplyTopicRule replyTopicRule() {
    return new ReplyTopicRule(topics, replyTopics);
  }

  /** The registry's share of these options. */
  public RegistryOptions registryOptions() {
    return new RegistryOptions(kafka, topics.models(), openSessionsPerModel, readyTimeout);
  }

  /** Builds {@link GeneratorOptions}; every setting starts at its default. */
  public static final class Builder {
    private final KafkaConnection kafka;
    private Topics topics = Topics.defaults();
    private String groupId = DEFAULT_GROUP_ID;
    private int ortIntraOpThreads = 1;
    private EngineOptions engine = EngineOptions.defaults();
    private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
    private int openSessionsPerModel = 2;
    private Duration readyTimeout = Duration.ofSeconds(30);
    private int maxRequestBytes = RequestParser.DEFAULT_MAX_REQUEST_BYTES;
    private int maxStringLength = RequestParser.DEFAULT_MAX_STRING_LENGTH;
    private int maxResultBytes = DEFAULT_MAX_RESULT_BYTES;
    private List<String> replyTopics = List.of();
    private int maxWaitingRequests = DEFAULT_MAX_WAITING_REQUESTS;
    private Duration maxWait = DEFAULT_MAX_WAIT;

    private Builder(KafkaConnection kafka) {
      this.kafka = kafka;
    }

    public Builder topics(Topics topics) {
      this.topics = topics;
      return this;
    }

    /** Generators sharing a group share the requests; separate groups each serve every request. */
    public Builder groupId(String groupId) {
      this.groupId = groupId;
      return this;
    }

    public Builder ortIntraOpThreads(int threads) {
      this.ortIntraOpThreads = threads;
      return this;
    }

    public Builder engine(EngineOptions engine) {
      this.engine = engine;
      return this;
    }

    public Builder maxInFlightRequests(int requests) {
      this.maxInFlightRequests = requests;
      return this;
    }

    public Builder openSessionsPerModel(int sessions) {
      this.openSessionsPerModel = sessions;
      return this;
    }

    public Builder readyTimeout(Duration timeout) {
      this.readyTimeout = timeout;
      return this;
    }

    /** Limits checked before any work; see the record's parameters of the same names. */
    public Builder limits(int maxRequestBytes, int maxStringLength, int maxResultBytes) {
      this.maxRequestBytes = maxRequestBytes;
      this.maxStringLength = maxStringLength;
      this.maxResultBytes = maxResultBytes;
      return this;
    }

    /** Topics a request may reply to besides the results topic; see {@link ReplyTopicRule}. */
    public Builder replyTopics(List<String> entries) {
      this.replyTopics = entries;
      return this;
    }

    /** How many requests may wait for a version that cannot serve yet, and for how long. */
    public Builder waiting(int maxWaitingRequests, Duration maxWait) {
      this.maxWaitingRequests = maxWaitingRequests;
      this.maxWait = maxWait;
      return this;
    }

    /** @throws IllegalArgumentException naming the first invalid setting */
    public GeneratorOptions build() {
      return new GeneratorOptions(kafka, topics, groupId, ortIntraOpThreads, engine,
          maxInFlightRequests, openSessionsPerModel, readyTimeout, maxRequestBytes,
          maxStringLength, maxResultBytes, replyTopics, maxWaitingRequests, maxWait);
    }
  }
}
