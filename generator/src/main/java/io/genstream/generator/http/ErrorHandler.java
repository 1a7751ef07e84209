package io.genstream.generator.http;

import io.genstream.core.failure.Failures;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.LogSafe;
import io.genstream.generator.UnknownModelException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a failure into a response: a JSON body {@code {"error": "..."}} with
 * the status the failure means.
 *
 * <table>
 *   <caption>failure → status</caption>
 *   <tr><td>{@link UnknownModelException}</td><td>404</td></tr>
 *   <tr><td>{@link InvalidRequestException} (the request itself is wrong)</td><td>400</td></tr>
 *   <tr><td>transient ({@link Failures#isTransient}: model not ready, engine overloaded, a
 *       retriable Kafka error)</td><td>503 with {@code Retry-After}</td></tr>
 *   <tr><td>{@link HttpException}, or a status without an exception (body too large 413, no
 *       route 404, wrong method 405, missing key 401)</td><td>its status</td></tr>
 *   <tr><td>anything else</td><td>500 with a generic message and a reference; the exception is
 *       logged with that reference</td></tr>
 * </table>
 *
 * <p>Registered as the router's failure handler and as its error handler for unmatched routes;
 * runs on the event loop and never blocks.
 */
final class ErrorHandler implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(ErrorHandler.class);
  /** Seconds a client should wait after a 503; the engine's queue drains in milliseconds. */
  static final String RETRY_AFTER_SECONDS = "1";

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.ended()) {
      return;
    }
    if (response.headWritten()) {
      // Part of a body is out: the only honest signal left is a broken connection.
      log.warn("{} {} failed after its response started", ctx.request().method(),
          LogSafe.text(ctx.request().path()), ctx.failure());
      ctx.request().connection().close();
      return;
    }
    Throwable failure = ctx.failure();
    int status;
    String message;
    if (failure instanceof UnknownModelException) {
      status = 404;
      message = failure.getMessage();
    } else if (failure instanceof InvalidRequestException) {
      status = 400;
      message = failure.getMessage();
    } else if (failure != null && Failures.isTransient(failure)) {
      status = 503;
      message = failure.getMessage();
    } else if (failure instanceof HttpException http) {
      status = http.getStatusCode();
      message = http.getPayload() != null ? http.getPayload() : defaultMessage(ctx, status);
    } else if (failure == null && ctx.statusCode() >= 400) {
      status = ctx.statusCode();
      message = defaultMessage(ctx, status);
    } else {
      status = 500;
      String reference = UUID.randomUUID().toString();
      message = "internal error (reference " + reference + "); the generator's log has the cause";
      log.error("{} {} failed (reference {})", ctx.request().method(),
          LogSafe.text(ctx.request().path()), reference, failure);
    }
    if (log.isDebugEnabled()) {
      log.debug("{} {} -> {}: {}", ctx.request().method(), LogSafe.text(ctx.request().path()),
          status, LogSafe.text(message));
    }
    if (status == 503) {
      response.putHeader(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
    }
    if (status == 401) {
      response.putHeader("WWW-Authenticate", "Bearer realm=\"genstream\"");
    }
    send(response, status, message);
  }

  /** Writes {@code {"error": message}} with {@code status}. */
  static void send(HttpServerResponse response, int status, String message) {
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
        .end(new JsonObject().put("error", message == null ? "" : message).toBuffer());
  }

  private static String defaultMessage(RoutingContext ctx, int status) {
    return switch (status) {
      case 404 -> "no route " + ctx.request().method() + " " + LogSafe.text(ctx.request().path())
          + "; see /openapi.yaml";
      case 405 -> "method " + ctx.request().method() + " not allowed on "
          + LogSafe.text(ctx.request().path());
      case 413 -> "request body too large: " + bodyLimit(ctx);
      default -> HttpResponseStatus.valueOf(status).reasonPhrase();
    };
  }

  private static String bodyLimit(RoutingContext ctx) {
    Integer limit = ctx.get(Responses.BODY_LIMIT_KEY);
    return limit == null ? "over this route's limit" : "this route takes at most " + limit + " bytes";
  }
}
