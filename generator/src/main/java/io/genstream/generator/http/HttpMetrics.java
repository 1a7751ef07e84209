package io.genstream.generator.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The server's own meters: {@code genstream.http.server.requests} (Prometheus:
 * {@code genstream_http_server_requests_seconds_*}), a timer per method, route and status. The
 * route is the route's template ({@code /v2/models/{name}/infer}), never the path a client sent,
 * so the number of series stays bounded; requests no route matched count as {@code unmatched}.
 */
final class HttpMetrics implements Handler<RoutingContext>, AutoCloseable {

  static final String NAME = "genstream.http.server.requests";
  private static final String ROUTE_KEY = "genstream.route";
  private static final String UNMATCHED = "unmatched";

  private final MeterRegistry meters;
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();

  HttpMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** The first handler of every request: times it until its response ended (or failed). */
  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    ctx.addEndHandler(ended -> record(ctx, System.nanoTime() - start));
    ctx.next();
  }

  /** A handler that names the route its request matched, for the {@code route} tag. */
  static Handler<RoutingContext> route(String template) {
    return ctx -> {
      ctx.put(ROUTE_KEY, template);
      ctx.next();
    };
  }

  private void record(RoutingContext ctx, long nanos) {
    String route = ctx.get(ROUTE_KEY);
    String method = ctx.request().method().name();
    String status = Integer.toString(ctx.response().getStatusCode());
    String routeTag = route == null ? UNMATCHED : route;
    timers.computeIfAbsent(method + ' ' + routeTag + ' ' + status,
            key -> Timer.builder(NAME)
                .description("HTTP requests by method, route and status, until the response ended")
                .tag("method", method)
                .tag("route", routeTag)
                .tag("status", status)
                .register(meters))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Removes the meters this server registered. */
  @Override
  public void close() {
    timers.values().forEach(meters::remove);
    timers.clear();
  }
}
