package io.genstream.generator.http;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/** Small helpers the routes share: JSON replies, safe header values, Reactor to Vert.x. */
final class Responses {

  static final String JSON = "application/json";
  /** Where a route notes its body limit, for the 413 message. */
  static final String BODY_LIMIT_KEY = "genstream.bodyLimit";

  private Responses() {}

  static void json(RoutingContext ctx, int status, JsonObject body) {
    json(ctx, status, body.toBuffer());
  }

  static void json(RoutingContext ctx, int status, Buffer body) {
    ctx.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(body);
  }

  /**
   * {@code value} as a header value: printable ASCII as it is, anything else (a request id with
   * control characters or non-ASCII letters) percent-encoded, so that no request field can split
   * or forge a header.
   */
  static String headerValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
      }
    }
    return value;
  }

  /**
   * Subscribes to {@code mono} now and completes the returned future on {@code context} (the
   * route's event loop), so that the response is written there whatever thread the value came
   * from. If the client goes away first, the subscription is cancelled.
   */
  static <T> Future<T> onContext(Mono<T> mono, Context context, RoutingContext ctx) {
    Promise<T> promise = Promise.promise();
    Disposable subscription = mono.subscribe(
        value -> context.runOnContext(v -> promise.tryComplete(value)),
        error -> context.runOnContext(v -> promise.tryFail(error)),
        () -> context.runOnContext(v -> promise.tryComplete()));
    ctx.response().closeHandler(v -> subscription.dispose());
    return promise.future();
  }
}
