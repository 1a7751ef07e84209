package io.genstream.generator.http;

import io.genstream.generator.GenerationEngine;
import io.genstream.generator.ModelRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The generator's HTTP API, on Vert.x: the same {@link GenerationEngine} as the Kafka route
 * behind {@code /v1} (GenStream's own API), {@code /v2} (the Open Inference Protocol),
 * {@code /metrics} (Prometheus) and {@code /openapi.yaml} (the API's description).
 *
 * <table>
 *   <caption>routes</caption>
 *   <tr><td>{@code POST /v1/generate}</td><td>a request as on the requests topic → images
 *       ({@link GenerateRoute}); {@code ?async=true} writes it to the topic</td></tr>
 *   <tr><td>{@code GET /v1/models}, {@code GET /v1/models/{name}}</td><td>models, versions,
 *       status, manifests ({@link ModelRoutes})</td></tr>
 *   <tr><td>{@code GET /v2/health/live|ready}, {@code GET /v2},
 *       {@code GET|POST /v2/models/{name}[/versions/{v}][/ready|/infer]}</td><td>the Open
 *       Inference Protocol ({@link InferenceProtocolRoutes})</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>every meter of the Prometheus registry, the engine's
 *       and this server's ({@code genstream_http_server_requests_seconds_*})</td></tr>
 *   <tr><td>{@code GET /openapi.yaml}</td><td>the OpenAPI 3 document of all of the
 *       above</td></tr>
 * </table>
 *
 * <p><b>Errors</b> go through one handler ({@link ErrorHandler}): {@code {"error": "..."}} with
 * 400 (invalid request), 401 (API key), 404 (unknown model, version or route), 413 (body over
 * the limit), 503 with {@code Retry-After} (model not ready, engine overloaded, registry still
 * catching up) or 500 (anything else; logged with a reference the body names).
 *
 * <p><b>API keys.</b> With {@link HttpOptions#apiKeys()} set, every route but
 * {@code /v2/health/live}, {@code /v2/health/ready} (probes carry no secrets) and
 * {@code /openapi.yaml} (public documentation) needs a key; {@code /metrics} needs one too
 * (Prometheus sends it with {@code authorization: {credentials: <key>}}).
 *
 * <p><b>Threads.</b> One event loop routes and writes; it never blocks. Request bodies are
 * parsed on Vert.x worker threads, generation and response encoding run on the engine's
 * threads, and results are handed back to the event loop to be written.
 *
 * <p><b>Ownership.</b> The server borrows the engine, the registry, the meter registry and the
 * {@linkplain HttpOptions#async() async sender}: their owner closes them after the server. It
 * owns the Vert.x instance it creates; {@link #close()} closes the server, then Vert.x, and
 * removes the server's own meters.
 */
public final class GeneratorHttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GeneratorHttpServer.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  static final String YAML = "application/yaml";

  private final HttpOptions options;
  private final PrometheusMeterRegistry meters;
  private final Vertx vertx;
  private final HttpServer server;
  private final HttpMetrics httpMetrics;
  private final ApiKeyHandler apiKeys;
  private final AtomicBoolean caughtUp = new AtomicBoolean();
  private final Disposable readiness;
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Buffer openApi;

  /**
   * A server for {@code engine}, serving models from {@code registry} (normally the engine's),
   * with its meters and the engine's on {@code /metrics}. Nothing listens before
   * {@link #start()}.
   */
  public GeneratorHttpServer(GenerationEngine engine, ModelRegistry registry,
      PrometheusMeterRegistry meters, HttpOptions options) {
    this.options = options;
    this.meters = meters;
    this.openApi = Buffer.buffer(resource("/openapi.yaml"));
    this.readiness = registry.ready().subscribe(null,
        e -> log.warn("model registry will not catch up: {}", e.toString()),
        () -> caughtUp.set(true));
    this.vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(1)
        // No .vertx cache directory in the working directory: nothing here serves files.
        .setFileSystemOptions(new FileSystemOptions()
            .setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    this.httpMetrics = new HttpMetrics(meters);
    this.apiKeys = options.secured() ? new ApiKeyHandler(options.apiKeys()) : null;
    ModelDirectory models = new ModelDirectory(registry, caughtUp::get);
    Router router = router(
        new GenerateRoute(engine, models, options),
        new ModelRoutes(models),
        new InferenceProtocolRoutes(engine, models, version(), options));
    this.server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(options.host())
            .setPort(options.port())
            // Compression would run on the event loop; PNGs do not shrink anyway.
            .setCompressionSupported(false))
        .requestHandler(router);
  }

  private Router router(GenerateRoute generate, ModelRoutes models,
      InferenceProtocolRoutes oip) {
    Router router = Router.router(vertx);
    router.route().handler(httpMetrics);

    secured(router, HttpMethod.POST, "/v1/generate")
        .handler(body(options.maxRequestBytes()))
        .handler(generate::handle);
    secured(router, HttpMethod.GET, "/v1/models").handler(models::list);
    secured(router, HttpMethod.GET, "/v1/models/:name").handler(models::describe);

    open(router, HttpMethod.GET, "/v2/health/live").handler(oip::live);
    open(router, HttpMethod.GET, "/v2/health/ready").handler(oip::ready);
    secured(router, HttpMethod.GET, "/v2").handler(oip::serverMetadata);
    for (String model : new String[] {"/v2/models/:name", "/v2/models/:name/versions/:version"}) {
      secured(router, HttpMethod.GET, model).handler(oip::modelMetadata);
      secured(router, HttpMethod.GET, model + "/ready").handler(oip::modelReady);
      secured(router, HttpMethod.POST, model + "/infer")
          .handler(body(options.maxInferBytes()))
          .handler(oip::infer);
    }

    secured(router, HttpMethod.GET, "/metrics").handler(this::metrics);
    open(router, HttpMethod.GET, "/openapi.yaml").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, YAML).end(openApi));

    ErrorHandler errors = new ErrorHandler();
    router.route().failureHandler(errors);
    router.errorHandler(404, errors);
    router.errorHandler(405, errors);
    return router;
  }

  /** A route anyone may call; tagged with its template for the HTTP meters. */
  private static Route open(Router router, HttpMethod method, String path) {
    return router.route(method, path).handler(HttpMetrics.route(path.replaceAll(":(\\w+)", "{$1}")));
  }

  /** A route that needs an API key when keys are configured. */
  private Route secured(Router router, HttpMethod method, String path) {
    Route route = open(router, method, path);
    return apiKeys == null ? route : route.handler(apiKeys);
  }

  /** Reads a body of at most {@code limit} bytes; a larger one fails with 413 unread. */
  private static Handler<RoutingContext> body(int limit) {
    BodyHandler reader = BodyHandler.create(false).setBodyLimit(limit);
    return ctx -> {
      ctx.put(Responses.BODY_LIMIT_KEY, limit);
      reader.handle(ctx);
    };
  }

  private void metrics(RoutingContext ctx) {
    // A scrape formats a few hundred meters in memory: small enough for the event loop.
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(meters.scrape());
  }

  /**
   * Starts listening; completes with this server once it listens ({@link #port()} is then the
   * bound port), or fails (the port is taken, the host is not this machine's). Call it once.
   */
  public Mono<GeneratorHttpServer> start() {
    return Mono.defer(() -> {
      if (!started.compareAndSet(false, true)) {
        return Mono.error(new IllegalStateException("HTTP server already started"));
      }
      return Mono.fromCompletionStage(server.listen().toCompletionStage())
          .onErrorMap(e -> new IllegalStateException("cannot listen on " + options.host() + ":"
              + options.port() + ": " + (e instanceof BindException
                  ? e.getMessage() + " (another process has this port; choose another or 0)"
                  : e.toString()), e))
          .doOnNext(s -> log.info("generator HTTP API listening on {}:{}", options.host(), port()))
          .thenReturn(this);
    });
  }

  /** The port it listens on (the one picked when options asked for 0); -1 before it listens. */
  public int port() {
    return server.actualPort() > 0 ? server.actualPort() : -1;
  }

  /**
   * {@code http://host:port}: where a client on this machine reaches the API (a wildcard host,
   * {@code 0.0.0.0} or {@code ::}, is written as {@code 127.0.0.1}).
   */
  public String url() {
    String host = options.host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port();
  }

  /** The options it was built with. */
  public HttpOptions options() {
    return options;
  }

  /**
   * Stops listening, closes open connections and the Vert.x instance, and removes this server's
   * meters. Idempotent. Blocks (up to 10 s): not from an event loop.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    readiness.dispose();
    try {
      server.close().toCompletionStage().toCompletableFuture()
          .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("HTTP server did not close cleanly: {}", e.toString());
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture()
          .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    httpMetrics.close();
  }

  /** This build's version, for {@code GET /v2}. */
  static String version() {
    Properties properties = new Properties();
    try (InputStream in = GeneratorHttpServer.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version", "unknown");
  }

  private static byte[] resource(String name) {
    try (InputStream in = GeneratorHttpServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " is missing from the generator jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
