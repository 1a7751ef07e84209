package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The requests topic as a hostile requester uses it: results aimed at the pipeline's own topics,
 * records of the wrong kind on the models topic, and a flood of requests for a version that does
 * not exist yet. Each attack is refused with a clear reason, the pipeline's topics stay untouched
 * and valid requests keep being served.
 */
class HostileRequestsTest {

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
    topics = Topics.withPrefix("hostile" + testNumber.incrementAndGet() + ".");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    send(TinyGenerator.published(1, 1f).toRecord(topics.models(), "test"));
  }

  @AfterEach
  void stopService() {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void refusesRepliesIntoThePipelinesOwnTopicsAndServesTheNextRequest() {
    startService(options -> options);
    int modelRecordsBefore = read(topics.models(), 1).size();

    // The attacks verified against a running demo: a PNG keyed by the model name where the
    // trainer reads its checkpoint, one keyed <model>/status where generators read "best".
    request("{\"model\": \"digits\", \"requestId\": \"digits\", \"replyTopic\": \""
        + topics.checkpoints() + "\"}");
    request("{\"model\": \"digits\", \"requestId\": \"digits/status\", \"replyTopic\": \""
        + topics.models() + "\"}");
    request("{\"model\": \"digits\", \"requestId\": \"digits/9223372036854775807\", "
        + "\"replyTopic\": \"" + topics.models() + "\"}");
    request("{\"model\": \"digits\", \"requestId\": \"x\", \"replyTopic\": \"__consumer_offsets\"}");
    request("{\"model\": \"digits\", \"requestId\": \"valid\"}");

    assertThat(read(topics.results(), 1)).extracting(ConsumerRecord::key).containsExactly("valid");
    List<ConsumerRecord<String, byte[]>> dead = read(topics.deadLetter(), 4);
    assertThat(dead).hasSize(4).allSatisfy(record -> assertThat(DeadLetter.reason(record))
        .contains("is one of the pipeline's own topics")
        .contains("requests may reply to the results topic " + topics.results() + " only"));
    assertThat(read(topics.checkpoints(), 0)).isEmpty();
    assertThat(read(topics.models(), 0)).hasSize(modelRecordsBefore);
    assertThat(service.registry().versions()).isEqualTo(Map.of("digits", List.of(1L)));
  }

  @Test
  void refusesAnExistingTopicThatTheRuleDoesNotAllowAndServesOneItDoes() throws Exception {
    String theirs = "team-b.replies";
    String ours = "team-a.replies";
    createTopics(theirs, ours);
    startService(options -> options.replyTopics(List.of("team-a.*")));

    request("{\"model\": \"digits\", \"requestId\": \"stray\", \"replyTopic\": \"" + theirs + "\"}");
    request("{\"model\": \"digits\", \"requestId\": \"allowed\", \"replyTopic\": \"" + ours + "\"}");

    assertThat(read(ours, 1)).extracting(ConsumerRecord::key).containsExactly("allowed");
    assertThat(read(theirs, 0)).isEmpty();
    assertThat(DeadLetter.reason(read(topics.deadLetter(), 1).get(0)))
        .isEqualTo("replyTopic 'team-b.replies' is not allowed; requests may reply to the "
            + "results topic " + topics.results() + ", or team-a.* (the generator's "
            + "--reply-topics setting)");
  }

  @Test
  void noSettingOpensThePipelinesTopics() {
    for (String entry : List.of(topics.models(), "hostile*", "*", "_*", "__consumer_offsets")) {
      assertThatThrownBy(() -> new ReplyTopicRule(topics, List.of(entry)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("which only the pipeline writes");
    }
    assertThatThrownBy(() -> new ReplyTopicRule(topics, List.of("a*b")))
        .hasMessageContaining("prefixes ending in '*'");
    // The results topic is allowed by name or by a prefix that covers only it.
    assertThat(new ReplyTopicRule(topics, List.of(topics.results() + "*")).check(topics.results()))
        .isEqualTo(topics.results());
  }

  @Test
  void theModelFollowerSkipsRecordsThatAreNotModels() {
    startService(options -> options);
    ModelStatus status = ModelStatus.none("digits", "fd")
        .judged(1, new VersionStatus(ModelStatus.BEST, "fd 30"), 30.0);
    send(status.toRecord(topics.models(), "test"));
    await().atMost(Duration.ofSeconds(20)).until(() -> hasBest(service));

    // Results someone wrote there with a producer of their own: the keys of a status and of a
    // version far beyond any real one, a PNG as the value, typed as results.
    for (String key : List.of("digits/status", "digits/9223372036854775807", "digits/2")) {
      send(resultTyped(topics.models(), key));
    }
    send(TinyGenerator.published(2, 2f).toRecord(topics.models(), "test")); // read after them

    await().atMost(Duration.ofSeconds(20)).until(() ->
        service.registry().versions().equals(Map.of("digits", List.of(1L, 2L))));
    request("{\"model\": \"digits\", \"version\": \"best\", \"requestId\": \"still-best\"}");
    List<ConsumerRecord<String, byte[]>> results = read(topics.results(), 1);
    assertThat(GeneratedImage.fromRecord(results.get(0)).version()).isEqualTo(1);
    assertThat(((io.genstream.generator.internal.KafkaModelRegistry) service.registry())
        .foreignRecords()).isEqualTo(3);
  }

  @Test
  void requestsWaitingForBestDoNotHoldTheLine() {
    // Fewer slots than waiters, as 300 waiters against 256 slots on a running demo.
    startService(options -> options.maxInFlightRequests(8)
        .waiting(20, Duration.ofSeconds(5)));

    for (int i = 0; i < 40; i++) {
      request("{\"model\": \"digits\", \"version\": \"best\", \"requestId\": \"waiter-" + i
          + "\"}");
    }
    for (int i = 0; i < 3; i++) {
      request("{\"model\": \"digits\", \"requestId\": \"latest-" + i + "\"}");
    }

    // Served at once, while 20 requests wait and 20 more were dead-lettered for the full room.
    List<ConsumerRecord<String, byte[]>> served = TopicReader.read(kafka.bootstrapServers(),
        topics.results(), 3, Duration.ofSeconds(2));
    assertThat(served).extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrder("latest-0", "latest-1", "latest-2");
    List<ConsumerRecord<String, byte[]>> full = read(topics.deadLetter(), 20);
    assertThat(full).hasSize(20).allSatisfy(record -> assertThat(DeadLetter.reason(record))
        .isEqualTo("model 'digits' has no version promoted to 'best' yet (latest is v1, not "
            + "judged yet); 20 requests already waiting, the most that may "
            + "(maxWaitingRequests)"));

    // The waiters give up after their bounded wait, each with the reason, and the offsets of
    // the partition are committed past all of them.
    List<ConsumerRecord<String, byte[]>> dead = read(topics.deadLetter(), 40);
    assertThat(dead).hasSize(40);
    assertThat(dead.subList(20, 40)).allSatisfy(record -> assertThat(DeadLetter.reason(record))
        .startsWith("waited 5 s, the most a request may wait (maxWait): model 'digits' has no "
            + "version promoted to 'best' yet"));
    Set<String> deadIds = dead.stream().map(r -> requestIdOf(r)).collect(Collectors.toSet());
    assertThat(deadIds).isEqualTo(IntStream.range(0, 40).mapToObj(i -> "waiter-" + i)
        .collect(Collectors.toSet()));
    await().atMost(Duration.ofSeconds(20)).until(() -> committed() == 43);
    assertThat(service.stats()).isEqualTo(new GeneratorStats(3, 3, 40));
  }

  @Test
  void aWaiterIsServedOnceBestIsPromotedAndAcknowledged() {
    startService(options -> options.maxInFlightRequests(2));

    request("{\"model\": \"digits\", \"version\": \"best\", \"requestId\": \"patient\"}");
    request("{\"model\": \"digits\", \"requestId\": \"meanwhile\"}");
    assertThat(read(topics.results(), 1)).extracting(ConsumerRecord::key)
        .containsExactly("meanwhile");

    send(ModelStatus.none("digits", "fd")
        .judged(1, new VersionStatus(ModelStatus.BEST, "fd 30"), 30.0)
        .toRecord(topics.models(), "test"));

    assertThat(read(topics.results(), 2)).extracting(ConsumerRecord::key)
        .containsExactlyInAnyOrder("meanwhile", "patient");
    await().atMost(Duration.ofSeconds(20)).until(() -> committed() == 2);
    assertThat(read(topics.deadLetter(), 0)).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  private void startService(UnaryOperator<GeneratorOptions.Builder> configure) {
    GeneratorOptions.Builder options = GeneratorOptions.builder(kafka.bootstrapServers())
        .topics(topics)
        .groupId("generator-" + topics.requests());
    service = GeneratorService.create(configure.apply(options).build()).start();
    service.ready().block(Duration.ofSeconds(30));
  }

  private static boolean hasBest(GeneratorService service) {
    try {
      service.registry().acquire("digits", "best").close();
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private ProducerRecord<String, byte[]> resultTyped(String topic, String key) {
    var headers = CloudEvents.headers(CloudEvents.TYPE_RESULT, "intruder", "image/png");
    return new ProducerRecord<>(topic, null, key, new byte[] {(byte) 0x89, 'P', 'N', 'G'},
        headers);
  }

  private long committed() throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      return admin.listConsumerGroupOffsets("generator-" + topics.requests())
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).values().stream()
          .mapToLong(offset -> offset == null ? 0 : offset.offset()).sum();
    }
  }

  private static String requestIdOf(ConsumerRecord<String, byte[]> deadLetter) {
    String json = new String(deadLetter.value(), StandardCharsets.UTF_8);
    int start = json.indexOf("\"requestId\": \"") + "\"requestId\": \"".length();
    return json.substring(start, json.indexOf('"', start));
  }

  private void createTopics(String... names) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      admin.createTopics(java.util.Arrays.stream(names).map(n -> new NewTopic(n, 1, (short) 1))
          .toList()).all().get(10, TimeUnit.SECONDS);
    }
  }

  private void request(String json) {
    send(new ProducerRecord<>(topics.requests(), null, json.getBytes(StandardCharsets.UTF_8)));
  }

  private static void send(ProducerRecord<String, byte[]> record) {
    sender.send(record).block(Duration.ofSeconds(10));
  }

  private static List<ConsumerRecord<String, byte[]>> read(String topic, int atLeast) {
    return TopicReader.read(kafka.bootstrapServers(), topic, atLeast);
  }
}
