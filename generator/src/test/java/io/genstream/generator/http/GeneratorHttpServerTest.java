package io.genstream.generator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import io.genstream.generator.Conditioning;
import io.genstream.generator.EngineOptions;
import io.genstream.generator.GeneratorOptions;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.GeneratorService;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.TinyGenerator;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API over a real {@link GeneratorService} (in-process broker, the tiny ONNX model),
 * called with a real HTTP client on localhost. One service and server serve most tests; tests
 * that need another state (API keys, a registry not caught up, a model that cannot load) start
 * their own through {@link Served}.
 */
class GeneratorHttpServerTest {

  private static final int MAX_REQUEST_BYTES = 4096;
  private static final int MAX_INFER_BYTES = 64 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ModelManifest MANIFEST = TinyGenerator.published(1, 1f).manifest();
  private static final AtomicInteger topicNumber = new AtomicInteger();
  /** Batches wait up to 20 ms for company, so that concurrent calls visibly share them. */
  private static final EngineOptions ENGINE =
      EngineOptions.defaults().withBatching(64, Duration.ofMillis(20));

  private static EmbeddedKafka kafka;
  private static KafkaSender<String, byte[]> sender;
  private static HttpClient http;
  private static Served served;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start();
    sender = KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()));
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    served = Served.start(ModelLoader.onnxRuntime(1), true, ENGINE);
  }

  @AfterAll
  static void stop() {
    if (served != null) {
      served.close();
    }
    sender.close();
    kafka.close();
  }

  // ---- /v1/generate -----------------------------------------------------------------------------

  @Test
  void generatesOnePngWithItsHeaders() throws Exception {
    HttpResponse<byte[]> response = post("/v1/generate",
        "{\"requestId\": \"one\", \"model\": \"digits\", \"seed\": 42, \"label\": 3}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Type")).isEqualTo("image/png");
    assertThat(header(response, "X-Request-Id")).isEqualTo("one");
    assertThat(header(response, "X-Seed")).isEqualTo("42");
    assertThat(header(response, "X-Model")).isEqualTo("digits");
    assertThat(header(response, "X-Model-Version")).isEqualTo("1");
    assertThat(header(response, "X-Execution-Provider")).isEqualTo("cpu");
    assertThat(header(response, "X-Label")).isEqualTo("3");
    assertThat(header(response, "X-Shape")).isEqualTo("1,4,4");
    assertThat(response.headers().allValues("X-Request-Id")).hasSize(1);
    assertThat(response.headers().allValues("X-Seed")).hasSize(1);
    GrayImage image = Png.decode(response.body());
    assertThat(image.width()).isEqualTo(4);
    assertThat(image.height()).isEqualTo(4);
    // The pixels are the tiny model's output for seed 42's latent.
    float[] latent = Conditioning.fromSeed(42, 1, MANIFEST, 3).latents();
    GrayImage expected = GrayImage.fromSymmetricUnit(
        TinyGenerator.reference(latent, 0, 3, 1f), 0, 4, 4);
    for (int p = 0; p < TinyGenerator.PIXELS; p++) {
      assertThat(image.pixels()[p] & 0xFF).isCloseTo(expected.pixels()[p] & 0xFF, within(1));
    }
  }

  @Test
  void aRequestWithoutIdOrSeedGetsThemEchoedSoItCanBeRepeated() throws Exception {
    HttpResponse<byte[]> first = post("/v1/generate", "{\"model\": \"digits\"}");

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(UUID.fromString(header(first, "X-Request-Id"))).isNotNull();
    long seed = Long.parseLong(header(first, "X-Seed"));
    assertThat(seed).isNotNegative();
    HttpResponse<byte[]> again = post("/v1/generate", "{\"model\": \"digits\", \"seed\": " + seed
        + ", \"label\": " + header(first, "X-Label") + "}");
    assertThat(again.body()).isEqualTo(first.body());
  }

  @Test
  void severalImagesComeAsJsonWithBase64Pngs() throws Exception {
    HttpResponse<byte[]> response = post("/v1/generate",
        "{\"requestId\": \"three\", \"model\": \"digits\", \"count\": 3, \"seed\": 7, \"label\": 5}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Type")).isEqualTo("application/json");
    assertThat(header(response, "X-Count")).isEqualTo("3");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.get("requestId").asText()).isEqualTo("three");
    assertThat(body.get("model").asText()).isEqualTo("digits");
    assertThat(body.get("version").asLong()).isEqualTo(1);
    assertThat(body.get("seed").asLong()).isEqualTo(7);
    assertThat(body.get("provider").asText()).isEqualTo("cpu");
    List<byte[]> pngs = pngsOf(body);
    assertThat(pngs).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode image = body.get("images").get(i);
      assertThat(image.get("index").asInt()).isEqualTo(i);
      assertThat(image.get("label").asInt()).isEqualTo(5);
      assertThat(image.get("contentType").asText()).isEqualTo("image/png");
      assertThat(image.get("shape").toString()).isEqualTo("[1,4,4]");
      assertThat(Png.decode(pngs.get(i)).width()).isEqualTo(4);
    }
    assertThat(pngs.get(0)).isNotEqualTo(pngs.get(1));
  }

  @Test
  void severalImagesComeAsMultipartWhenTheClientAcceptsIt() throws Exception {
    String request = "{\"model\": \"digits\", \"count\": 3, \"seed\": 8, \"label\": 2}";
    List<byte[]> asJson = pngsOf(JSON.readTree(post("/v1/generate", request).body()));

    HttpResponse<byte[]> response = post("/v1/generate", request, "Accept", "multipart/mixed");

    assertThat(response.statusCode()).isEqualTo(200);
    String contentType = header(response, "Content-Type");
    assertThat(contentType).startsWith("multipart/mixed; boundary=");
    List<Part> parts = multipart(response.body(), contentType.substring(contentType.indexOf('=') + 1));
    assertThat(parts).hasSize(3);
    for (int i = 0; i < 3; i++) {
      Part part = parts.get(i);
      assertThat(part.headers()).containsEntry("content-type", "image/png")
          .containsEntry("x-index", Integer.toString(i)).containsEntry("x-label", "2")
          .containsEntry("x-shape", "1,4,4");
      assertThat(part.body()).isEqualTo(asJson.get(i));
    }
  }

  @Test
  void rawFormatGivesUint8PixelsWithTheirShape() throws Exception {
    byte[] png = post("/v1/generate", "{\"model\": \"digits\", \"seed\": 11, \"label\": 4}").body();

    HttpResponse<byte[]> response = post("/v1/generate",
        "{\"model\": \"digits\", \"seed\": 11, \"label\": 4, \"format\": \"raw\"}");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Type")).isEqualTo("application/octet-stream");
    assertThat(header(response, "X-Shape")).isEqualTo("1,4,4");
    assertThat(response.body()).hasSize(16).isEqualTo(Png.decode(png).pixels());
  }

  @Test
  void asyncRequestsGoThroughTheRequestsTopicAndTheirResultsComeOnTheResultsTopic()
      throws Exception {
    String id = "async-" + UUID.randomUUID();
    String request = "{\"requestId\": \"" + id + "\", \"model\": \"digits\", \"count\": 2, "
        + "\"seed\": 9, \"label\": 1}";

    HttpResponse<byte[]> response = post("/v1/generate?async=true", request);

    assertThat(response.statusCode()).isEqualTo(202);
    assertThat(header(response, "X-Request-Id")).isEqualTo(id);
    JsonNode accepted = JSON.readTree(response.body());
    assertThat(accepted.get("requestId").asText()).isEqualTo(id);
    assertThat(accepted.get("seed").asLong()).isEqualTo(9);
    assertThat(accepted.get("topic").asText()).isEqualTo(served.topics.requests());
    assertThat(accepted.get("resultsTopic").asText()).isEqualTo(served.topics.results());
    List<ConsumerRecord<String, byte[]>> results = read(served.topics.results(), id, 2);
    assertThat(results).hasSize(2);
    assertThat(results).allSatisfy(r -> assertThat(CloudEvents.attribute(r.headers(), "type"))
        .contains(CloudEvents.TYPE_RESULT));
    // Served by the Kafka route, the same images as the synchronous route gives.
    List<byte[]> sync = pngsOf(JSON.readTree(post("/v1/generate", request).body()));
    for (ConsumerRecord<String, byte[]> record : results) {
      GeneratedImage image = GeneratedImage.fromRecord(record);
      assertThat(image.png()).isEqualTo(sync.get(image.index()));
    }
  }

  @Test
  void asyncRequestsForAnUnknownModelAreRefusedBeforeWriting() throws Exception {
    HttpResponse<byte[]> response = post("/v1/generate?async=true", "{\"model\": \"nope\"}");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(error(response)).isEqualTo("unknown model 'nope', known models: [digits]");
  }

  @Test
  void invalidRequestsAre400WithTheReason() throws Exception {
    assertError(post("/v1/generate", "{\"model\": \"digits\", \"count\": "), 400,
        "malformed JSON");
    assertError(post("/v1/generate", "{\"model\": \"digits\", \"count\": 1000}"), 400,
        "count must be 1..256, got 1000");
    assertError(post("/v1/generate", "{\"model\": \"digits\", \"label\": 10}"), 400,
        "label 10 out of range for model 'digits' version 1, valid labels are 0..9");
    assertError(post("/v1/generate", "{\"model\": \"digits\", \"colour\": \"red\"}"), 400,
        "unknown field 'colour'");
    assertError(post("/v1/generate", ""), 400, "empty request");
    assertError(post("/v1/generate?async=maybe", "{\"model\": \"digits\"}"), 400,
        "async must be true or false, got 'maybe'");
  }

  @Test
  void unknownModelsVersionsAndRoutesAre404() throws Exception {
    assertError(post("/v1/generate", "{\"model\": \"nope\"}"), 404,
        "unknown model 'nope', known models: [digits]");
    assertError(post("/v1/generate", "{\"model\": \"digits\", \"version\": \"9\"}"), 404,
        "unknown version 9 of model 'digits', known versions: [1]");
    assertError(get("/v1/models/nope"), 404, "unknown model 'nope'");
    assertError(get("/v2/models/nope"), 404, "unknown model 'nope'");
    assertError(get("/v2/models/digits/versions/9"), 404, "unknown version 9 of model 'digits'");
    assertError(get("/v2/models/digits/versions/9/ready"), 404, "unknown version 9");
    assertError(post("/v2/models/nope/infer", "{\"inputs\": []}"), 404, "unknown model 'nope'");
    assertError(get("/v3/nothing"), 404, "no route GET /v3/nothing");
    HttpResponse<byte[]> wrongMethod = http.send(HttpRequest.newBuilder(uri(served, "/v1/models"))
        .DELETE().build(), HttpResponse.BodyHandlers.ofByteArray());
    assertError(wrongMethod, 405, "method DELETE not allowed");
  }

  @Test
  void bodiesOverTheLimitAre413BeforeBeingRead() throws Exception {
    String padded = "{\"model\": \"digits\", \"requestId\": \"" + "x".repeat(MAX_REQUEST_BYTES) + "\"}";
    assertError(post("/v1/generate", padded), 413,
        "request body too large: this route takes at most " + MAX_REQUEST_BYTES + " bytes");

    String hugeTensor = "{\"inputs\": [{\"name\": \"z\", \"datatype\": \"FP32\", \"shape\": [1, 4],"
        + " \"data\": [" + "0.0, ".repeat(MAX_INFER_BYTES / 5) + "0.0]}]}";
    assertError(post("/v2/models/digits/infer", hugeTensor), 413,
        "this route takes at most " + MAX_INFER_BYTES + " bytes");
  }

  // ---- /v1/models -------------------------------------------------------------------------------

  @Test
  void listsModelsWithTheirVersionsAndDescribesEachVersion() throws Exception {
    JsonNode list = JSON.readTree(get("/v1/models").body());
    assertThat(list.get("caughtUp").asBoolean()).isTrue();
    assertThat(list.get("models")).hasSize(1);
    JsonNode digits = list.get("models").get(0);
    assertThat(digits.get("name").asText()).isEqualTo("digits");
    assertThat(digits.get("family").asText()).isEqualTo("cgan");
    assertThat(digits.get("latestVersion").asLong()).isEqualTo(1);
    assertThat(digits.get("executionProvider").asText()).isEqualTo("cpu");
    assertThat(digits.get("versions").toString())
        .isEqualTo("[{\"version\":1,\"status\":\"loaded\",\"promotion\":null,"
            + "\"promotionReason\":null}]");
    assertThat(digits.get("best").isNull()).isTrue();

    HttpResponse<byte[]> response = get("/v1/models/digits");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode detail = JSON.readTree(response.body());
    assertThat(detail.get("name").asText()).isEqualTo("digits");
    JsonNode v1 = detail.get("versions").get(0);
    assertThat(v1.get("version").asLong()).isEqualTo(1);
    assertThat(v1.get("status").asText()).isEqualTo("loaded");
    assertThat(v1.get("reason").isNull()).isTrue();
    assertThat(v1.get("family").asText()).isEqualTo("cgan");
    assertThat(v1.get("channels").asInt()).isEqualTo(1);
    assertThat(v1.get("height").asInt()).isEqualTo(4);
    assertThat(v1.get("width").asInt()).isEqualTo(4);
    assertThat(v1.get("latentDim").asInt()).isEqualTo(4);
    assertThat(v1.get("numClasses").asInt()).isEqualTo(10);
    assertThat(v1.get("inputs").toString()).isEqualTo(
        "{\"label\":{\"type\":\"int64\",\"shape\":[-1]},\"z\":{\"type\":\"float\",\"shape\":[-1,4]}}");
    assertThat(v1.get("outputs").get("image").get("shape").toString()).isEqualTo("[-1,1,4,4]");
    assertThat(v1.get("metrics").get("lossG").asDouble()).isEqualTo(0.7);
    assertThat(v1.get("sha256").asText()).isEqualTo(MANIFEST.sha256());
  }

  @Test
  void showsWhatTheTrainerJudgedEachVersionAndServesBest() throws Exception {
    try (Served promoted = Served.start(ModelLoader.onnxRuntime(1), true, ENGINE)) {
      assertError(post(promoted, "/v1/generate", "{\"model\": \"digits\", \"version\": \"best\"}"),
          503, "model 'digits' has no version promoted to 'best' yet (latest is v1, not judged yet)");
      assertError(get(promoted, "/v2/models/digits/versions/best"), 503,
          "no version promoted to 'best' yet");

      sender.send(TinyGenerator.published(2, 2f).toRecord(promoted.topics.models(), "test"))
          .block(Duration.ofSeconds(10));
      sender.send(ModelStatus.none("digits", "fd")
          .judged(1, new VersionStatus(ModelStatus.BEST, "fd 30"), 30.0)
          .judged(2, new VersionStatus(ModelStatus.REJECTED, "fd 41 > 30"), null)
          .toRecord(promoted.topics.models(), "test")).block(Duration.ofSeconds(10));
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        JsonNode model = JSON.readTree(get(promoted, "/v1/models/digits").body());
        return model.get("best").asLong() == 1 && model.get("versions").size() == 2;
      });

      JsonNode detail = JSON.readTree(get(promoted, "/v1/models/digits").body());
      assertThat(detail.get("latestVersion").asLong()).isEqualTo(2);
      JsonNode v1 = detail.get("versions").get(0);
      assertThat(v1.get("promotion").asText()).isEqualTo("best");
      assertThat(v1.get("promotionReason").asText()).isEqualTo("fd 30");
      JsonNode v2 = detail.get("versions").get(1);
      assertThat(v2.get("promotion").asText()).isEqualTo("rejected");
      assertThat(v2.get("promotionReason").asText()).isEqualTo("fd 41 > 30");
      assertThat(v2.get("status").asText()).isIn("loaded", "available");
      JsonNode listed = JSON.readTree(get(promoted, "/v1/models").body()).get("models").get(0);
      assertThat(listed.get("best").asLong()).isEqualTo(1);
      assertThat(listed.get("versions").get(1).get("promotion").asText()).isEqualTo("rejected");

      HttpResponse<byte[]> best = post(promoted, "/v1/generate",
          "{\"model\": \"digits\", \"version\": \"best\", \"seed\": 1}");
      assertThat(best.statusCode()).isEqualTo(200);
      assertThat(header(best, "X-Model-Version")).isEqualTo("1");
      JsonNode ready = JSON.readTree(get(promoted, "/v2/models/digits/versions/best/ready").body());
      assertThat(ready.get("version").asText()).isEqualTo("1");
      assertThat(ready.get("ready").asBoolean()).isTrue();
    }
  }

  // ---- /v2: the Open Inference Protocol ---------------------------------------------------------

  @Test
  void serverHealthAndMetadataFollowTheOpenInferenceProtocol() throws Exception {
    HttpResponse<byte[]> live = get("/v2/health/live");
    assertThat(live.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(live.body()).get("live").asBoolean()).isTrue();
    HttpResponse<byte[]> ready = get("/v2/health/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isTrue();

    JsonNode server = JSON.readTree(get("/v2").body());
    assertThat(server.get("name").asText()).isEqualTo("genstream");
    assertThat(server.get("version").asText()).isNotBlank().doesNotContain("${");
    assertThat(server.get("extensions").isArray()).isTrue();
  }

  @Test
  void modelMetadataDescribesTheTensorsAClientSends() throws Exception {
    for (String path : List.of("/v2/models/digits", "/v2/models/digits/versions/1")) {
      HttpResponse<byte[]> response = get(path);
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode metadata = JSON.readTree(response.body());
      assertThat(metadata.get("name").asText()).isEqualTo("digits");
      assertThat(metadata.get("versions").toString()).isEqualTo("[\"1\"]");
      assertThat(metadata.get("platform").asText()).isEqualTo("onnxruntime_onnx");
      assertThat(metadata.get("inputs").toString()).isEqualTo(
          "[{\"name\":\"z\",\"datatype\":\"FP32\",\"shape\":[-1,4]},"
              + "{\"name\":\"label\",\"datatype\":\"INT64\",\"shape\":[-1]}]");
      assertThat(metadata.get("outputs").toString())
          .isEqualTo("[{\"name\":\"image\",\"datatype\":\"UINT8\",\"shape\":[-1,1,4,4]}]");
    }
    for (String path : List.of("/v2/models/digits/ready", "/v2/models/digits/versions/1/ready")) {
      HttpResponse<byte[]> ready = get(path);
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(ready.body()).get("ready").asBoolean()).isTrue();
    }
  }

  @Test
  void inferGivesByteForByteWhatV1GenerateGivesForTheSameLatents() throws Exception {
    float[][] latents = {{0.1f, -1.2f, 0.3f, 0f}, {1f, 0.5f, -0.5f, 2f}, {0.25f, 0.75f, -2f, 1.5f}};
    String rows = "[[0.1, -1.2, 0.3, 0.0], [1.0, 0.5, -0.5, 2.0], [0.25, 0.75, -2.0, 1.5]]";
    String flatRows = "[0.1, -1.2, 0.3, 0.0, 1.0, 0.5, -0.5, 2.0, 0.25, 0.75, -2.0, 1.5]";
    JsonNode generated = JSON.readTree(post("/v1/generate", "{\"model\": \"digits\", \"latents\": "
        + rows + ", \"labels\": [3, 5, 7], \"format\": \"raw\"}").body());
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (JsonNode image : generated.get("images")) {
      assertThat(image.get("contentType").asText()).isEqualTo("application/octet-stream");
      expected.write(Base64.getDecoder().decode(image.get("data").asText()));
    }

    String flat = "{\"id\": \"oip-1\", \"inputs\": ["
        + "{\"name\": \"z\", \"shape\": [3, 4], \"datatype\": \"FP32\", \"data\": "
        + flatRows + "},"
        + "{\"name\": \"label\", \"shape\": [3], \"datatype\": \"INT64\", \"data\": [3, 5, 7]}],"
        + " \"outputs\": [{\"name\": \"image\"}]}";
    String nested = "{\"inputs\": [{\"name\": \"label\", \"shape\": [3], \"datatype\": \"INT64\","
        + " \"data\": [3, 5, 7]}, {\"name\": \"z\", \"shape\": [3, 4], \"datatype\": \"FP32\","
        + " \"data\": " + rows + "}]}";
    for (Map.Entry<String, String> call : Map.of(
        "/v2/models/digits/infer", flat, "/v2/models/digits/versions/1/infer", nested).entrySet()) {
      HttpResponse<byte[]> response = post(call.getKey(), call.getValue());
      assertThat(response.statusCode()).as(call.getKey()).isEqualTo(200);
      JsonNode inferred = JSON.readTree(response.body());
      assertThat(inferred.get("model_name").asText()).isEqualTo("digits");
      assertThat(inferred.get("model_version").asText()).isEqualTo("1");
      JsonNode output = inferred.get("outputs").get(0);
      assertThat(output.get("name").asText()).isEqualTo("image");
      assertThat(output.get("datatype").asText()).isEqualTo("UINT8");
      assertThat(output.get("shape").toString()).isEqualTo("[3,1,4,4]");
      byte[] data = new byte[output.get("data").size()];
      for (int i = 0; i < data.length; i++) {
        data[i] = (byte) output.get("data").get(i).asInt();
      }
      assertThat(data).isEqualTo(expected.toByteArray());
    }
    assertThat(JSON.readTree(post("/v2/models/digits/infer", flat).body()).get("id").asText())
        .isEqualTo("oip-1");
    // And the values are the model's: image 1 is the reference for latents[1] with label 5.
    GrayImage second = GrayImage.fromSymmetricUnit(
        TinyGenerator.reference(latents[1], 0, 5, 1f), 0, 4, 4);
    for (int p = 0; p < TinyGenerator.PIXELS; p++) {
      assertThat(expected.toByteArray()[16 + p] & 0xFF)
          .isCloseTo(second.pixels()[p] & 0xFF, within(1));
    }
  }

  @Test
  void inferWithoutLatentsDrawsThemFromTheSeedParameter() throws Exception {
    byte[] raw = post("/v1/generate", "{\"model\": \"digits\", \"seed\": 42, \"labels\": [3, 4],"
        + " \"format\": \"raw\"}").body();
    JsonNode generated = JSON.readTree(raw);

    JsonNode inferred = JSON.readTree(post("/v2/models/digits/infer", "{\"parameters\": "
        + "{\"seed\": 42, \"count\": 2}, \"inputs\": [{\"name\": \"label\", \"shape\": [2], "
        + "\"datatype\": \"INT64\", \"data\": [3, 4]}]}").body());

    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    for (JsonNode image : generated.get("images")) {
      expected.write(Base64.getDecoder().decode(image.get("data").asText()));
    }
    JsonNode data = inferred.get("outputs").get(0).get("data");
    assertThat(data).hasSize(32);
    for (int i = 0; i < 32; i++) {
      assertThat(data.get(i).asInt()).isEqualTo(expected.toByteArray()[i] & 0xFF);
    }
    assertThat(inferred.get("parameters").get("seed").asLong()).isEqualTo(42);
  }

  @Test
  void inferRefusesTensorsThatDoNotFitWithAClearReason() throws Exception {
    String z = "{\"name\": \"z\", \"shape\": [2, 4], \"datatype\": \"FP32\", \"data\": "
        + "[0, 0, 0, 0, 1, 1, 1, 1]}";
    assertError(infer("{\"name\": \"z\", \"shape\": [1, 4], \"datatype\": \"FP64\", "
        + "\"data\": [0, 0, 0, 0]}"), 400, "input 'z' must have datatype FP32, got FP64");
    assertError(infer("{\"name\": \"z\", \"shape\": [1, 5], \"datatype\": \"FP32\", "
        + "\"data\": [0, 0, 0, 0, 0]}"), 400,
        "input 'z' has shape [1, 5]; model 'digits' version 1 takes [n, 4]");
    assertError(infer("{\"name\": \"z\", \"shape\": [2, 4], \"datatype\": \"FP32\", "
        + "\"data\": [0, 0, 0, 0, 0, 0, 0]}"), 400,
        "input 'z' has 7 values but shape [2, 4] needs 8");
    assertError(infer("{\"name\": \"z\", \"shape\": [1, 4], \"datatype\": \"FP32\", "
        + "\"data\": [0, \"a\", 0, 0]}"), 400, "must hold numbers only");
    assertError(infer("{\"name\": \"noise\", \"shape\": [1], \"datatype\": \"FP32\", "
        + "\"data\": [0]}"), 400, "unknown input 'noise', expected one of [z, label]");
    assertError(infer(z + ", {\"name\": \"label\", \"shape\": [3], \"datatype\": \"INT64\", "
        + "\"data\": [1, 2, 3]}"), 400, "input 'label' has shape [3] but the batch has 2 images");
    assertError(infer(z + ", {\"name\": \"label\", \"shape\": [2], \"datatype\": \"FP32\", "
        + "\"data\": [1.5, 2]}"), 400, "input 'label' must have datatype INT64");
    assertError(infer(z + ", {\"name\": \"label\", \"shape\": [2], \"datatype\": \"INT64\", "
        + "\"data\": [1, 12]}"), 400, "input 'label' value 1 is 12, out of range for model "
        + "'digits' version 1: valid labels are 0..9");
    assertError(infer("{\"name\": \"z\", \"shape\": [1, 4], \"datatype\": \"FP32\", "
        + "\"parameters\": {\"binary_data_size\": 16}}"), 400, "binary tensor data");
    assertError(post("/v2/models/digits/infer", "{\"inputs\": [" + z + "], \"extra\": 1}"), 400,
        "unknown field 'extra'");
    assertError(post("/v2/models/digits/infer", "{\"inputs\": [" + z), 400, "malformed JSON");
  }

  @Test
  void concurrentCallsOnEveryRouteShareTheEnginesBatches() {
    List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      calls.add(http.sendAsync(HttpRequest.newBuilder(uri(served, "/v1/generate"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"digits\", \"seed\": " + i + "}"))
          .build(), HttpResponse.BodyHandlers.ofByteArray()));
      calls.add(http.sendAsync(HttpRequest.newBuilder(uri(served, "/v2/models/digits/infer"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"parameters\": {\"seed\": " + i + "}}"))
          .build(), HttpResponse.BodyHandlers.ofByteArray()));
    }

    assertThat(calls).allSatisfy(call -> assertThat(call.join().statusCode()).isEqualTo(200));
    DistributionSummary batches = served.meters.get("genstream.generator.batch.images").summary();
    assertThat(batches.max()).isGreaterThan(1);
  }

  @Test
  void readinessIs503UntilTheRegistryHasCaughtUp() throws Exception {
    try (Served fresh = Served.start(ModelLoader.onnxRuntime(1), false, ENGINE)) {
      HttpResponse<byte[]> before = get(fresh, "/v2/health/ready");
      assertThat(before.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(before.body()).get("ready").asBoolean()).isFalse();
      HttpResponse<byte[]> model = get(fresh, "/v1/models/digits");
      assertThat(model.statusCode()).isEqualTo(503);
      assertThat(header(model, "Retry-After")).isEqualTo("1");
      assertThat(error(model)).contains("still reading the models topic");
      assertThat(get(fresh, "/v2/health/live").statusCode()).isEqualTo(200);

      fresh.service.start();

      await().atMost(Duration.ofSeconds(30))
          .until(() -> get(fresh, "/v2/health/ready").statusCode() == 200);
      assertThat(get(fresh, "/v2/models/digits/ready").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aModelThatCannotLoadYetIs503WithRetryAfter() throws Exception {
    ModelLoader failing = model -> {
      throw new IllegalStateException("ONNX Runtime failed to allocate its arena");
    };
    try (Served broken = Served.start(failing, true, ENGINE)) {
      HttpResponse<byte[]> generate = post(broken, "/v1/generate", "{\"model\": \"digits\"}");
      assertThat(generate.statusCode()).isEqualTo(503);
      assertThat(header(generate, "Retry-After")).isEqualTo("1");
      assertThat(error(generate)).contains("failed to load");

      HttpResponse<byte[]> ready = get(broken, "/v2/models/digits/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonNode body = JSON.readTree(ready.body());
      assertThat(body.get("ready").asBoolean()).isFalse();
      assertThat(body.get("status").asText()).isEqualTo("retrying");
      assertThat(body.get("reason").asText()).contains("arena");
    }
  }

  @Test
  void anInternalFailureIs500WithAReferenceAndNoDetails() throws Exception {
    ModelLoader exploding = published -> new GenerativeModel() {
      @Override
      public ModelManifest manifest() {
        return published.manifest();
      }

      @Override
      public float[] generate(float[] latents, long[] labels, int n) {
        throw new IllegalStateException("native session at 0x7f3a exploded");
      }

      @Override
      public void close() {}
    };
    try (Served broken = Served.start(exploding, true, ENGINE)) {
      HttpResponse<byte[]> response = post(broken, "/v1/generate", "{\"model\": \"digits\"}");

      assertThat(response.statusCode()).isEqualTo(500);
      assertThat(error(response)).matches("internal error \\(reference [0-9a-f-]{36}\\); "
          + "the generator's log has the cause").doesNotContain("0x7f3a");
    }
  }

  @Test
  void aFullEngineQueueIs503WithRetryAfter() throws Exception {
    // Room for one request of 4 images, held for 300 ms before its batch runs.
    EngineOptions tight = new EngineOptions(4, 64, Duration.ofMillis(300), 4, 1, 1);
    try (Served small = Served.start(ModelLoader.onnxRuntime(1), true, tight)) {
      List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        calls.add(http.sendAsync(HttpRequest.newBuilder(uri(small, "/v1/generate"))
            .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"digits\", \"count\": 4}"))
            .build(), HttpResponse.BodyHandlers.ofByteArray()));
      }

      List<HttpResponse<byte[]>> responses = calls.stream().map(CompletableFuture::join).toList();
      assertThat(responses).extracting(HttpResponse::statusCode).contains(200, 503)
          .containsOnly(200, 503);
      HttpResponse<byte[]> refused = responses.stream().filter(r -> r.statusCode() == 503)
          .findFirst().orElseThrow();
      assertThat(header(refused, "Retry-After")).isEqualTo("1");
      assertThat(error(refused)).startsWith("generator overloaded");
    }
  }

  @Test
  void describesAFramePredictorByItsOwnGraph() throws Exception {
    try (Served video = Served.start(ModelLoader.onnxRuntime(1), true, ENGINE)) {
      sender.send(io.genstream.generator.TinyFramePredictor.published(1, 1f)
          .toRecord(video.topics.models(), "test")).block(Duration.ofSeconds(10));
      await().atMost(Duration.ofSeconds(20)).until(() ->
          video.service.registry().versions().containsKey(
              io.genstream.generator.TinyFramePredictor.NAME));

      HttpResponse<byte[]> metadata = send(video.server,
          get(video.server, "/v2/models/clips").build());

      assertThat(metadata.statusCode()).isEqualTo(200);
      JsonNode body = JSON.readTree(metadata.body());
      assertThat(body.at("/inputs/0/name").asText()).isEqualTo("frames");
      assertThat(body.at("/inputs/0/datatype").asText()).isEqualTo("FP32");
      assertThat(body.at("/inputs/0/shape").toString()).isEqualTo("[-1,2,8,8]");
      assertThat(body.at("/outputs/0/name").asText()).isEqualTo("frame");
    }
  }

  // ---- keys, metrics, the document --------------------------------------------------------------

  @Test
  void apiKeysGuardEveryRouteButHealthAndTheDocument() throws Exception {
    HttpOptions secured = options(served.topics).apiKeys(List.of("key-one", "key-two")).build();
    assertThat(secured.toString()).contains("apiKeys=2 (redacted)").doesNotContain("key-one");
    try (GeneratorHttpServer server = new GeneratorHttpServer(served.service.engine(),
        served.service.registry(), served.meters, secured).start().block(Duration.ofSeconds(10))) {
      HttpResponse<byte[]> none = send(server, get(server, "/v1/models").build());
      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(header(none, "WWW-Authenticate")).startsWith("Bearer");
      assertThat(error(none)).startsWith("missing API key");
      HttpResponse<byte[]> wrong = send(server, get(server, "/v1/models")
          .header("X-API-Key", "key-on").build());
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(error(wrong)).isEqualTo("invalid API key");
      assertThat(send(server, get(server, "/v1/models").header("X-API-Key", "key-two").build())
          .statusCode()).isEqualTo(200);
      assertThat(send(server, get(server, "/v1/models")
          .header("Authorization", "Bearer key-one").build()).statusCode()).isEqualTo(200);
      assertThat(send(server, HttpRequest.newBuilder(uri(server, "/v1/generate"))
          .header("X-API-Key", "key-one")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"digits\"}")).build())
          .statusCode()).isEqualTo(200);
      assertThat(send(server, HttpRequest.newBuilder(uri(server, "/v2/models/digits/infer"))
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build()).statusCode()).isEqualTo(401);
      assertThat(send(server, get(server, "/metrics").build()).statusCode()).isEqualTo(401);
      assertThat(send(server, get(server, "/metrics").header("X-API-Key", "key-one").build())
          .statusCode()).isEqualTo(200);
      for (String open : List.of("/v2/health/live", "/v2/health/ready", "/openapi.yaml")) {
        assertThat(send(server, get(server, open).build()).statusCode()).as(open).isEqualTo(200);
      }
    }
  }

  @Test
  void metricsExposeTheEnginesMetersAndTheServersOwn() throws Exception {
    assertThat(post("/v1/generate", "{\"model\": \"digits\"}").statusCode()).isEqualTo(200);
    get("/v1/models/nope");

    HttpResponse<byte[]> response = get("/metrics");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Type")).startsWith("text/plain; version=0.0.4");
    String text = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(text).contains("genstream_generator_requests_total{outcome=\"served\"}")
        .contains("genstream_generator_inference_seconds_count")
        .contains("genstream_http_server_requests_seconds_count{method=\"POST\","
            + "route=\"/v1/generate\",status=\"200\"}")
        .contains("genstream_http_server_requests_seconds_count{method=\"GET\","
            + "route=\"/v1/models/{name}\",status=\"404\"}");
  }

  @Test
  void theOpenApiDocumentIsValidYamlDescribingEveryRoute() throws Exception {
    HttpResponse<byte[]> response = get("/openapi.yaml");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(header(response, "Content-Type")).isEqualTo("application/yaml");

    JsonNode document = new YAMLMapper().readTree(response.body());

    assertThat(document.get("openapi").asText()).startsWith("3.");
    List<String> paths = new ArrayList<>();
    document.get("paths").fieldNames().forEachRemaining(paths::add);
    assertThat(paths).containsExactlyInAnyOrder("/v1/generate", "/v1/models",
        "/v1/models/{name}", "/v2/health/live", "/v2/health/ready", "/v2", "/v2/models/{name}",
        "/v2/models/{name}/versions/{version}", "/v2/models/{name}/ready",
        "/v2/models/{name}/versions/{version}/ready", "/v2/models/{name}/infer",
        "/v2/models/{name}/versions/{version}/infer", "/metrics", "/openapi.yaml");
    assertThat(document.at("/components/schemas/Error/required").toString())
        .isEqualTo("[\"error\"]");
    // Every reference points at something the document defines.
    List<String> refs = new ArrayList<>();
    collectRefs(document, refs);
    assertThat(refs).isNotEmpty().allSatisfy(ref -> assertThat(
        document.at(ref.substring(1)).isMissingNode()).as(ref).isFalse());
  }

  // ---------------------------------------------------------------------------------------------

  /** A generator service and an HTTP server over it, on topics of their own. */
  private static final class Served implements AutoCloseable {
    final Topics topics;
    final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final GeneratorService service;
    final GeneratorHttpServer server;

    private Served(ModelLoader loader, boolean start, EngineOptions engine) {
      topics = Topics.withPrefix("http" + topicNumber.incrementAndGet() + ".");
      TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
      sender.send(TinyGenerator.published(1, 1f).toRecord(topics.models(), "test"))
          .block(Duration.ofSeconds(10));
      GeneratorOptions options = GeneratorOptions.builder(kafka.bootstrapServers())
          .topics(topics)
          .groupId("generator-" + topics.requests())
          .engine(engine)
          .build();
      service = GeneratorService.create(options, loader, meters);
      if (start) {
        service.start().ready().block(Duration.ofSeconds(30));
      }
      server = new GeneratorHttpServer(service.engine(), service.registry(), meters,
          options(topics).build()).start().block(Duration.ofSeconds(10));
    }

    static Served start(ModelLoader loader, boolean start, EngineOptions engine) {
      return new Served(loader, start, engine);
    }

    @Override
    public void close() {
      server.close();
      service.close();
      meters.close();
    }
  }

  private static HttpOptions.Builder options(Topics topics) {
    return HttpOptions.builder()
        .port(0)
        .requestLimits(MAX_REQUEST_BYTES, 256)
        .maxInferBytes(MAX_INFER_BYTES)
        .async(sender, topics.requests(), io.genstream.generator.ReplyTopicRule.resultsOnly(topics));
  }

  private static URI uri(Served served, String path) {
    return uri(served.server, path);
  }

  private static URI uri(GeneratorHttpServer server, String path) {
    return URI.create(server.url() + path);
  }

  private static HttpRequest.Builder get(GeneratorHttpServer server, String path) {
    return HttpRequest.newBuilder(uri(server, path)).GET();
  }

  private static HttpResponse<byte[]> get(String path) throws Exception {
    return get(served, path);
  }

  private static HttpResponse<byte[]> get(Served target, String path) throws Exception {
    return send(target.server, get(target.server, path).build());
  }

  private static HttpResponse<byte[]> post(String path, String body, String... headers)
      throws Exception {
    return post(served, path, body, headers);
  }

  private static HttpResponse<byte[]> post(Served target, String path, String body,
      String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(target, path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return send(target.server, request.build());
  }

  private static HttpResponse<byte[]> infer(String inputs) throws Exception {
    return post("/v2/models/digits/infer", "{\"inputs\": [" + inputs + "]}");
  }

  private static HttpResponse<byte[]> send(GeneratorHttpServer server, HttpRequest request)
      throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String header(HttpResponse<?> response, String name) {
    return response.headers().firstValue(name).orElse(null);
  }

  private static String error(HttpResponse<byte[]> response) throws Exception {
    assertThat(header(response, "Content-Type")).isEqualTo("application/json");
    JsonNode body = JSON.readTree(response.body());
    assertThat(body.size()).isEqualTo(1);
    return body.get("error").asText();
  }

  private static void assertError(HttpResponse<byte[]> response, int status, String message)
      throws Exception {
    assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8))
        .isEqualTo(status);
    assertThat(error(response)).contains(message);
  }

  private static List<byte[]> pngsOf(JsonNode body) {
    List<byte[]> pngs = new ArrayList<>();
    body.get("images").forEach(image -> pngs.add(Base64.getDecoder().decode(image.get("data").asText())));
    return pngs;
  }

  private record Part(Map<String, String> headers, byte[] body) {}

  /** The parts of a multipart body: headers (lower-case names) and bytes. */
  private static List<Part> multipart(byte[] body, String boundary) {
    String text = new String(body, StandardCharsets.ISO_8859_1); // one char per byte
    String delimiter = "--" + boundary;
    assertThat(text).startsWith(delimiter + "\r\n").endsWith(delimiter + "--\r\n");
    List<Part> parts = new ArrayList<>();
    for (String chunk : text.substring(0, text.length() - delimiter.length() - 4)
        .split(Pattern.quote(delimiter + "\r\n"))) {
      if (chunk.isEmpty()) {
        continue;
      }
      int blank = chunk.indexOf("\r\n\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line : chunk.substring(0, blank).split("\r\n")) {
        Matcher m = Pattern.compile("([^:]+): (.*)").matcher(line);
        assertThat(m.matches()).as(line).isTrue();
        headers.put(m.group(1).toLowerCase(), m.group(2));
      }
      String data = chunk.substring(blank + 4, chunk.length() - 2); // minus the CRLF before the next delimiter
      assertThat(data.length()).isEqualTo(Integer.parseInt(headers.get("content-length")));
      parts.add(new Part(headers, data.getBytes(StandardCharsets.ISO_8859_1)));
    }
    return parts;
  }

  private static void collectRefs(JsonNode node, List<String> refs) {
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getKey().equals("$ref")) {
          refs.add(field.getValue().asText());
        } else {
          collectRefs(field.getValue(), refs);
        }
      }
    } else if (node.isArray()) {
      node.forEach(child -> collectRefs(child, refs));
    }
  }

  /** The records of {@code topic} keyed {@code key}, waiting (up to 30 s) for {@code count}. */
  private static List<ConsumerRecord<String, byte[]>> read(String topic, String key, int count) {
    try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(
        Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(topic, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (records.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(r -> {
          if (key.equals(r.key())) {
            records.add(r);
          }
        });
      }
      return records;
    }
  }
}
