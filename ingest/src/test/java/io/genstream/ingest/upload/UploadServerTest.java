package io.genstream.ingest.upload;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.IngestService;
import io.genstream.ingest.TestFiles;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real upload server on port 0 over the in-process broker, called with java.net.http. */
class UploadServerTest {

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private static EmbeddedKafka broker;
  private static KafkaSender<String, byte[]> sender;

  private Topics topics;
  private UploadServer server;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafka.start();
    sender = KafkaSender.create(IngestService.senderOptions(broker.bootstrapServers()));
  }

  @AfterAll
  static void stopBroker() {
    sender.close();
    broker.close();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private void start(int maxBodyBytes) {
    start(maxBodyBytes, null);
  }

  private void start(int maxBodyBytes, String dataset) {
    topics = Topics.withPrefix("upload" + RUNS.incrementAndGet() + ".");
    TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
    server = new UploadServer(sender, new UploadServer.Options("127.0.0.1", 0, maxBodyBytes,
        topics, new DatasetSpec(16, 1, Resize.FIT), dataset)).start().block(Duration.ofSeconds(10));
  }

  private URI uri(String query) {
    return URI.create("http://127.0.0.1:" + server.port() + "/v1/images" + query);
  }

  private static byte[] png(long seed) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(TestFiles.noise(24, 20, BufferedImage.TYPE_INT_RGB, seed), "png", out);
    return out.toByteArray();
  }

  private static HttpResponse<String> post(URI uri, String contentType, byte[] body)
      throws Exception {
    return CLIENT.send(HttpRequest.newBuilder(uri).header("Content-Type", contentType)
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void onePngWithALabel() throws Exception {
    start(UploadServer.DEFAULT_MAX_BODY_BYTES);
    HttpResponse<String> response = post(uri("?label=3"), "image/png", png(1));

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonObject json = new JsonObject(response.body());
    assertThat(json.getJsonArray("accepted")).hasSize(1);
    assertThat(json.getJsonArray("rejected")).isEmpty();
    assertThat(json.getJsonArray("accepted").getJsonObject(0).getString("id"))
        .isEqualTo(topics.images() + "-0@0");
    List<ConsumerRecord<String, byte[]>> images =
        TopicReader.read(broker.bootstrapServers(), topics.images(), 1);
    assertThat(images).hasSize(1);
    assertThat(LabelledImage.label(images.get(0))).isEqualTo(3);
    assertThat(CloudEvents.attribute(images.get(0).headers(), "dataset")).isEmpty();
    assertThat(json.containsKey("dataset")).isFalse();
    assertThat(CloudEvents.attribute(images.get(0).headers(), "origin").orElseThrow())
        .startsWith("upload:").endsWith(json.getJsonArray("accepted").getJsonObject(0)
            .getString("origin").substring("upload:".length()));
  }

  @Test
  void multipartWithTwoGoodAndOneBadFile() throws Exception {
    start(UploadServer.DEFAULT_MAX_BODY_BYTES);
    String boundary = "genstream-boundary-42";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    field(body, boundary, "label", "7");
    file(body, boundary, "a.png", "image/png", png(2));
    file(body, boundary, "b.png", "image/png", png(3));
    file(body, boundary, "bad.png", "image/png", "not an image at all".getBytes(StandardCharsets.UTF_8));
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));

    HttpResponse<String> response =
        post(uri(""), "multipart/form-data; boundary=" + boundary, body.toByteArray());

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    JsonObject json = new JsonObject(response.body());
    assertThat(json.getJsonArray("accepted")).hasSize(2);
    assertThat(json.getJsonArray("rejected")).hasSize(1);
    JsonObject rejected = json.getJsonArray("rejected").getJsonObject(0);
    assertThat(rejected.getString("origin")).endsWith("/bad.png");
    assertThat(rejected.getString("reason")).contains("not a PNG, JPEG, BMP or GIF");
    List<ConsumerRecord<String, byte[]>> images =
        TopicReader.read(broker.bootstrapServers(), topics.images(), 2);
    assertThat(images).hasSize(2).allSatisfy(r -> assertThat(LabelledImage.label(r)).isEqualTo(7));
    List<ConsumerRecord<String, byte[]>> dead =
        TopicReader.read(broker.bootstrapServers(), topics.deadLetter(), 1);
    assertThat(dead).hasSize(1);
    assertThat(CloudEvents.attribute(dead.get(0).headers(), "reason").orElseThrow())
        .contains("not a PNG");
    assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("not an image at all");
  }

  @Test
  void stampsTheServersDatasetOrTheOneTheRequestNames() throws Exception {
    start(UploadServer.DEFAULT_MAX_BODY_BYTES, "pets");
    HttpResponse<String> badName = post(uri("?label=1&dataset=my%20pets"), "image/png", png(5));
    assertThat(badName.statusCode()).as(badName.body()).isEqualTo(400);
    assertThat(new JsonObject(badName.body()).getString("error"))
        .contains("dataset must be", "my pets");
    HttpResponse<String> two = post(uri("?label=1&dataset=a&dataset=b"), "image/png", png(5));
    assertThat(two.statusCode()).as(two.body()).isEqualTo(400);

    HttpResponse<String> byDefault = post(uri("?label=1"), "image/png", png(6));
    assertThat(byDefault.statusCode()).as(byDefault.body()).isEqualTo(202);
    assertThat(new JsonObject(byDefault.body()).getString("dataset")).isEqualTo("pets");
    HttpResponse<String> named = post(uri("?label=2&dataset=birds"), "image/png", png(7));
    assertThat(named.statusCode()).as(named.body()).isEqualTo(202);
    assertThat(new JsonObject(named.body()).getString("dataset")).isEqualTo("birds");
    String boundary = "genstream-boundary-43";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    field(body, boundary, "label", "3");
    file(body, boundary, "a.png", "image/png", png(8));
    file(body, boundary, "b.png", "image/png", png(9));
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    HttpResponse<String> multipart = post(uri("?dataset=birds.v2"),
        "multipart/form-data; boundary=" + boundary, body.toByteArray());
    assertThat(multipart.statusCode()).as(multipart.body()).isEqualTo(202);

    // Every record of the topic: the refused requests sent nothing.
    List<ConsumerRecord<String, byte[]>> images =
        TopicReader.read(broker.bootstrapServers(), topics.images(), 4);
    assertThat(images).extracting(r -> LabelledImage.label(r) + ":"
            + CloudEvents.attribute(r.headers(), "dataset").orElse("none"))
        .containsExactly("1:pets", "2:birds", "3:birds.v2", "3:birds.v2");
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    start(1024);
    HttpResponse<String> response = post(uri("?label=1"), "image/png", new byte[64 * 1024]);
    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(new JsonObject(response.body()).getString("error")).contains("too large");
  }

  @Test
  void badLabelOrEmptyBodyIs400() throws Exception {
    start(UploadServer.DEFAULT_MAX_BODY_BYTES);
    for (String query : new String[] {"?label=cat", "?label=-1", ""}) {
      HttpResponse<String> response = post(uri(query), "image/png", png(4));
      assertThat(response.statusCode()).as(query).isEqualTo(400);
      assertThat(new JsonObject(response.body()).getString("error")).contains("label");
    }
    HttpResponse<String> empty = post(uri("?label=1"), "image/png", new byte[0]);
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(empty.body()).getString("error")).contains("empty body");
  }

  private static void field(ByteArrayOutputStream body, String boundary, String name, String value)
      throws Exception {
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name
        + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8));
  }

  private static void file(ByteArrayOutputStream body, String boundary, String filename,
      String contentType, byte[] bytes) throws Exception {
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
        + filename + "\"\r\nContent-Type: " + contentType + "\r\n\r\n")
        .getBytes(StandardCharsets.UTF_8));
    body.write(bytes);
    body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }
}
