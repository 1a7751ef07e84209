package io.genstream.generator;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.RequestParser;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link GeneratorService} is wired with; validated here, once.
 *
 * @param bootstrapServers Kafka bootstrap servers
 * @param topics topic names (requests in; results and dead letters out; models followed)
 * @param groupId consumer group of the requests topic; generators with the same group share
 *     the work (scale-out)
 * @param ortIntraOpThreads threads one ONNX Runtime inference may use, at least 1
 * @param inferenceThreads threads of the dedicated inference scheduler, i.e. requests run at
 *     the same time, at least 1; {@code ortIntraOpThreads × inferenceThreads} should not exceed
 *     the cores the generator may use
 * @param maxCount largest {@code count} a request may ask for, 1..{@value GenerationRequest#MAX_COUNT}
 * @param openSessionsPerModel see {@link RegistryOptions#openSessionsPerModel()}
 * @param readyTimeout how long to wait for the registry to catch up before serving anyway
 * @param maxRequestBytes largest request (JSON bytes) parsed; a larger one is dead-lettered
 *     unread, 2..{@value RequestParser#MAX_REQUEST_BYTES_LIMIT}
 * @param maxStringLength longest string in a request ({@code requestId}, {@code model},
 *     {@code version}, field names), refused while parsing, 1..maxRequestBytes
 * @param maxResultBytes largest result record (PNG, key and headers); a request with a larger
 *     result is dead-lettered before anything is sent, 1..{@value #MAX_RESULT_BYTES_LIMIT}
 */
public record GeneratorOptions(
    String bootstrapServers,
    Topics topics,
    String groupId,
    int ortIntraOpThreads,
    int inferenceThreads,
    int maxCount,
    int openSessionsPerModel,
    Duration readyTimeout,
    int maxRequestBytes,
    int maxStringLength,
    int maxResultBytes) {

  public static final String DEFAULT_GROUP_ID = "genstream-generator";
  public static final int DEFAULT_MAX_RESULT_BYTES = 4 * 1024 * 1024;
  /** Below the producer's {@code max.request.size}, with room for its batch overhead. */
  public static final int MAX_RESULT_BYTES_LIMIT = SenderOptions.MAX_REQUEST_SIZE - 1024 * 1024;

  public GeneratorOptions {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(readyTimeout, "readyTimeout");
    if (groupId == null || groupId.isBlank()) {
      throw new IllegalArgumentException("groupId must not be blank");
    }
    if (ortIntraOpThreads < 1) {
      throw new IllegalArgumentException("ortIntraOpThreads must be >= 1, got " + ortIntraOpThreads);
    }
    if (inferenceThreads < 1) {
      throw new IllegalArgumentException("inferenceThreads must be >= 1, got " + inferenceThreads);
    }
    if (maxCount < 1 || maxCount > GenerationRequest.MAX_COUNT) {
      throw new IllegalArgumentException(
          "maxCount must be 1.." + GenerationRequest.MAX_COUNT + ", got " + maxCount);
    }
    RequestParser.checkLimits(maxRequestBytes, maxStringLength);
    if (maxResultBytes < 1 || maxResultBytes > MAX_RESULT_BYTES_LIMIT) {
      throw new IllegalArgumentException("maxResultBytes must be 1.." + MAX_RESULT_BYTES_LIMIT
          + " (below the producer's max.request.size), got " + maxResultBytes);
    }
    // Fails early with RegistryOptions' messages (the fields are not assigned yet in here).
    new RegistryOptions(bootstrapServers, topics.models(), openSessionsPerModel, readyTimeout);
  }

  /**
   * Default topics and group, one inference at a time on one ONNX Runtime thread (the cores are
   * shared with training), requests of up to {@value GenerationRequest#MAX_COUNT} images,
   * 64 KiB of JSON and strings of 256 characters, results of up to 4 MiB.
   */
  public static GeneratorOptions defaults(String bootstrapServers) {
    return new GeneratorOptions(bootstrapServers, Topics.defaults(), DEFAULT_GROUP_ID, 1, 1,
        GenerationRequest.MAX_COUNT, 2, Duration.ofSeconds(30),
        RequestParser.DEFAULT_MAX_REQUEST_BYTES, RequestParser.DEFAULT_MAX_STRING_LENGTH,
        DEFAULT_MAX_RESULT_BYTES);
  }

  public GeneratorOptions withTopics(Topics topics) {
    return new GeneratorOptions(bootstrapServers, topics, groupId, ortIntraOpThreads,
        inferenceThreads, maxCount, openSessionsPerModel, readyTimeout, maxRequestBytes,
        maxStringLength, maxResultBytes);
  }

  /** Generators sharing a group share the requests; separate groups each serve every request. */
  public GeneratorOptions withGroupId(String groupId) {
    return new GeneratorOptions(bootstrapServers, topics, groupId, ortIntraOpThreads,
        inferenceThreads, maxCount, openSessionsPerModel, readyTimeout, maxRequestBytes,
        maxStringLength, maxResultBytes);
  }

  public GeneratorOptions withMaxCount(int maxCount) {
    return new GeneratorOptions(bootstrapServers, topics, groupId, ortIntraOpThreads,
        inferenceThreads, maxCount, openSessionsPerModel, readyTimeout, maxRequestBytes,
        maxStringLength, maxResultBytes);
  }

  public GeneratorOptions withThreads(int ortIntraOpThreads, int inferenceThreads) {
    return new GeneratorOptions(bootstrapServers, topics, groupId, ortIntraOpThreads,
        inferenceThreads, maxCount, openSessionsPerModel, readyTimeout, maxRequestBytes,
        maxStringLength, maxResultBytes);
  }

  /** Limits checked before any work; see the parameters of the same names. */
  public GeneratorOptions withLimits(int maxRequestBytes, int maxStringLength, int maxResultBytes) {
    return new GeneratorOptions(bootstrapServers, topics, groupId, ortIntraOpThreads,
        inferenceThreads, maxCount, openSessionsPerModel, readyTimeout, maxRequestBytes,
        maxStringLength, maxResultBytes);
  }

  /** The request parser these options' limits make. */
  public RequestParser requestParser() {
    return new RequestParser(maxRequestBytes, maxStringLength);
  }

  /** The registry's share of these options. */
  public RegistryOptions registryOptions() {
    return new RegistryOptions(bootstrapServers, topics.models(), openSessionsPerModel, readyTimeout);
  }
}
