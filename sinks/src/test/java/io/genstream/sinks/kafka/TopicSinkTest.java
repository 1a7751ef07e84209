package io.genstream.sinks.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.sinks.SinkService;
import io.genstream.sinks.SinkTestKit;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TopicSinkTest {

  private static SinkTestKit kit;

  @BeforeAll
  static void startBroker() {
    kit = new SinkTestKit();
  }

  @AfterAll
  static void stopBroker() {
    kit.close();
  }

  @Test
  void forwardsEveryResultAsTheSameCloudEventAndDeadLettersOneTheTopicRefuses() throws Exception {
    Topics topics = kit.freshTopics();
    String target = topics.results() + ".forwarded";
    // The target refuses records over 600 bytes: a result with a 400-character id is over it.
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kit.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(target, 1, (short) 1)
              .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "600"))))
          .all().get(10, TimeUnit.SECONDS);
    }
    byte[] png = SinkTestKit.png();
    String poison = "p".repeat(400);
    kit.send(
        new GeneratedImage("a", "digits", 2, 5, 0, 1, 3, png).toRecord(topics.results(), "test"),
        new GeneratedImage(poison, "digits", 2, 5, 0, 1, 3, png).toRecord(topics.results(), "test"),
        new GeneratedImage("b", "digits", 2, 6, 0, 1, 4, png).toRecord(topics.results(), "test"));

    try (TopicSink forward = new TopicSink(kit.bootstrapServers(), target);
        SinkService sink = new SinkService(forward, kit.options(topics, "forward")).start()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> sink.written() == 2);

      List<ConsumerRecord<String, byte[]>> forwarded =
          TopicReader.read(kit.bootstrapServers(), target, 2);
      assertThat(forwarded).extracting(ConsumerRecord::key).containsExactly("a", "b");
      GeneratedImage b = GeneratedImage.fromRecord(forwarded.get(1));
      assertThat(b.seed()).isEqualTo(6);
      assertThat(b.label()).isEqualTo(4);
      assertThat(b.png()).isEqualTo(png);
      assertThat(CloudEvents.attribute(forwarded.get(1).headers(), "source"))
          .hasValue(TopicSink.SOURCE);
      List<String> reasons = kit.deadLetters(topics, 1).stream()
          .map(received -> DeadLetter.reason(received.record())).toList();
      assertThat(reasons).singleElement().asString()
          .contains("RecordTooLargeException");
    }
  }
}
