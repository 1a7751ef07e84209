package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.app.demo.Pipeline;
import io.genstream.app.demo.PipelineConfig;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.trainer.family.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Variations of an image end to end: a VAE trained for a few steps by the real trainer, its
 * decoder and encoder published on the models topic, variations asked for on the requests topic
 * and served by the generator.
 */
class VariationsEndToEndTest {

  private static final Topics TOPICS = Topics.withPrefix("vary.");
  private static final ModelSpec TINY_VAE = ModelSpec.defaults(ModelSpec.Family.VAE).with(Map.of(
      "generatorWidths", "16,8", "discriminatorWidths", "8,16", "batchSize", "16",
      "exportEvery", "5", "seed", "7"));

  @TempDir Path out;

  @Test
  void aTrainedVaeServesReproducibleVariationsOfAnImage() throws Exception {
    try (EmbeddedKafka broker = EmbeddedKafka.start()) {
      TopicSetup.ensure(broker.bootstrapServers(), TOPICS, 1);
      try (Pipeline pipeline = Pipeline.start(new PipelineConfig(broker.bootstrapServers(), TOPICS,
              "faces", out, 2000, 7, TINY_VAE, 20));
          KafkaSender<String, byte[]> client =
              KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
        await("a VAE version served").atMost(Duration.ofMinutes(1))
            .until(() -> pipeline.status().latestServedVersion() >= 1);
        pipeline.stopTraining(Duration.ofSeconds(30)); // latest stays one version from here
        long version = pipeline.status().latestServedVersion();

        String image = png(28);
        request(client, "still", image, 0f, 3, 1);
        request(client, "a", image, 1f, 3, 5);
        request(client, "b", image, 1f, 3, 5);
        request(client, "small", png(14), 1f, 1, 5);

        Map<String, List<GeneratedImage>> results =
            TopicReader.read(broker.bootstrapServers(), TOPICS.results(), 9).stream()
                .map(GeneratedImage::fromRecord)
                .collect(Collectors.groupingBy(GeneratedImage::requestId, Collectors.collectingAndThen(
                    Collectors.toList(), list -> list.stream()
                        .sorted(Comparator.comparingInt(GeneratedImage::index)).toList())));
        assertThat(results.keySet()).containsExactlyInAnyOrder("still", "a", "b");
        List<GeneratedImage> still = results.get("still");
        assertThat(still).hasSize(3).allSatisfy(result -> {
          assertThat(result.version()).isEqualTo(version);
          assertThat(result.png()).isEqualTo(still.get(0).png()); // spread 0: the mean, thrice
          GrayImage decoded = Png.decode(result.png());
          assertThat(decoded.width()).isEqualTo(28);
          assertThat(decoded.height()).isEqualTo(28);
        });
        List<GeneratedImage> a = results.get("a");
        List<GeneratedImage> b = results.get("b");
        assertThat(a).hasSize(3);
        for (int i = 0; i < 3; i++) {
          assertThat(b.get(i).png()).isEqualTo(a.get(i).png()); // same seed, same images
        }
        assertThat(a.get(0).png()).isNotEqualTo(a.get(1).png());

        List<ConsumerRecord<String, byte[]>> deadLetters =
            TopicReader.read(broker.bootstrapServers(), TOPICS.deadLetter(), 1);
        assertThat(deadLetters).extracting(DeadLetter::reason)
            .containsExactly("image is 14x14, model 'faces' version " + version + " takes 28x28");
      }
    }
  }

  /** A gray square of {@code side} pixels with a bright bar, as PNG in base64. */
  private static String png(int side) {
    byte[] pixels = new byte[side * side];
    for (int y = side / 4; y < 3 * side / 4; y++) {
      for (int x = side / 2 - 2; x < side / 2 + 2; x++) {
        pixels[y * side + x] = (byte) 230;
      }
    }
    return Base64.getEncoder().encodeToString(Png.encode(new GrayImage(side, side, pixels)));
  }

  private static void request(KafkaSender<String, byte[]> client, String id, String png,
      float spread, int count, long seed) {
    String json = "{\"requestId\": \"" + id + "\", \"model\": \"faces\", \"image\": \"" + png
        + "\", \"spread\": " + spread + ", \"count\": " + count + ", \"seed\": " + seed + "}";
    client.send(new ProducerRecord<>(TOPICS.requests(), id, json.getBytes(StandardCharsets.UTF_8)))
        .block(Duration.ofSeconds(10));
  }
}
