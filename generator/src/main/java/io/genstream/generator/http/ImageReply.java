package io.genstream.generator.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.Json;
import io.genstream.generator.Generation;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * A {@link Generation} as an HTTP response, in one of three shapes:
 *
 * <ul>
 *   <li>{@link Shape#SINGLE}: the one image's bytes ({@code image/png}, or
 *       {@code application/octet-stream} with {@code X-Shape: C,H,W} for format raw);
 *   <li>{@link Shape#JSON}: {@code {"requestId", "model", "version", "seed", "provider",
 *       "images": [{"index", "label", "contentType", "shape", "data"}]}}, data in standard base64;
 *   <li>{@link Shape#MULTIPART}: {@code multipart/mixed}, one part per image with its own
 *       {@code Content-Type}, {@code X-Index}, {@code X-Label} and {@code X-Shape}.
 * </ul>
 *
 * Every shape carries {@code X-Request-Id}, {@code X-Seed}, {@code X-Model},
 * {@code X-Model-Version}, {@code X-Execution-Provider} and {@code X-Count}; a single image also
 * {@code X-Label} (conditional models) and {@code X-Shape}. Built off the event loop (on the
 * engine's encode thread that completed the generation); the event loop only writes it.
 */
record ImageReply(MultiMap headers, Buffer body) {

  static final String REQUEST_ID = "X-Request-Id";
  static final String SEED = "X-Seed";
  static final String MODEL = "X-Model";
  static final String MODEL_VERSION = "X-Model-Version";
  static final String PROVIDER = "X-Execution-Provider";
  static final String COUNT = "X-Count";
  static final String INDEX = "X-Index";
  static final String LABEL = "X-Label";
  static final String SHAPE = "X-Shape";
  static final String MULTIPART_MIXED = "multipart/mixed";

  /** How the client wants the images. */
  enum Shape {
    SINGLE, JSON, MULTIPART;

    /**
     * From the {@code Accept} header and the number of images: {@code multipart/mixed} when
     * accepted; else JSON for several images, or for one when {@code application/json} is
     * accepted; else the one image's bytes.
     */
    static Shape of(String accept, int count) {
      String a = accept == null ? "" : accept.toLowerCase(java.util.Locale.ROOT);
      if (a.contains(MULTIPART_MIXED)) {
        return MULTIPART;
      }
      return count > 1 || a.contains(Responses.JSON) ? JSON : SINGLE;
    }
  }

  static ImageReply of(Generation generation, Shape shape) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    GenerationRequest request = generation.request();
    headers.set(REQUEST_ID, Responses.headerValue(request.requestId()))
        .set(SEED, Long.toString(request.seed()))
        .set(MODEL, Responses.headerValue(request.model()))
        .set(MODEL_VERSION, Long.toString(generation.version()))
        .set(PROVIDER, generation.provider())
        .set(COUNT, Integer.toString(generation.images().size()));
    return switch (shape) {
      case SINGLE -> single(generation.images().get(0), headers);
      case JSON -> json(generation, headers);
      case MULTIPART -> multipart(generation, headers);
    };
  }

  void send(HttpServerResponse response) {
    for (String name : headers.names()) {
      response.headers().set(name, headers.getAll(name)); // replaces, never repeats, a header
    }
    response.setStatusCode(200).end(body);
  }

  private static ImageReply single(GeneratedImage image, MultiMap headers) {
    headers.set(HttpHeaders.CONTENT_TYPE, image.contentType());
    if (image.label() >= 0) {
      headers.set(LABEL, Integer.toString(image.label()));
    }
    if (image.shape() != null) {
      headers.set(SHAPE, image.shape());
    }
    return new ImageReply(headers, Buffer.buffer(image.data()));
  }

  private static ImageReply json(Generation generation, MultiMap headers) {
    GenerationRequest request = generation.request();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("requestId", request.requestId());
      json.writeStringField("model", request.model());
      json.writeNumberField("version", generation.version());
      json.writeNumberField("seed", request.seed());
      json.writeStringField("provider", generation.provider());
      json.writeArrayFieldStart("images");
      for (GeneratedImage image : generation.images()) {
        json.writeStartObject();
        json.writeNumberField("index", image.index());
        if (image.label() >= 0) {
          json.writeNumberField("label", image.label());
        } else {
          json.writeNullField("label");
        }
        json.writeStringField("contentType", image.contentType());
        if (image.shape() != null) {
          json.writeArrayFieldStart("shape");
          for (String dim : image.shape().split(",")) {
            json.writeNumber(Integer.parseInt(dim.trim()));
          }
          json.writeEndArray();
        }
        json.writeStringField("data", Base64.getEncoder().encodeToString(image.data()));
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON to memory", e);
    }
    headers.set(HttpHeaders.CONTENT_TYPE, Responses.JSON);
    return new ImageReply(headers, Buffer.buffer(out.toByteArray()));
  }

  private static ImageReply multipart(Generation generation, MultiMap headers) {
    String boundary = "genstream-" + UUID.randomUUID();
    Buffer body = Buffer.buffer();
    for (GeneratedImage image : generation.images()) {
      StringBuilder part = new StringBuilder()
          .append("--").append(boundary).append("\r\n")
          .append("Content-Type: ").append(image.contentType()).append("\r\n")
          .append("Content-Length: ").append(image.data().length).append("\r\n")
          .append(INDEX).append(": ").append(image.index()).append("\r\n");
      if (image.label() >= 0) {
        part.append(LABEL).append(": ").append(image.label()).append("\r\n");
      }
      if (image.shape() != null) {
        part.append(SHAPE).append(": ").append(image.shape()).append("\r\n");
      }
      part.append("\r\n");
      body.appendString(part.toString(), StandardCharsets.US_ASCII.name())
          .appendBytes(image.data())
          .appendString("\r\n");
    }
    body.appendString("--" + boundary + "--\r\n");
    headers.set(HttpHeaders.CONTENT_TYPE, MULTIPART_MIXED + "; boundary=" + boundary);
    return new ImageReply(headers, body);
  }
}
