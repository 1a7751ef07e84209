package io.genstream.generator.http;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.messages.RequestParser;
import io.genstream.generator.GeneratorOptions;
import io.genstream.generator.ReplyTopicRule;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link GeneratorHttpServer} listens and what it accepts; validated here, once. Build it
 * with {@link #builder()}.
 *
 * @param host the interface to bind ({@code 0.0.0.0} for every one, {@code 127.0.0.1} for this
 *     machine only)
 * @param port 0..65535; 0 picks a free port ({@link GeneratorHttpServer#port()} says which)
 * @param apiKeys keys a client must present ({@code X-API-Key: <key>} or
 *     {@code Authorization: Bearer <key>}) on every route but {@code /v2/health/*} and
 *     {@code /openapi.yaml}; empty: the API is open
 * @param maxRequestBytes largest {@code POST /v1/generate} body, refused with 413 before it is
 *     read; as the Kafka route's limit, 2..{@value RequestParser#MAX_REQUEST_BYTES_LIMIT}
 * @param maxStringLength longest string in a request (ids, names), 1..maxRequestBytes
 * @param maxInferBytes largest Open Inference Protocol {@code infer} body (tensors as JSON
 *     numbers are larger than a request), refused with 413 before it is read,
 *     1 KiB..{@value #MAX_INFER_BYTES_LIMIT}
 * @param async where {@code POST /v1/generate?async=true} writes requests, or {@code null}:
 *     asynchronous requests are refused
 */
public record HttpOptions(
    String host,
    int port,
    Set<String> apiKeys,
    int maxRequestBytes,
    int maxStringLength,
    int maxInferBytes,
    AsyncRequests async) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8081;
  public static final int DEFAULT_MAX_INFER_BYTES = 8 * 1024 * 1024;
  public static final int MAX_INFER_BYTES_LIMIT = 64 * 1024 * 1024;

  public HttpOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535 (0: a free one), got " + port);
    }
    Objects.requireNonNull(apiKeys, "apiKeys");
    for (String key : apiKeys) {
      if (key == null || key.isEmpty() || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException(
            "an API key must be 1 or more printable ASCII characters without spaces");
      }
    }
    apiKeys = Set.copyOf(apiKeys);
    RequestParser.checkLimits(maxRequestBytes, maxStringLength);
    if (maxInferBytes < 1024 || maxInferBytes > MAX_INFER_BYTES_LIMIT) {
      throw new IllegalArgumentException("maxInferBytes must be 1024.." + MAX_INFER_BYTES_LIMIT
          + ", got " + maxInferBytes);
    }
  }

  /**
   * Where asynchronous requests go: the sender writes them to {@code requestsTopic}, where a
   * generator's Kafka route serves them; their results come on the results topic, or on the
   * request's {@code replyTopic} where {@code replyTopics} allows it (a refused one is answered
   * 400 before anything is written; the Kafka route checks again with its own rule). The server
   * borrows the sender: its owner closes it after the server.
   */
  public record AsyncRequests(KafkaSender<String, byte[]> sender, String requestsTopic,
      ReplyTopicRule replyTopics) {
    public AsyncRequests {
      Objects.requireNonNull(sender, "sender");
      Objects.requireNonNull(replyTopics, "replyTopics");
      if (requestsTopic == null || requestsTopic.isBlank()) {
        throw new IllegalArgumentException("requestsTopic must not be blank");
      }
    }
  }

  /** The settings without the keys themselves (only how many): options reach logs. */
  @Override
  public String toString() {
    return "HttpOptions[host=" + host + ", port=" + port + ", apiKeys=" + apiKeys.size()
        + " (redacted), maxRequestBytes=" + maxRequestBytes + ", maxStringLength="
        + maxStringLength + ", maxInferBytes=" + maxInferBytes + ", async=" + (async != null)
        + "]";
  }

  /** Whether clients must present a key. */
  public boolean secured() {
    return !apiKeys.isEmpty();
  }

  /**
   * {@value #DEFAULT_HOST}:{@value #DEFAULT_PORT}, open, the Kafka route's default request
   * limits, infer bodies of up to 8 MiB, no asynchronous requests.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link HttpOptions}; every setting starts at its default. */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private final Set<String> apiKeys = new LinkedHashSet<>();
    private int maxRequestBytes = RequestParser.DEFAULT_MAX_REQUEST_BYTES;
    private int maxStringLength = RequestParser.DEFAULT_MAX_STRING_LENGTH;
    private int maxInferBytes = DEFAULT_MAX_INFER_BYTES;
    private AsyncRequests async;

    private Builder() {}

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** 0 picks a free port. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Adds keys a client may present; none added: the API is open. */
    public Builder apiKeys(Iterable<String> keys) {
      keys.forEach(apiKeys::add);
      return this;
    }

    /** The request limits, as {@link RequestParser#RequestParser(int, int)} takes them. */
    public Builder requestLimits(int maxRequestBytes, int maxStringLength) {
      this.maxRequestBytes = maxRequestBytes;
      this.maxStringLength = maxStringLength;
      return this;
    }

    /** The Kafka route's request limits, so that both routes accept the same requests. */
    public Builder requestLimits(GeneratorOptions generator) {
      return requestLimits(generator.maxRequestBytes(), generator.maxStringLength());
    }

    public Builder maxInferBytes(int maxInferBytes) {
      this.maxInferBytes = maxInferBytes;
      return this;
    }

    /** Enables {@code ?async=true}; see {@link AsyncRequests}. */
    public Builder async(KafkaSender<String, byte[]> sender, String requestsTopic,
        ReplyTopicRule replyTopics) {
      this.async = new AsyncRequests(sender, requestsTopic, replyTopics);
      return this;
    }

    /** @throws IllegalArgumentException naming the first invalid setting */
    public HttpOptions build() {
      return new HttpOptions(host, port, apiKeys, maxRequestBytes, maxStringLength, maxInferBytes,
          async);
    }
  }
}
