package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.core.messages.RequestParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request service against a real in-process broker; each test has its own topics. */
class GeneratorServiceTest {

  private static final AtomicInteger testNumber = new AtomicInteger();
  private static EmbeddedKafka kafka;
  private static KafkaSender<String, byte[]> sender;

  private Topics topics;
  private GeneratorService service;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    sender = KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()));
  }

  @AfterAll
  static void stopBroker() {
    sender.close();
    kafka.close();
  }

  @BeforeEach
  void createTopicsAndModel() {
    topics = Topics.withPrefix("gen" + testNumber.incrementAndGet() + ".");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    publish(TinyGenerator.published(1, 1f));
  }

  @AfterEach
  void stopService() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void generatesTheRequestedCountWithAttributes() {
    startService();

    request("{\"requestId\": \"r1\", \"model\": \"digits\", \"count\": 5, \"seed\": 42, \"label\": 3}");

    List<ConsumerRecord<String, byte[]>> results = read(topics.results(), 5);
    assertThat(results).hasSize(5);
    Conditioning expectedInputs = Conditioning.fromSeed(42, 5, TinyGenerator.published(1, 1f).manifest(), 3);
    for (ConsumerRecord<String, byte[]> record : sortedByIndex(results)) {
      GeneratedImage result = GeneratedImage.fromRecord(record);
      assertThat(record.key()).isEqualTo("r1");
      assertThat(result.requestId()).isEqualTo("r1");
      assertThat(result.model()).isEqualTo("digits");
      assertThat(result.version()).isEqualTo(1);
      assertThat(result.seed()).isEqualTo(42);
      assertThat(result.count()).isEqualTo(5);
      assertThat(result.label()).isEqualTo(3);
      assertThat(CloudEvents.attribute(record.headers(), "type")).contains(CloudEvents.TYPE_RESULT);
      GrayImage image = Png.decode(record.value());
      assertThat(image.width()).isEqualTo(4);
      assertThat(image.height()).isEqualTo(4);
      // The pixels are the tiny model's output for this image's latent block.
      float[] expected = TinyGenerator.reference(expectedInputs.latents(),
          result.index() * TinyGenerator.LATENT, 3, 1f);
      GrayImage expectedImage = GrayImage.fromSymmetricUnit(expected, 0, 4, 4);
      for (int p = 0; p < TinyGenerator.PIXELS; p++) {
        assertThat(image.pixels()[p] & 0xFF).isCloseTo(expectedImage.pixels()[p] & 0xFF,
            org.assertj.core.api.Assertions.within(1));
      }
    }
    assertThat(sortedByIndex(results).stream().map(r -> GeneratedImage.fromRecord(r).index()))
        .containsExactly(0, 1, 2, 3, 4);
    await().untilAsserted(() -> assertThat(service.stats())
        .isEqualTo(new GeneratorStats(1, 5, 0)));
  }

  @Test
  void sameSeedGivesIdenticalImages() {
    startService();

    request("{\"requestId\": \"a\", \"model\": \"digits\", \"count\": 3, \"seed\": 7, \"label\": 5}");
    request("{\"requestId\": \"b\", \"model\": \"digits\", \"count\": 3, \"seed\": 7, \"label\": 5}");
    request("{\"requestId\": \"c\", \"model\": \"digits\", \"count\": 3, \"seed\": 8, \"label\": 5}");

    Map<String, List<ConsumerRecord<String, byte[]>>> byRequest = read(topics.results(), 9).stream()
        .collect(Collectors.groupingBy(ConsumerRecord::key));
    List<byte[]> a = sortedByIndex(byRequest.get("a")).stream().map(ConsumerRecord::value).toList();
    List<byte[]> b = sortedByIndex(byRequest.get("b")).stream().map(ConsumerRecord::value).toList();
    List<byte[]> c = sortedByIndex(byRequest.get("c")).stream().map(ConsumerRecord::value).toList();
    for (int i = 0; i < 3; i++) {
      assertThat(b.get(i)).isEqualTo(a.get(i));
      assertThat(c.get(i)).isNotEqualTo(a.get(i));
    }
    // Different images within one request: each uses its own latent block.
    assertThat(a.get(0)).isNotEqualTo(a.get(1));
  }

  @Test
  void aRequestWithoutSeedOrIdGivesIdenticalImagesWhenConsumedAgain() {
    startService();
    GeneratorOptions secondGroup = GeneratorOptions.builder(kafka.bootstrapServers())
        .topics(topics).groupId("second-" + topics.requests()).build();

    request("{\"model\": \"digits\", \"count\": 3}");

    List<ConsumerRecord<String, byte[]>> first = read(topics.results(), 3);
    try (GeneratorService again = GeneratorService.create(secondGroup).start()) {
      // The same record, read by a second group: a redelivery as far as the request can tell.
      List<ConsumerRecord<String, byte[]>> both = read(topics.results(), 6);
      assertThat(both).hasSize(6);
      String id = Conditioning.requestIdFor(topics.requests(), 0, 0);
      long seed = Conditioning.seedFor(topics.requests(), 0, 0);
      assertThat(both).allMatch(r -> r.key().equals(id))
          .allMatch(r -> GeneratedImage.fromRecord(r).seed() == seed);
      List<ConsumerRecord<String, byte[]>> second = both.subList(3, 6);
      assertThat(first).hasSize(3);
      List<byte[]> a = sortedByIndex(first).stream().map(ConsumerRecord::value).toList();
      List<byte[]> b = sortedByIndex(second).stream().map(ConsumerRecord::value).toList();
      for (int i = 0; i < 3; i++) {
        assertThat(b.get(i)).isEqualTo(a.get(i));
      }
    }
  }

  @Test
  void deadLettersARequestForAFramePredictorWithAClearReason() {
    publish(TinyFramePredictor.published(1, 1f));
    startService();

    request("{\"requestId\": \"video\", \"model\": \"clips\", \"count\": 1, \"seed\": 1}");
    request("{\"requestId\": \"after\", \"model\": \"digits\", \"count\": 1, \"seed\": 1}");

    assertThat(read(topics.results(), 1)).hasSize(1).allMatch(r -> r.key().equals("after"));
    List<ConsumerRecord<String, byte[]>> deadLetters = read(topics.deadLetter(), 1);
    assertThat(deadLetters).hasSize(1);
    assertThat(DeadLetter.reason(deadLetters.get(0))).contains(
        "model 'clips' (version 1, family framepred) predicts video frames; send frames to "
            + "genstream.frames");
  }

  @Test
  void aRequestForBestWaitsForThePromotionAndIsServedByThePromotedVersion() {
    publish(TinyGenerator.published(2, 2f));
    startService();

    String waiting = request("digits", "best", 3);

    // Nothing is promoted: the request waits (transient), it is neither served nor dead-lettered.
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
        .until(() -> service.stats().equals(new GeneratorStats(0, 0, 0)));

    ModelStatus first = ModelStatus.none("digits", "fd")
        .judged(1, new VersionStatus(ModelStatus.BEST, "fd 30"), 30.0)
        .judged(2, new VersionStatus(ModelStatus.REJECTED, "fd 41 > 30"), null);
    sender.send(first.toRecord(topics.models(), "test")).block(Duration.ofSeconds(10));

    List<ConsumerRecord<String, byte[]>> served = read(topics.results(), 2);
    assertThat(served).hasSize(2).allMatch(r -> r.key().equals(waiting));
    // The result names the version best resolved to, not "best" and not latest (2).
    assertThat(versionsOf(served)).containsExactly(1L);

    // The promotion moves: a request sent after it is served by the new best.
    sender.send(first.judged(2, new VersionStatus(ModelStatus.BEST, "fd 20 < 30"), 20.0)
        .toRecord(topics.models(), "test")).block(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      String id = request("digits", "best", 4);
      List<ConsumerRecord<String, byte[]>> results = read(topics.results(), 4);
      return results.stream().anyMatch(r -> r.key().equals(id)
          && GeneratedImage.fromRecord(r).version() == 2);
    });
    assertThat(read(topics.deadLetter(), 0)).isEmpty();
    assertThat(service.stats().deadLettered()).isZero();
  }

  @Test
  void deadLettersMalformedJson() {
    startService();

    request("{\"model\": \"digits\", \"count\": ");
    request("{\"requestId\": \"after\", \"model\": \"digits\", \"count\": 2, \"seed\": 1}");

    assertThat(read(topics.results(), 2)).hasSize(2).allMatch(r -> r.key().equals("after"));
    List<ConsumerRecord<String, byte[]>> deadLetters = read(topics.deadLetter(), 1);
    assertThat(deadLetters).hasSize(1);
    assertThat(DeadLetter.reason(deadLetters.get(0))).startsWith("malformed JSON");
    assertThat(new String(deadLetters.get(0).value(), StandardCharsets.UTF_8))
        .isEqualTo("{\"model\": \"digits\", \"count\": ");
    assertThat(CloudEvents.attribute(deadLetters.get(0).headers(), "service"))
        .contains(GeneratorService.SOURCE);
  }

  @Test
  void deadLettersUnknownModel() {
    startService();

    request("{\"requestId\": \"x\", \"model\": \"foo\", \"count\": 1}");
    request("{\"requestId\": \"y\", \"model\": \"digits\", \"version\": \"9\"}");
    request("{\"requestId\": \"after\", \"model\": \"digits\", \"count\": 1, \"seed\": 1}");

    assertThat(read(topics.results(), 1)).hasSize(1).allMatch(r -> r.key().equals("after"));
    List<String> reasons = read(topics.deadLetter(), 2).stream().map(DeadLetter::reason).toList();
    assertThat(reasons).containsExactlyInAnyOrder(
        "unknown model 'foo', known models: [digits]",
        "unknown version 9 of model 'digits', known versions: [1]");
    await().untilAsserted(() -> assertThat(service.stats().deadLettered()).isEqualTo(2));
  }

  @Test
  void deadLettersCountAndLabelOutOfRange() {
    startService();

    request("{\"requestId\": \"big\", \"model\": \"digits\", \"count\": 1000}");
    request("{\"requestId\": \"zero\", \"model\": \"digits\", \"count\": 0}");
    request("{\"requestId\": \"label\", \"model\": \"digits\", \"label\": 10}");
    request("{\"requestId\": \"after\", \"model\": \"digits\", \"label\": 9}");

    List<ConsumerRecord<String, byte[]>> results = read(topics.results(), 1);
    assertThat(results).hasSize(1);
    assertThat(GeneratedImage.fromRecord(results.get(0)).label()).isEqualTo(9);
    List<String> reasons = read(topics.deadLetter(), 3).stream().map(DeadLetter::reason).toList();
    assertThat(reasons).containsExactlyInAnyOrder(
        "count must be 1..256, got 1000",
        "count must be 1..256, got 0",
        "label 10 out of range for model 'digits' version 1, valid labels are 0..9");
  }

  @Test
  void deadLettersDuplicateKeysInsteadOfTakingTheLast() {
    startService();

    request("{\"requestId\": \"dup\", \"model\": \"digits\", \"seed\": 1, \"seed\": 2}");
    request("{\"requestId\": \"after\", \"model\": \"digits\", \"seed\": 1}");

    assertThat(read(topics.results(), 1)).hasSize(1).allMatch(r -> r.key().equals("after"));
    List<ConsumerRecord<String, byte[]>> deadLetters = read(topics.deadLetter(), 1);
    assertThat(deadLetters).hasSize(1);
    assertThat(DeadLetter.reason(deadLetters.get(0)))
        .startsWith("duplicate key in request").contains("'seed'");
  }

  @Test
  void deadLettersRequestsOverTheLimitsBeforeAnyWork() {
    startService(options -> options.limits(200, 16, GeneratorOptions.DEFAULT_MAX_RESULT_BYTES));

    String big = "{\"model\": \"digits\", \"pad\": \"" + "x".repeat(300) + "\"}";
    request(big);
    request("{\"model\": \"" + "m".repeat(17) + "\"}");
    request("{\"requestId\": \"" + "r".repeat(100) + "\", \"model\": \"digits\"}");
    request("{\"requestId\": \"after\", \"model\": \"digits\"}");

    assertThat(read(topics.results(), 1)).hasSize(1).allMatch(r -> r.key().equals("after"));
    List<String> reasons = read(topics.deadLetter(), 3).stream().map(DeadLetter::reason).toList();
    assertThat(reasons).hasSize(3);
    assertThat(reasons.get(0)).isEqualTo("request of " + big.length() + " bytes exceeds maxRequestBytes 200");
    assertThat(reasons.get(1)).contains("maxStringLength 16");
    assertThat(reasons.get(2)).contains("maxStringLength 16");
  }

  @Test
  void deadLettersResultsOverMaxResultBytesBeforeSendingAny() {
    startService(options -> options.limits(
        RequestParser.DEFAULT_MAX_REQUEST_BYTES, RequestParser.DEFAULT_MAX_STRING_LENGTH, 300));

    request("{\"requestId\": \"huge\", \"model\": \"digits\", \"count\": 3}");

    List<ConsumerRecord<String, byte[]>> deadLetters = read(topics.deadLetter(), 1);
    assertThat(deadLetters).hasSize(1);
    assertThat(DeadLetter.reason(deadLetters.get(0)))
        .startsWith("result record of ").endsWith(" exceeds maxResultBytes 300");
    assertThat(read(topics.results(), 0)).isEmpty();
    await().untilAsserted(() -> assertThat(service.stats()).isEqualTo(new GeneratorStats(0, 0, 1)));
  }

  @Test
  void aResultTheResultsTopicRefusesDeadLettersItsRequestAndServesTheOthers() throws Exception {
    // The broker refuses records over 800 bytes on the results topic: a result with a 250-character
    // request id (key and ce_requestid) is over it, the others are not.
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()))) {
      admin.incrementalAlterConfigs(Map.of(
          new ConfigResource(ConfigResource.Type.TOPIC, topics.results()),
          List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "800"),
              AlterConfigOp.OpType.SET)))).all().get();
    }
    String poison = "p".repeat(250);
    request("{\"requestId\": \"" + poison + "\", \"model\": \"digits\", \"seed\": 1}");
    for (int i = 0; i < 5; i++) {
      request("{\"requestId\": \"v" + i + "\", \"model\": \"digits\", \"seed\": " + i + "}");
    }
    // Started after the requests: they are served as one batch, so the producer puts the
    // poison's result in one record batch with others, which the broker refuses as a whole.
    startService();

    List<ConsumerRecord<String, byte[]>> results = read(topics.results(), 5);
    assertThat(results).extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrder("v0", "v1", "v2", "v3", "v4");
    List<ConsumerRecord<String, byte[]>> deadLetters = read(topics.deadLetter(), 1);
    assertThat(deadLetters).hasSize(1);
    assertThat(DeadLetter.reason(deadLetters.get(0)))
        .startsWith("result cannot be published to " + topics.results())
        .contains("RecordTooLargeException");
    assertThat(new String(deadLetters.get(0).value(), StandardCharsets.UTF_8)).contains(poison);
    await().untilAsserted(() -> assertThat(service.stats()).isEqualTo(new GeneratorStats(5, 5, 1)));
  }

  @Test
  void repliesOnTheRequestedTopicWithRawPixelsAndTheirShape() {
    String reply = topics.results() + ".mine";
    try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(
        Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(reply, 1, (short) 1)))
          .all().get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    startService(options -> options.replyTopics(List.of(reply)));

    request("{\"requestId\": \"raw\", \"model\": \"digits\", \"seed\": 4, \"label\": 2, "
        + "\"format\": \"raw\", \"replyTopic\": \"" + reply + "\"}");

    List<ConsumerRecord<String, byte[]>> replies = read(reply, 1);
    assertThat(replies).hasSize(1);
    GeneratedImage image = GeneratedImage.fromRecord(replies.get(0));
    assertThat(image.raw()).isTrue();
    assertThat(image.shape()).isEqualTo("1,4,4");
    assertThat(image.provider()).isEqualTo("cpu");
    assertThat(CloudEvents.attribute(replies.get(0).headers(), "dtype")).contains("uint8");
    float[] expected = TinyGenerator.reference(Conditioning.fromSeed(4, 1,
        TinyGenerator.published(1, 1f).manifest(), 2).latents(), 0, 2, 1f);
    assertThat(image.data()).hasSize(TinyGenerator.PIXELS)
        .isEqualTo(GrayImage.fromSymmetricUnit(expected, 0, 4, 4).pixels());
    assertThat(read(topics.results(), 0)).isEmpty();
  }

  @Test
  void deadLettersARequestWhoseReplyTopicDoesNotExistAndServesTheNext() {
    startService(options -> options.replyTopics(List.of("nowhere")));

    request("{\"requestId\": \"lost\", \"model\": \"digits\", \"replyTopic\": \"nowhere\"}");
    request("{\"requestId\": \"next\", \"model\": \"digits\"}");

    assertThat(read(topics.results(), 1)).extracting(ConsumerRecord::key).containsExactly("next");
    List<ConsumerRecord<String, byte[]>> dead = read(topics.deadLetter(), 1);
    assertThat(dead).hasSize(1);
    assertThat(DeadLetter.reason(dead.get(0))).contains("reply topic 'nowhere' does not exist");
  }

  @Test
  void skipsInvalidModelRecords() {
    PublishedModel v2 = TinyGenerator.published(2, 2f);
    ProducerRecord<String, byte[]> corrupt = v2.toRecord(topics.models(), "test");
    corrupt = new ProducerRecord<>(corrupt.topic(), null, "digits/2",
        "not onnx".getBytes(StandardCharsets.UTF_8), corrupt.headers()); // SHA-256 mismatch
    sender.send(corrupt).block(Duration.ofSeconds(10));
    sender.send(new ProducerRecord<>(topics.models(), "digits/3", new byte[] {1})).block();
    startService();

    request("{\"requestId\": \"r\", \"model\": \"digits\"}");

    List<ConsumerRecord<String, byte[]>> results = read(topics.results(), 1);
    assertThat(GeneratedImage.fromRecord(results.get(0)).version()).isEqualTo(1);
    assertThat(service.registry().versions()).isEqualTo(Map.of("digits", List.of(1L)));
  }

  @Test
  void hotSwapServesTheNewVersionWithoutFailedRequests() throws Exception {
    startService();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sent.add(request("digits", "latest", i));
    }

    publish(TinyGenerator.published(2, 2f));
    for (int i = 10; i < 20; i++) {
      sent.add(request("digits", "latest", i));
      Thread.sleep(20);
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> versionsOf(read(topics.results(), 0)).contains(2L));
    List<String> afterSwap = new ArrayList<>();
    for (int i = 20; i < 30; i++) {
      afterSwap.add(request("digits", "latest", i));
    }
    String pinned = request("digits", "1", 99);

    List<ConsumerRecord<String, byte[]>> results = read(topics.results(), 2 * 31);
    assertThat(results).hasSize(2 * 31);
    Map<String, List<GeneratedImage>> byRequest = results.stream().map(GeneratedImage::fromRecord)
        .collect(Collectors.groupingBy(GeneratedImage::requestId));
    assertThat(byRequest).containsOnlyKeys(concat(sent, afterSwap, List.of(pinned)));
    for (String id : afterSwap) {
      assertThat(byRequest.get(id)).extracting(GeneratedImage::version).containsOnly(2L);
    }
    assertThat(byRequest.get(pinned)).extracting(GeneratedImage::version).containsOnly(1L);
    assertThat(service.stats().deadLettered()).isZero();
    assertThat(read(topics.deadLetter(), 0)).isEmpty();
  }

  @Test
  void measuresRequestsOfTenImages() {
    startService();
    request("{\"requestId\": \"warm\", \"model\": \"digits\", \"count\": 10}");
    read(topics.results(), 10);

    try (KafkaConsumer<String, byte[]> results = consumer()) {
      TopicPartition partition = new TopicPartition(topics.results(), 0);
      results.assign(List.of(partition));
      results.seekToEnd(List.of(partition));
      results.position(partition);
      int requests = 20;
      long[] nanos = new long[requests];
      for (int i = 0; i < requests; i++) {
        long start = System.nanoTime();
        request("{\"requestId\": \"t" + i + "\", \"model\": \"digits\", \"count\": 10, \"seed\": " + i + "}");
        int received = 0;
        while (received < 10) {
          received += results.poll(Duration.ofMillis(5)).count();
          assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(10).toNanos());
        }
        nanos[i] = System.nanoTime() - start;
      }
      java.util.Arrays.sort(nanos);
      System.out.printf("count=10 request, produce request -> consume 10 results: median %.1f ms, max %.1f ms%n",
          nanos[requests / 2] / 1e6, nanos[requests - 1] / 1e6);
    }
  }

  @Test
  void aModelWhoseLoadFailsThenHealsServesTheRequestInsteadOfDeadLetteringIt() {
    java.util.concurrent.atomic.AtomicInteger failuresLeft =
        new java.util.concurrent.atomic.AtomicInteger(2);
    ModelLoader onnx = ModelLoader.onnxRuntime(1);
    ModelLoader flaky = model -> {
      if (failuresLeft.getAndDecrement() > 0) {
        throw new IllegalStateException("ONNX Runtime failed to allocate its arena");
      }
      return onnx.load(model);
    };
    GeneratorOptions options = GeneratorOptions.builder(kafka.bootstrapServers())
        .topics(topics)
        .groupId("generator-" + topics.requests())
        .build();
    service = GeneratorService.create(options, flaky).start();
    service.ready().block(Duration.ofSeconds(30));

    request("{\"requestId\": \"patient\", \"model\": \"digits\", \"count\": 2, \"seed\": 7}");

    // The catalog retries the load after 1 s, then 2 s; the request waits unacknowledged.
    List<ConsumerRecord<String, byte[]>> results = read(topics.results(), 2);
    assertThat(results).extracting(ConsumerRecord::key).containsOnly("patient").hasSize(2);
    assertThat(failuresLeft.get()).isNegative();
    await().untilAsserted(() -> assertThat(service.stats()).isEqualTo(new GeneratorStats(1, 2, 0)));
    assertThat(read(topics.deadLetter(), 0)).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  private void startService() {
    startService(options -> options);
  }

  private void startService(UnaryOperator<GeneratorOptions.Builder> configure) {
    // A group per test: members of one group with different subscriptions rebalance each other,
    // and a rebalance legitimately redelivers (at least once), which would blur exact counts.
    GeneratorOptions.Builder options = GeneratorOptions.builder(kafka.bootstrapServers())
        .topics(topics)
        .groupId("generator-" + topics.requests());
    service = GeneratorService.create(configure.apply(options).build()).start();
    service.ready().block(Duration.ofSeconds(30));
  }

  private void publish(PublishedModel model) {
    sender.send(model.toRecord(topics.models(), "test")).block(Duration.ofSeconds(10));
  }

  private void request(String json) {
    sender.send(new ProducerRecord<>(topics.requests(), null, json.getBytes(StandardCharsets.UTF_8)))
        .block(Duration.ofSeconds(10));
  }

  /** Sends a request for 2 images and returns its id. */
  private String request(String model, String version, int seed) {
    String id = UUID.randomUUID().toString();
    request("{\"requestId\": \"" + id + "\", \"model\": \"" + model + "\", \"version\": \""
        + version + "\", \"count\": 2, \"seed\": " + seed + "}");
    return id;
  }

  private static List<ConsumerRecord<String, byte[]>> read(String topic, int atLeast) {
    return TopicReader.read(kafka.bootstrapServers(), topic, atLeast);
  }

  private static KafkaConsumer<String, byte[]> consumer() {
    return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
        new StringDeserializer(), new ByteArrayDeserializer());
  }

  private static List<ConsumerRecord<String, byte[]>> sortedByIndex(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream()
        .sorted(Comparator.comparingInt(r -> GeneratedImage.fromRecord(r).index()))
        .toList();
  }

  private static List<Long> versionsOf(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream().map(r -> GeneratedImage.fromRecord(r).version()).distinct().toList();
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> all = new ArrayList<>();
    for (List<String> list : lists) {
      all.addAll(list);
    }
    return all;
  }
}
