package io.genstream.generator.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.Json;
import io.genstream.core.messages.ModelManifest;
import io.genstream.generator.GenerationEngine;
import io.genstream.generator.Generation;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.ModelRegistry.VersionInfo;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The Open Inference Protocol's REST API (KServe V2: what Triton, Seldon Core 2 and KServe
 * clients speak) over the same engine as everything else.
 *
 * <ul>
 *   <li>{@code GET /v2/health/live}: 200 {@code {"live": true}} while the server runs.
 *   <li>{@code GET /v2/health/ready}: 200 {@code {"ready": true}} once the model registry has
 *       caught up with the models topic, 503 before.
 *   <li>{@code GET /v2}: {@code {"name": "genstream", "version", "extensions": []}}.
 *   <li>{@code GET /v2/models/{name}[/versions/{v}]}: the version's tensors as a client sends
 *       and receives them: inputs {@code z} FP32 {@code [-1, latentDim]} and (conditional
 *       models) {@code label} INT64 {@code [-1]}; output {@code image} UINT8
 *       {@code [-1, C, H, W]}.
 *   <li>{@code GET /v2/models/{name}[/versions/{v}]/ready}: 200 when the version is loaded or
 *       can load, 503 when its load is being retried, failed or its bytes were evicted.
 *   <li>{@code POST /v2/models/{name}[/versions/{v}]/infer}: the latents (and labels) become a
 *       {@link GenerationRequest} with explicit {@code latents} and format raw, run by the shared
 *       engine, so these calls are micro-batched with the Kafka and {@code /v1} requests and give
 *       byte for byte what {@code /v1/generate} gives for the same latents. Without {@code z},
 *       {@code parameters.count} images are drawn from {@code parameters.seed} (random if
 *       absent), as a seed request. {@code parameters.seed} is echoed in the response's
 *       parameters.
 * </ul>
 *
 * <p>A model or version without a path version is {@code latest}. Errors are
 * {@code {"error": "..."}} with 400 (bad tensors), 404 (unknown model or version) or 503.
 */
final class InferenceProtocolRoutes {

  static final String SERVER_NAME = "genstream";
  static final String PLATFORM = "onnxruntime_onnx";

  private final GenerationEngine engine;
  private final ModelDirectory models;
  private final String serverVersion;
  private final JsonFactory requestJson;

  InferenceProtocolRoutes(GenerationEngine engine, ModelDirectory models, String serverVersion,
      HttpOptions options) {
    this.engine = engine;
    this.models = models;
    this.serverVersion = serverVersion;
    this.requestJson = InferRequest.factory(options.maxInferBytes());
  }

