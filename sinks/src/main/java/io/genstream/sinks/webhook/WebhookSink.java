package io.genstream.sinks.webhook;

import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.sinks.ResultSink;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * POSTs each result to one URL as a CloudEvent in HTTP binary mode: the body is the image
 * bytes with the result's {@code Content-Type}; the attributes are {@code ce-*} headers
 * ({@code ce-id}, {@code ce-source}, {@code ce-type: genstream.result.v1},
 * {@code ce-specversion}, {@code ce-time}, and {@code ce-requestid}, {@code ce-model},
 * {@code ce-modelversion}, {@code ce-seed}, {@code ce-index}, {@code ce-count},
 * {@code ce-label}, {@code ce-shape}, {@code ce-dtype}, {@code ce-provider} where present).
 * {@code ce-id} is {@code <requestId>-<index>}, the same on every attempt and redelivery, so
 * the receiver can drop duplicates (delivery is at least once).
 *
 * <p>A 2xx answer is success. A 5xx, 408, 429, a timeout ({@link Options#timeout()} per
 * request) or a network error is retried with exponential back-off and jitter (from
 * {@link Options#baseBackoff()} up to {@link Options#maxBackoff()}) up to
 * {@link Options#maxAttempts()} attempts in all; then, or at once for any other status, the
 * write fails with a permanent {@link WebhookException} carrying the last status and up to
 * {@value #MAX_BODY_CHARS} characters of its body, which the sink service dead-letters.
 *
 * <p>Non-blocking: requests run on this sink's own Vert.x event loop and the returned
 * {@code Mono} completes there; back-off waits run on Reactor's timer. Owns its Vert.x
 * instance and client; {@link #close()} closes both, failing requests in flight.
 */
public final class WebhookSink implements ResultSink {

  public static final int MAX_BODY_CHARS = 500;
  public static final String SOURCE = "genstream-sink";
  private static final long CLOSE_TIMEOUT_S = 10;

  private static final Logger log = LoggerFactory.getLogger(WebhookSink.class);

  /**
   * @param url where to POST, {@code http} or {@code https}
   * @param maxAttempts attempts per result in all, 1..100 (default 5)
   * @param timeout per request (default 10 s)
   * @param baseBackoff first wait before a retry (default 200 ms)
   * @param maxBackoff longest wait between attempts (default 10 s)
   */
  public record Options(URI url, int maxAttempts, Duration timeout, Duration baseBackoff,
      Duration maxBackoff) {

    public Options {
      Objects.requireNonNull(url, "url");
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
        throw new IllegalArgumentException("url must be http or https, got " + url);
      }
      if (url.getHost() == null) {
        throw new IllegalArgumentException("url must name a host, got " + url);
      }
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException("maxAttempts must be 1..100, got " + maxAttempts);
      }
      requirePositive("timeout", timeout);
      requirePositive("baseBackoff", baseBackoff);
      if (maxBackoff == null || maxBackoff.compareTo(baseBackoff) < 0) {
        throw new IllegalArgumentException(
            "maxBackoff must be at least baseBackoff (" + baseBackoff + "), got " + maxBackoff);
      }
    }

    /** The defaults: 5 attempts, 10 s per request, back-off 200 ms doubling up to 10 s. */
    public static Options of(URI url) {
      return new Options(url, 5, Duration.ofSeconds(10), Duration.ofMillis(200), Duration.ofSeconds(10));
    }

    public Options withMaxAttempts(int maxAttempts) {
      return new Options(url, maxAttempts, timeout, baseBackoff, maxBackoff);
    }

    public Options withTimeout(Duration timeout) {
      return new Options(url, maxAttempts, timeout, baseBackoff, maxBackoff);
    }

    public Options withBackoff(Duration baseBackoff, Duration maxBackoff) {
      return new Options(url, maxAttempts, timeout, baseBackoff, maxBackoff);
    }

    private static void requirePositive(String name, Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
    }
  }

  private final Options options;
  private final Vertx vertx;
  private final WebClient client;

  public WebhookSink(Options options) {
    this.options = Objects.requireNonNull(options, "options");
    this.vertx = Vertx.vertx();
    this.client = WebClient.create(vertx);
  }

  public Options options() {
    return options;
  }

  @Override
  public String name() {
    return "webhook";
  }

  @Override
  public Mono<Void> write(GeneratedImage image) {
    return Mono.defer(() -> post(image))
        .retryWhen(Retry.backoff(options.maxAttempts() - 1L, options.baseBackoff())
            .maxBackoff(options.maxBackoff())
            .jitter(0.5)
            .filter(error -> error instanceof Retryable)
            .doBeforeRetry(signal -> log.debug("Webhook: {}-{} attempt {} failed, retrying: {}",
                image.requestId(), image.index(), signal.totalRetries() + 1,
                signal.failure().getMessage()))
            .onRetryExhaustedThrow((spec, signal) -> {
              Retryable last = (Retryable) signal.failure();
              return new WebhookException(last.status, last.body, "gave up after "
                  + options.maxAttempts() + " attempts: " + last.getMessage(), last);
            }));
  }

  /** One attempt; header values are checked while building, so a bad one is permanent. */
  private Mono<Void> post(GeneratedImage image) {
    HttpRequest<Buffer> request = client.postAbs(options.url().toString())
        .timeout(options.timeout().toMillis());
    headers(image).forEach(request::putHeader);
    return Mono.fromCompletionStage(request.sendBuffer(Buffer.buffer(image.data())).toCompletionStage())
        .onErrorMap(error -> new Retryable(-1, "",
            "POST " + options.url() + " failed: " + error, error))
        .flatMap(this::check);
  }

  private Mono<Void> check(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return Mono.empty();
    }
    String body = truncate(response.bodyAsString());
    String message = "POST " + options.url() + " answered " + status
        + (body.isEmpty() ? "" : ": " + body);
    if (status >= 500 || status == 408 || status == 429) {
      return Mono.error(new Retryable(status, body, message, null));
    }
    return Mono.error(new WebhookException(status, body, message, null));
  }

  /** The CloudEvents HTTP binary-mode headers of {@code image}. */
  static Map<String, String> headers(GeneratedImage image) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", image.contentType());
    headers.put("ce-specversion", CloudEvents.SPEC_VERSION);
    headers.put("ce-id", image.requestId() + "-" + image.index());
    headers.put("ce-source", SOURCE);
    headers.put("ce-type", CloudEvents.TYPE_RESULT);
    headers.put("ce-time", Instant.now().toString());
    headers.put("ce-requestid", image.requestId());
    headers.put("ce-model", image.model());
    headers.put("ce-modelversion", Long.toString(image.version()));
    headers.put("ce-seed", Long.toString(image.seed()));
    headers.put("ce-index", Integer.toString(image.index()));
    headers.put("ce-count", Integer.toString(image.count()));
    if (image.label() >= 0) {
      headers.put("ce-label", Integer.toString(image.label()));
    }
    if (image.shape() != null) {
      headers.put("ce-shape", image.shape());
    }
    if (image.raw()) {
      headers.put("ce-dtype", "uint8");
    }
    if (image.provider() != null) {
      headers.put("ce-provider", image.provider());
    }
    return headers;
  }

  private static String truncate(String body) {
    if (body == null) {
      return "";
    }
    return body.length() <= MAX_BODY_CHARS ? body : body.substring(0, MAX_BODY_CHARS);
  }

  /** Closes the client and Vert.x, waiting up to ten seconds; not from an event loop. */
  @Override
  public void close() {
    client.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(CLOSE_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("Webhook sink: Vert.x not closed within {} s: {}", CLOSE_TIMEOUT_S, e.toString());
    }
  }

  /** A failed attempt worth another: 5xx, 408, 429, timeout, no connection. Never escapes. */
  private static final class Retryable extends RuntimeException {
    final int status;
    final String body;

    Retryable(int status, String body, String message, Throwable cause) {
      super(message, cause, false, false);
      this.status = status;
      this.body = body;
    }
  }
}
