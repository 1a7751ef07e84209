package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.genstream.app.demo.Pipeline;
import io.genstream.app.demo.PipelineConfig;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.Disposable;

/**
 * The whole pipeline on the in-process broker, wired exactly as {@code genstream demo} wires it,
 * with a tiny model: synthetic digits are trained on, versions published, a request served and
 * its images written to files and to the results topic.
 */
class EndToEndTest {

  private static final Topics TOPICS = Topics.defaults();
  private static final ModelSpec TINY = ModelSpec.defaults(ModelSpec.Family.CGAN).with(Map.of(
      "generatorWidths", "16,8", "discriminatorWidths", "8,16", "batchSize", "16",
      "exportEvery", "5", "seed", "7"));

  @TempDir static Path out;
  static EmbeddedKafka broker;
  static Pipeline pipeline;

  @BeforeAll
  static void startPipeline() {
    broker = EmbeddedKafka.start();
    TopicSetup.ensure(broker.bootstrapServers(), TOPICS, 2);
    pipeline = Pipeline.start(new PipelineConfig(broker.bootstrapServers(), TOPICS, "digits", out,
        2000, 7, TINY, 20));
  }

  @AfterAll
  static void stop() {
    if (pipeline != null) {
      pipeline.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void requestForKImagesOfALabelYieldsExactlyKPngsInTheSinkAndOnTheResultsTopic() throws Exception {
    await("a model version served").atMost(Duration.ofMinutes(2))
        .until(() -> pipeline.status().latestServedVersion() >= 1);
    List<ReceivedRecord<String, byte[]>> results = new CopyOnWriteArrayList<>();
    Disposable resultReader = KafkaReceiver.create(
            ReceiverOptions.allFromBeginning(broker.bootstrapServers(), TOPICS.results()))
        .receive()
        .filter(r -> "e2e-1".equals(r.key()))
        .subscribe(results::add);

    int k = 6;
    try (KafkaSender<String, byte[]> client =
        KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
      byte[] request = "{\"requestId\":\"e2e-1\",\"model\":\"digits\",\"count\":6,\"seed\":99,\"label\":3}"
          .getBytes();
      client.send(new ProducerRecord<>(TOPICS.requests(), null, request)).block();
    }

    await("results on the topic").atMost(Duration.ofSeconds(60)).until(() -> results.size() >= k);
    await("files written").atMost(Duration.ofSeconds(60)).until(() -> manifestLines("e2e-1").size() >= k);
    Thread.sleep(500); // a duplicate would arrive in this window; exactly k must be there
    resultReader.dispose();

    assertThat(results).hasSize(k);
    long version = -1;
    for (ReceivedRecord<String, byte[]> record : results) {
      GeneratedImage image = GeneratedImage.fromRecord(record.record());
      assertThat(CloudEvents.attribute(record.record().headers(), "type")).contains(CloudEvents.TYPE_RESULT);
      assertThat(image.model()).isEqualTo("digits");
      assertThat(image.seed()).isEqualTo(99);
      assertThat(image.label()).isEqualTo(3);
      assertThat(image.count()).isEqualTo(k);
      assertThat(image.version()).isGreaterThanOrEqualTo(1);
      version = image.version();
      GrayImage decoded = Png.decode(image.png());
      assertThat(decoded.width()).isEqualTo(28);
      assertThat(decoded.height()).isEqualTo(28);
    }
    assertThat(results).extracting(r -> GeneratedImage.fromRecord(r.record()).index())
        .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);

    List<JsonNode> lines = manifestLines("e2e-1");
    assertThat(lines).hasSize(k);
    for (JsonNode line : lines) {
      Path file = out.resolve(line.get("path").asText());
      assertThat(file).exists();
      assertThat(file.getParent()).isEqualTo(out.resolve("digits").resolve(Long.toString(version)).resolve("3"));
      GrayImage onDisk = Png.decode(Files.readAllBytes(file));
      assertThat(onDisk.width()).isEqualTo(28);
      assertThat(onDisk.height()).isEqualTo(28);
    }
    assertThat(pipeline.status().imagesTrained()).isGreaterThan(0);
    assertThat(pipeline.status().versionsPublished()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void sendsAnUnknownModelRequestToTheDeadLetterTopicAndKeepsServing() throws Exception {
    await().atMost(Duration.ofMinutes(2)).until(() -> pipeline.status().latestServedVersion() >= 1);
    List<ReceivedRecord<String, byte[]>> deadLetters = new CopyOnWriteArrayList<>();
    Disposable reader = KafkaReceiver.create(
            ReceiverOptions.allFromBeginning(broker.bootstrapServers(), TOPICS.deadLetter()))
        .receive()
        .filter(r -> "e2e-bad".equals(r.key()))
        .subscribe(deadLetters::add);
    try (KafkaSender<String, byte[]> client =
        KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
      GenerationRequest bad = new GenerationRequest("e2e-bad", "no-such-model", "latest", 1, 1L, 0);
      client.send(new ProducerRecord<>(TOPICS.requests(), "e2e-bad", bad.toJson())).block();
      GenerationRequest good = new GenerationRequest("e2e-good", "digits", "latest", 2, 1L, 5);
      client.send(new ProducerRecord<>(TOPICS.requests(), "e2e-good", good.toJson())).block();
    }

    await().atMost(Duration.ofSeconds(60)).until(() -> manifestLines("e2e-good").size() >= 2);
    await().atMost(Duration.ofSeconds(30)).until(() -> !deadLetters.isEmpty());
    reader.dispose();
    assertThat(deadLetters).hasSize(1);
    assertThat(CloudEvents.attribute(deadLetters.get(0).record().headers(), "reason"))
        .hasValueSatisfying(reason -> assertThat(reason).contains("no-such-model"));
  }

  private static List<JsonNode> manifestLines(String requestId) throws Exception {
    Path manifest = out.resolve("manifest.jsonl");
    if (!Files.exists(manifest)) {
      return List.of();
    }
    String text = Files.readString(manifest);
    // The sink may be appending right now: a last line without its newline is not complete yet.
    String complete = text.substring(0, text.lastIndexOf('\n') + 1);
    return complete.lines()
        .map(line -> {
          try {
            return Json.MAPPER.readTree(line);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        })
        .filter(node -> requestId.equals(node.get("requestId").asText()))
        .toList();
  }
}