  void live(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject().put("live", true));
  }

  void ready(RoutingContext ctx) {
    boolean ready = models.caughtUp();
    Responses.json(ctx, ready ? 200 : 503, new JsonObject().put("ready", ready));
  }

  void serverMetadata(RoutingContext ctx) {
    Responses.json(ctx, 200, new JsonObject()
        .put("name", SERVER_NAME)
        .put("version", serverVersion)
        .put("extensions", new JsonArray()));
  }

  void modelMetadata(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    List<VersionInfo> versions = models.versions(name);
    ModelManifest m = models.version(name, ctx.pathParam("version")).manifest();
    JsonArray names = new JsonArray();
    versions.forEach(v -> names.add(Long.toString(v.manifest().version())));
    JsonObject metadata = new JsonObject()
        .put("name", name)
        .put("versions", names)
        .put("platform", PLATFORM);
    if (FramePredictor.FAMILY.equals(m.family())) {
      // Its graph as it is (frames in, frame out); inference on it goes through the frames
      // topic, not /infer, which refuses it.
      Responses.json(ctx, 200, metadata
          .put("inputs", graphTensors(m.inputs()))
          .put("outputs", graphTensors(m.outputs())));
      return;
    }
    JsonArray inputs = new JsonArray()
        .add(tensor(InferRequest.LATENT_INPUT, "FP32", new JsonArray().add(-1).add(m.latentDim())));
    if (m.conditional()) {
      inputs.add(tensor(InferRequest.LABEL_INPUT, "INT64", new JsonArray().add(-1)));
    }
    Responses.json(ctx, 200, metadata
        .put("inputs", inputs)
        .put("outputs", new JsonArray().add(tensor(InferRequest.IMAGE_OUTPUT, "UINT8",
            new JsonArray().add(-1).add(m.channels()).add(m.height()).add(m.width())))));
  }

  /** A manifest's graph tensors in the protocol's terms (float → FP32, int64 → INT64). */
  private static JsonArray graphTensors(Map<String, ModelManifest.TensorSpec> specs) {
    JsonArray tensors = new JsonArray();
    new java.util.TreeMap<>(specs).forEach((tensorName, spec) -> {
      JsonArray shape = new JsonArray();
      for (long dim : spec.shape()) {
        shape.add(dim);
      }
      String type = spec.type().equalsIgnoreCase("int64") ? "INT64" : "FP32";
      tensors.add(tensor(tensorName, type, shape));
    });
    return tensors;
  }

  void modelReady(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    VersionInfo version = models.version(name, ctx.pathParam("version"));
    boolean ready = version.status().servable();
    JsonObject body = new JsonObject().put("name", name)
        .put("version", Long.toString(version.manifest().version()))
        .put("ready", ready);
    if (!ready) {
      body.put("status", ModelRoutes.status(version)).put("reason", version.reason());
      ctx.response().putHeader(HttpHeaders.RETRY_AFTER, ErrorHandler.RETRY_AFTER_SECONDS);
    }
    Responses.json(ctx, ready ? 200 : 503, body);
  }

  void infer(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    String version = ctx.pathParam("version") == null
        ? GenerationRequest.LATEST : ctx.pathParam("version");
    String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    if (ctx.request().getHeader("Inference-Header-Content-Length") != null
        || (contentType != null && contentType.startsWith("application/octet-stream"))) {
      throw new InvalidRequestException("binary tensor data (Inference-Header-Content-Length) is "
          + "not supported; send the request as JSON");
    }
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0) {
      throw new InvalidRequestException("empty inference request");
    }
    // The manifest the request is checked against; the engine checks again against the version
    // it actually runs (latest may move in between).
    ModelManifest manifest = models.version(name, version).manifest();
    Context context = ctx.vertx().getOrCreateContext();
    ctx.vertx().executeBlocking(() -> generationRequest(
            InferRequest.parse(body.getBytes(), requestJson), name, version, manifest), false)
        .compose(request -> Responses.onContext(
            engine.generate(request).map(this::response), context, ctx))
        .onSuccess(json -> Responses.json(ctx, 200, json))
        .onFailure(ctx::fail);
  }

  /**
   * The inference request as a generation request: explicit latents (and labels) in format raw.
   *
   * @throws InvalidRequestException naming the tensor, its shape or datatype, and what fits
   */
  static GenerationRequest generationRequest(InferRequest infer, String model, String version,
      ModelManifest manifest) {
    for (String input : infer.inputs().keySet()) {
      if (!input.equals(InferRequest.LATENT_INPUT) && !input.equals(InferRequest.LABEL_INPUT)) {
        throw new InvalidRequestException("unknown input '" + input + "', expected one of "
            + (manifest.conditional()
                ? List.of(InferRequest.LATENT_INPUT, InferRequest.LABEL_INPUT)
                : List.of(InferRequest.LATENT_INPUT)));
      }
    }
    long seed = parameter(infer, "seed", 0, Long.MAX_VALUE,
        ThreadLocalRandom.current().nextLong() >>> 1);
    InferRequest.Tensor z = infer.inputs().get(InferRequest.LATENT_INPUT);
    InferRequest.Tensor label = infer.inputs().get(InferRequest.LABEL_INPUT);
    if (label != null && !manifest.conditional()) {
      throw new InvalidRequestException("model '" + model + "' is unconditional: it takes no '"
          + InferRequest.LABEL_INPUT + "' input");
    }
    float[][] latents = z == null ? null : latents(z, manifest);
    List<Integer> labels = label == null ? null : labels(label, manifest);
    int count;
    if (latents != null) {
      count = latents.length;
      if (infer.parameters().containsKey("count") && parameter(infer, "count", 1,
          GenerationRequest.MAX_COUNT, count) != count) {
        throw new InvalidRequestException("parameters.count differs from input '"
            + InferRequest.LATENT_INPUT + "''s batch size " + count);
      }
    } else {
      count = (int) parameter(infer, "count", 1, GenerationRequest.MAX_COUNT,
          labels != null ? labels.size() : 1);
    }
    if (labels != null && labels.size() != count) {
      throw new InvalidRequestException("input '" + InferRequest.LABEL_INPUT + "' has shape "
          + label.shapeText() + " but the batch has " + count + " images; give one label per image");
    }
    String id = infer.id() != null ? infer.id() : UUID.randomUUID().toString();
    return new GenerationRequest(id, model, version, count, seed, null, labels, null, latents,
        null, null, null, GenerationRequest.Format.RAW, null);
  }

  private static float[][] latents(InferRequest.Tensor z, ModelManifest manifest) {
    String tensor = "input '" + InferRequest.LATENT_INPUT + "'";
    if (!z.datatype().equals("FP32")) {
      throw new InvalidRequestException(tensor + " must have datatype FP32, got " + z.datatype());
    }
    long[] shape = z.shape();
    if (shape.length != 2 || shape[1] != manifest.latentDim()
        || shape[0] < 1 || shape[0] > GenerationRequest.MAX_COUNT) {
      throw new InvalidRequestException(tensor + " has shape " + z.shapeText() + "; model '"
          + manifest.name() + "' version " + manifest.version() + " takes [n, "
          + manifest.latentDim() + "] with n 1.." + GenerationRequest.MAX_COUNT);
    }
    int n = (int) shape[0];
    int dim = (int) shape[1];
    float[] values = z.floats();
    float[][] rows = new float[n][];
    for (int i = 0; i < n; i++) {
      rows[i] = java.util.Arrays.copyOfRange(values, i * dim, (i + 1) * dim);
    }
    return rows;
  }

  private static List<Integer> labels(InferRequest.Tensor label, ModelManifest manifest) {
    String tensor = "input '" + InferRequest.LABEL_INPUT + "'";
    if (!label.datatype().equals("INT64") && !label.datatype().equals("INT32")) {
      throw new InvalidRequestException(tensor + " must have datatype INT64 (or INT32), got "
          + label.datatype());
    }
    if (label.shape().length != 1) {
      throw new InvalidRequestException(tensor + " has shape " + label.shapeText()
          + "; it takes [n], one label per image");
    }
    long[] values = label.longs();
    if (values == null) {
      throw new InvalidRequestException(tensor + " must hold integers");
    }
    List<Integer> labels = new ArrayList<>(values.length);
    for (int i = 0; i < values.length; i++) {
      if (manifest.conditional() && (values[i] < 0 || values[i] >= manifest.numClasses())) {
        throw new InvalidRequestException(tensor + " value " + i + " is " + values[i]
            + ", out of range for model '" + manifest.name() + "' version " + manifest.version()
            + ": valid labels are 0.." + (manifest.numClasses() - 1));
      }
      labels.add((int) values[i]);
    }
    return labels;
  }

  private static long parameter(InferRequest infer, String name, long min, long max,
      long otherwise) {
    JsonNode value = infer.parameters().get(name);
    if (value == null || value.isNull()) {
      return otherwise;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()
        || value.longValue() < min || value.longValue() > max) {
      throw new InvalidRequestException("parameters." + name + " must be an integer " + min
          + ".." + max + ", got " + value);
    }
    return value.longValue();
  }

  /** The response body, written on the engine's thread that finished the generation. */
  private Buffer response(Generation generation) {
    List<GeneratedImage> images = generation.images();
    String[] chw = images.get(0).shape().split(",");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("model_name", generation.request().model());
      json.writeStringField("model_version", Long.toString(generation.version()));
      json.writeStringField("id", generation.request().requestId());
      json.writeObjectFieldStart("parameters");
      json.writeNumberField("seed", generation.request().seed());
      json.writeStringField("execution_provider", generation.provider());
      json.writeEndObject();
      json.writeArrayFieldStart("outputs");
      json.writeStartObject();
      json.writeStringField("name", InferRequest.IMAGE_OUTPUT);
      json.writeStringField("datatype", "UINT8");
      json.writeArrayFieldStart("shape");
      json.writeNumber(images.size());
      for (String dim : chw) {
        json.writeNumber(Integer.parseInt(dim.trim()));
      }
      json.writeEndArray();
      json.writeArrayFieldStart("data");
      for (GeneratedImage image : images) {
        for (byte b : image.data()) {
          json.writeNumber(b & 0xFF);
        }
      }
      json.writeEndArray();
      json.writeEndObject();
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write JSON to memory", e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  private static JsonObject tensor(String name, String datatype, JsonArray shape) {
    return new JsonObject().put("name", name).put("datatype", datatype).put("shape", shape);
  }
}
