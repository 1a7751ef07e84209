package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.app.demo.DemoData;
import io.genstream.app.demo.Pipeline;
import io.genstream.app.demo.PipelineConfig;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.generator.ModelRegistry;
import io.genstream.trainer.family.ModelSpec;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genstream demo --data DIR} end to end: two class folders of small PNGs become a cgan with
 * two classes, trained epoch after epoch, whose versions serve images of both labels to files.
 */
class DemoDataEndToEndTest {

  private static final Topics TOPICS = Topics.withPrefix("data.");
  private static final ModelSpec TINY = ModelSpec.defaults(ModelSpec.Family.CGAN).with(Map.of(
      "generatorWidths", "16,8", "discriminatorWidths", "8,16", "batchSize", "16",
      "exportEvery", "5", "seed", "7"));

  @TempDir Path data;
  @TempDir Path out;

  @Test
  void classFoldersTrainATwoClassCganThatServesBothLabels() throws Exception {
    writeShapes(data.resolve("circles"), true);
    writeShapes(data.resolve("squares"), false);
    Files.writeString(data.resolve("squares").resolve("broken.png"), "not an image");

    DemoData demoData = DemoData.open(data, TINY);
    ModelSpec spec = demoData.adapt(TINY, false);
    assertThat(demoData.labelNames()).containsExactly("circles", "squares");
    assertThat(spec.numClasses()).isEqualTo(2);

    try (EmbeddedKafka broker = EmbeddedKafka.start()) {
      TopicSetup.ensure(broker.bootstrapServers(), TOPICS, 1);
      try (Pipeline pipeline = Pipeline.start(new PipelineConfig(broker.bootstrapServers(), TOPICS,
              "shapes", out, 2000, 7, spec, 20, -1, demoData,
              io.genstream.trainer.Judging.defaults()));
          KafkaSender<String, byte[]> client =
              KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
        await("a version served").atMost(Duration.ofMinutes(1))
            .until(() -> pipeline.status().latestServedVersion() >= 1);
        // 41 files: past the first epoch, so the folder is being ingested again.
        await("a second epoch").atMost(Duration.ofSeconds(30))
            .until(() -> pipeline.status().imagesIngested() > 40);
        List<ModelRegistry.VersionInfo> versions = pipeline.versions();
        assertThat(versions).isNotEmpty()
            .allSatisfy(v -> assertThat(v.manifest().numClasses()).isEqualTo(2));

        for (int label = 0; label < 2; label++) {
          GenerationRequest request = new GenerationRequest("data-" + label, "shapes", "latest",
              2, 11L + label, label);
          client.send(new ProducerRecord<>(TOPICS.requests(), request.requestId(), request.toJson()))
              .block();
        }
        await("images of both labels written").atMost(Duration.ofSeconds(30))
            .until(() -> pipeline.status().imagesWritten() >= 4);
        for (int label = 0; label < 2; label++) {
          Path dir = out.resolve("shapes");
          int l = label;
          try (var files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().endsWith(".png"))
                .filter(p -> p.getParent().getFileName().toString().equals(Integer.toString(l))))
                .hasSize(2);
          }
        }
      }
    }
  }

  /** 20 gray 28x28 PNGs of a circle (or a square) of varying size and position. */
  private static void writeShapes(Path dir, boolean circles) throws Exception {
    Files.createDirectories(dir);
    for (int i = 0; i < 20; i++) {
      BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
      Graphics2D g = image.createGraphics();
      g.setColor(Color.WHITE);
      int size = 10 + i % 8;
      int x = 2 + i % 6;
      int y = 2 + (i * 3) % 6;
      if (circles) {
        g.fillOval(x, y, size, size);
      } else {
        g.fillRect(x, y, size, size);
      }
      g.dispose();
      ImageIO.write(image, "png", dir.resolve(String.format("%02d.png", i)).toFile());
    }
  }
}
