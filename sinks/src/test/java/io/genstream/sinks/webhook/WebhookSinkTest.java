package io.genstream.sinks.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.sinks.SinkService;
import io.genstream.sinks.SinkTestKit;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookSinkTest {

  private static final Duration BASE_BACKOFF = Duration.ofMillis(100);
  static SinkTestKit kit;

  private Vertx vertx;
  private Receiver receiver;

  @BeforeAll
  static void startBroker() {
    kit = new SinkTestKit();
  }

  @AfterAll
  static void stopBroker() {
    kit.close();
  }

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void retriesTwo503sWithBackOffThenDeliversEveryResultOnce() throws Exception {
    receiver = start((attempt, request) -> attempt <= 2 ? 503 : 200);
    Topics topics = kit.freshTopics();
    byte[] png = SinkTestKit.png();
    for (int i = 0; i < 3; i++) {
      kit.send(new GeneratedImage("r1", "digits", 2, 5, i, 3, 4, png).toRecord(topics.results(), "test"));
    }

    try (WebhookSink webhook = new WebhookSink(options());
        SinkService sink = new SinkService(webhook, kit.options(topics, "webhook-503")).start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.written() == 3);
      assertThat(sink.deadLettered()).isZero();
    }

    assertThat(receiver.delivered).hasSize(3);
    assertThat(receiver.delivered.stream().map(d -> d.headers.get("ce-id")).distinct())
        .containsExactlyInAnyOrder("r1-0", "r1-1", "r1-2");
    for (String id : List.of("r1-0", "r1-1", "r1-2")) {
      List<Long> times = receiver.attempts.get(id);
      assertThat(times).as(id).hasSize(3);
      for (int a = 1; a < times.size(); a++) {
        assertThat(Duration.ofNanos(times.get(a) - times.get(a - 1)))
            .as("gap before attempt %d of %s", a + 1, id).isGreaterThanOrEqualTo(BASE_BACKOFF);
      }
    }
    Delivery first = receiver.delivered.stream()
        .filter(d -> "r1-1".equals(d.headers.get("ce-id"))).findFirst().orElseThrow();
    assertThat(first.body).isEqualTo(png);
    assertThat(first.headers.get("Content-Type")).isEqualTo("image/png");
    assertThat(first.headers.get("ce-type")).isEqualTo("genstream.result.v1");
    assertThat(first.headers.get("ce-specversion")).isEqualTo("1.0");
    assertThat(first.headers.get("ce-source")).isEqualTo(WebhookSink.SOURCE);
    assertThat(first.headers.get("ce-requestid")).isEqualTo("r1");
    assertThat(first.headers.get("ce-model")).isEqualTo("digits");
    assertThat(first.headers.get("ce-modelversion")).isEqualTo("2");
    assertThat(first.headers.get("ce-seed")).isEqualTo("5");
    assertThat(first.headers.get("ce-index")).isEqualTo("1");
    assertThat(first.headers.get("ce-label")).isEqualTo("4");
  }

  @Test
  void deadLettersA400WithStatusAndBodyAndNotAResultThenDeliversTheNext() throws Exception {
    receiver = start((attempt, request) -> "bad".equals(request.getHeader("ce-requestid")) ? 400 : 200);
    Topics topics = kit.freshTopics();
    byte[] png = SinkTestKit.png();
    kit.send(
        new GeneratedImage("bad", "digits", 2, 5, 0, 1, 4, png).toRecord(topics.results(), "test"),
        new ProducerRecord<>(topics.results(), "junk", "not a result".getBytes()),
        new GeneratedImage("good", "digits", 2, 5, 0, 1, 4, png).toRecord(topics.results(), "test"));

    try (WebhookSink webhook = new WebhookSink(options());
        SinkService sink = new SinkService(webhook, kit.options(topics, "webhook-400")).start()) {
      await().atMost(Duration.ofSeconds(30))
          .until(() -> sink.written() == 1 && sink.deadLettered() == 2);
    }

    assertThat(receiver.attempts.get("bad-0")).as("a 400 is not retried").hasSize(1);
    assertThat(receiver.delivered).extracting(d -> d.headers.get("ce-id")).containsExactly("good-0");
    List<ReceivedRecord<String, byte[]>> deadLetters = kit.deadLetters(topics, 2);
    assertThat(deadLetters).hasSize(2);
    assertThat(deadLetters.get(0).key()).isEqualTo("bad");
    assertThat(deadLetters.get(0).value()).isEqualTo(png);
    assertThat(DeadLetter.reason(deadLetters.get(0).record()))
        .contains("answered 400", "status 400 says no");
    assertThat(deadLetters.get(1).key()).isEqualTo("junk");
    assertThat(DeadLetter.reason(deadLetters.get(1).record())).contains("not a valid result");
  }

  @Test
  void givesUpAfterMaxAttemptsWithTheLastStatusAndATruncatedBody() throws Exception {
    receiver = start((attempt, request) -> 503);
    Topics topics = kit.freshTopics();
    kit.send(new GeneratedImage("down", "digits", 2, 5, 0, 1, 4, SinkTestKit.png())
        .toRecord(topics.results(), "test"));

    try (WebhookSink webhook = new WebhookSink(options().withMaxAttempts(3));
        SinkService sink = new SinkService(webhook, kit.options(topics, "webhook-down")).start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.deadLettered() == 1);
      assertThat(sink.written()).isZero();
    }

    assertThat(receiver.attempts.get("down-0")).hasSize(3);
    String reason = DeadLetter.reason(kit.deadLetters(topics, 1).get(0).record());
    assertThat(reason).contains("gave up after 3 attempts", "answered 503", "status 503 says no");
    assertThat(reason).as("body cut at 500 chars").contains("x".repeat(400)).doesNotContain("x".repeat(501));
  }

  private WebhookSink.Options options() {
    return WebhookSink.Options.of(URI.create("http://127.0.0.1:" + receiver.port + "/hook"))
        .withTimeout(Duration.ofSeconds(5))
        .withBackoff(BASE_BACKOFF, Duration.ofSeconds(1));
  }

  /** A local HTTP receiver answering {@code status(attemptOfThisId, request)}. */
  private Receiver start(BiFunction<Integer, HttpServerRequest, Integer> status) throws Exception {
    Receiver r = new Receiver();
    HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      String id = request.getHeader("ce-id");
      List<Long> times = r.attempts.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>());
      times.add(System.nanoTime());
      int answer = status.apply(times.size(), request);
      if (answer == 200) {
        r.delivered.add(new Delivery(MultiMap.caseInsensitiveMultiMap().addAll(request.headers()),
            body.getBytes()));
        request.response().setStatusCode(200).end();
      } else {
        request.response().setStatusCode(answer)
            .end("status " + answer + " says no " + "x".repeat(600));
      }
    }));
    r.port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS).actualPort();
    return r;
  }

  private static final class Receiver {
    final Map<String, List<Long>> attempts = new ConcurrentHashMap<>();
    final List<Delivery> delivered = new CopyOnWriteArrayList<>();
    int port;
  }

  private record Delivery(MultiMap headers, byte[] body) {}
}
