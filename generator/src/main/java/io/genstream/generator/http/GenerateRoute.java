package io.genstream.generator.http;

import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.RequestParser;
import io.genstream.generator.GenerationEngine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * {@code POST /v1/generate}: the body is the same JSON as a request on the requests topic, read
 * by the same {@link RequestParser} limits; a missing {@code requestId} becomes a UUID and a
 * missing {@code seed} a random one, both echoed as {@code X-Request-Id} and {@code X-Seed} (on
 * errors too, once parsed), so any result can be asked for again.
 *
 * <ul>
 *   <li>Synchronous (the default): the request runs through the shared {@link GenerationEngine}
 *       (micro-batched with the Kafka route's requests) and the images come back as
 *       {@link ImageReply} says.
 *   <li>{@code ?async=true}: the request, its id and seed filled in, is written to the requests
 *       topic and answered {@code 202 {"requestId", "topic", "partition", "offset",
 *       "resultsTopic"}} once the broker acknowledged it; a generator's Kafka route serves it and
 *       the results come on the results topic (or the request's {@code replyTopic}, where the
 *       {@link io.genstream.generator.ReplyTopicRule} allows it), keyed by the request id. A
 *       model this generator does not know (404) or a reply topic the rule refuses (400) is
 *       refused before writing.
 * </ul>
 *
 * <p><b>Threads.</b> Parsing runs on a Vert.x worker thread, generation and the response's
 * encoding on the engine's threads; the event loop routes and writes.
 */
final class GenerateRoute {

  /** The {@code ce_source} of requests written for {@code ?async=true}. */
  static final String SOURCE = "genstream-generator-http";

  private final GenerationEngine engine;
  private final ModelDirectory models;
  private final RequestParser parser;
  private final HttpOptions.AsyncRequests async;

  GenerateRoute(GenerationEngine engine, ModelDirectory models, HttpOptions options) {
    this.engine = engine;
    this.models = models;
    this.parser = new RequestParser(options.maxRequestBytes(), options.maxStringLength());
    this.async = options.async();
  }

  void handle(RoutingContext ctx) {
    boolean asynchronous = asyncParameter(ctx);
    if (asynchronous && async == null) {
      throw new HttpException(501, "asynchronous requests are not enabled on this server "
          + "(it has no Kafka sender); send the request to the requests topic instead");
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new InvalidRequestException("empty request: the body is the request's JSON, e.g. "
          + "{\"model\": \"digits\", \"count\": 4}");
    }
    String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
    Context context = ctx.vertx().getOrCreateContext();
    ctx.vertx().executeBlocking(() -> parse(body.getBytes()), false)
        .compose(request -> {
          ctx.response()
              .putHeader(ImageReply.REQUEST_ID, Responses.headerValue(request.requestId()))
              .putHeader(ImageReply.SEED, Long.toString(request.seed()));
          return asynchronous
              ? submit(request, context, ctx)
              : Responses.onContext(engine.generate(request)
                      .map(generation -> ImageReply.of(generation,
                          ImageReply.Shape.of(accept, generation.images().size()))),
                  context, ctx)
                  .onSuccess(reply -> reply.send(ctx.response()))
                  .<Void>mapEmpty();
        })
        .onFailure(ctx::fail);
  }

  private GenerationRequest parse(byte[] json) {
    return parser.parse(json, UUID.randomUUID().toString(),
        ThreadLocalRandom.current().nextLong() >>> 1);
  }

  /** Writes the request to the requests topic; answers 202 once the broker has it. */
  private Future<Void> submit(GenerationRequest request, Context context, RoutingContext ctx) {
    // A model unknown here is unknown to every generator following the same models topic.
    models.versions(request.model());
    String results = async.replyTopics().check(request.replyTopic()); // 400 if refused
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_REQUEST, SOURCE, Responses.JSON);
    CloudEvents.header(headers, "requestid", request.requestId());
    ProducerRecord<String, byte[]> record = new ProducerRecord<>(async.requestsTopic(), null,
        request.requestId(), request.toJson(), headers);
    return Responses.onContext(async.sender().send(record), context, ctx)
        .onSuccess(metadata -> Responses.json(ctx, 202, new JsonObject()
            .put("requestId", request.requestId())
            .put("seed", request.seed())
            .put("topic", metadata.topic())
            .put("partition", metadata.partition())
            .put("offset", metadata.offset())
            .put("resultsTopic", results)))
        .mapEmpty();
  }

  private static boolean asyncParameter(RoutingContext ctx) {
    String value = ctx.queryParams().get("async");
    if (value == null || value.equals("false")) {
      return false;
    }
    if (value.equals("true") || value.isEmpty()) {
      return true;
    }
    throw new InvalidRequestException("async must be true or false, got '"
        + Responses.headerValue(value) + "'");
  }
}
