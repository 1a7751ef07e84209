package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.PublishedModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/** Generators under load: sharing a group's partitions, and swapping versions mid-stream. */
class GeneratorScaleOutTest {

  private static final AtomicInteger testNumber = new AtomicInteger();
  private static final int PARTITIONS = 4;
  private static EmbeddedKafka kafka;
  private static KafkaSender<String, byte[]> sender;

  private Topics topics;
  private final List<GeneratorService> services = new ArrayList<>();

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
    topics = Topics.withPrefix("scale" + testNumber.incrementAndGet() + ".");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, PARTITIONS);
    publish(TinyGenerator.published(1, 1f));
  }

  @AfterEach
  void stopServices() {
    services.forEach(GeneratorService::close);
  }

  @Test
  void twoGeneratorsInOneGroupShareTheRequestPartitionsAndServeEveryRequest() throws Exception {
    GeneratorService first = start();
    GeneratorService second = start();
    awaitGroupOf(2);

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      sent.add(request("req-" + i, i));
    }

    List<ConsumerRecord<String, byte[]>> results = TopicReader.read(
        kafka.bootstrapServers(), topics.results(), sent.size());
    Map<String, List<GeneratedImage>> byRequest = results.stream().map(GeneratedImage::fromRecord)
        .collect(Collectors.groupingBy(GeneratedImage::requestId));
    assertThat(byRequest.keySet()).containsExactlyInAnyOrderElementsOf(sent);
    // At least once: a rebalance may redeliver, but a repeat is the same image.
    byRequest.values().forEach(images -> assertThat(images.stream()
        .map(image -> new String(image.png(), StandardCharsets.ISO_8859_1)).distinct()).hasSize(1));
    await().untilAsserted(() -> {
      assertThat(first.stats().requestsServed()).isPositive();
      assertThat(second.stats().requestsServed()).isPositive();
      assertThat(first.stats().requestsServed() + second.stats().requestsServed())
          .isGreaterThanOrEqualTo(sent.size());
    });
    assertThat(TopicReader.read(kafka.bootstrapServers(), topics.deadLetter(), 0)).isEmpty();
  }

  @Test
  void swappingVersionsUnderASteadyStreamOfRequestsFailsNone() {
    GeneratorService service = start();
    int requests = 300;

    // A request every 5 ms; versions 2 and 3 are published a third and two thirds of the way.
    List<String> sent = Flux.interval(Duration.ofMillis(5), Schedulers.boundedElastic())
        .take(requests)
        .map(i -> {
          if (i == requests / 3) {
            publish(TinyGenerator.published(2, 2f));
          } else if (i == 2 * requests / 3) {
            publish(TinyGenerator.published(3, 3f));
          }
          return request("load-" + i, i);
        })
        .collectList()
        .block(Duration.ofSeconds(60));

    await().atMost(Duration.ofSeconds(30)).until(() -> {
      request("after-swap", 1);
      return TopicReader.read(kafka.bootstrapServers(), topics.results(), 0).stream()
          .map(GeneratedImage::fromRecord)
          .anyMatch(image -> image.requestId().equals("after-swap") && image.version() == 3);
    });
    List<GeneratedImage> results = TopicReader.read(kafka.bootstrapServers(), topics.results(),
        requests).stream().map(GeneratedImage::fromRecord).toList();
    Set<String> served = results.stream().map(GeneratedImage::requestId).collect(Collectors.toSet());
    assertThat(served).containsAll(sent);
    assertThat(results.stream().map(GeneratedImage::version).collect(Collectors.toSet()))
        .contains(1L, 3L);
    assertThat(service.stats().deadLettered()).isZero();
    assertThat(TopicReader.read(kafka.bootstrapServers(), topics.deadLetter(), 0)).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------

  private GeneratorService start() {
    GeneratorService service = GeneratorService.create(
        GeneratorOptions.builder(kafka.bootstrapServers())
            .topics(topics)
            .groupId("generators-" + topics.requests())
            .build())
        .start();
    services.add(service);
    service.ready().block(Duration.ofSeconds(30));
    return service;
  }

  /** Waits until the group is stable with {@code members} members, each owning partitions. */
  private void awaitGroupOf(int members) {
    String group = "generators-" + topics.requests();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
            .all().get().get(group);
        return description.members().size() == members
            && description.members().stream()
                .allMatch(member -> !member.assignment().topicPartitions().isEmpty());
      });
    }
  }

  private String request(String id, long seed) {
    String json = "{\"requestId\": \"" + id + "\", \"model\": \"digits\", \"seed\": " + seed + "}";
    sender.send(new ProducerRecord<>(topics.requests(), id, json.getBytes(StandardCharsets.UTF_8)))
        .block(Duration.ofSeconds(10));
    return id;
  }

  private void publish(PublishedModel model) {
    sender.send(model.toRecord(topics.models(), "test")).block(Duration.ofSeconds(10));
  }
}
