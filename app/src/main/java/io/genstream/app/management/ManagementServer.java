package io.genstream.app.management;

import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A service process's management port: {@code GET /health/live} (200 while the process runs:
 * a service whose pipeline stopped for good ends the process instead), {@code GET /health/ready}
 * (200 once the service does its work, 503 with the reason before), and {@code GET /metrics}
 * (Prometheus text: the JVM, the service's counters, and its consumer group's lag per
 * partition). For orchestrators' probes and scrapers; no API key (bind it to an internal
 * interface).
 *
 * <p>Owns its Vert.x instance and the meter registry it is given; {@link #close()} stops both.
 */
public final class ManagementServer implements AutoCloseable {

  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  /** Whether the service is ready; null when it is, else the reason it is not yet. */
  @FunctionalInterface
  public interface Readiness extends Supplier<String> {}

  private final Vertx vertx;
  private final PrometheusMeterRegistry meters;
  private final HttpServer server;
  private final String service;

  private ManagementServer(String service, Vertx vertx, PrometheusMeterRegistry meters,
      HttpServer server) {
    this.service = service;
    this.vertx = vertx;
    this.meters = meters;
    this.server = server;
  }

  /** A registry with the JVM's meters, for the service's own counters and {@link #start}. */
  public static PrometheusMeterRegistry meters(String service) {
    PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    meters.config().commonTags("service", service);
    new JvmMemoryMetrics().bindTo(meters);
    new JvmThreadMetrics().bindTo(meters);
    new ProcessorMetrics().bindTo(meters);
    return meters;
  }

  /**
   * Listens on {@code host:port} (0: a free port) and returns once it does.
   *
   * @throws IllegalStateException if the port cannot be bound
   */
  public static ManagementServer start(String service, String host, int port,
      PrometheusMeterRegistry meters, Readiness readiness) {
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    Router router = Router.router(vertx);
    router.get("/health/live").handler(ctx -> json(ctx, 200,
        new JsonObject().put("status", "UP").put("service", service)));
    router.get("/health/ready").handler(ctx -> {
      String reason = readiness.get();
      json(ctx, reason == null ? 200 : 503, reason == null
          ? new JsonObject().put("status", "READY").put("service", service)
          : new JsonObject().put("status", "NOT_READY").put("service", service)
              .put("reason", reason));
    });
    // A scrape formats a few hundred meters in memory: small enough for the event loop.
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader("Content-Type", PROMETHEUS_TEXT).end(meters.scrape()));
    try {
      HttpServer server = vertx.createHttpServer().requestHandler(router)
          .listen(port, host).toCompletionStage().toCompletableFuture()
          .get(START_TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
      return new ManagementServer(service, vertx, meters, server);
    } catch (Exception e) {
      vertx.close();
      throw new IllegalStateException("management port " + host + ":" + port + " for " + service
          + " could not be opened: " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.actualPort();
  }

  /** What to print so a person or a probe knows where to look. */
  public String describe(String host) {
    String base = "http://" + host + ":" + port();
    return "management       : " + base + "/health/live, " + base + "/health/ready, " + base
        + "/metrics (Prometheus)";
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
        .end(body.encode());
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture()
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing anyway: the process is on its way out.
    }
    meters.close();
  }

  @Override
  public String toString() {
    return "ManagementServer[" + service + " on port " + port() + "]";
  }
}
