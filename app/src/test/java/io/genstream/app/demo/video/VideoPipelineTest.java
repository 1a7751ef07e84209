package io.genstream.app.demo.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.video.PredictionScores;
import io.genstream.trainer.family.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The video pipeline on the in-process broker, wired exactly as {@code genstream demo --video}
 * wires it, with a tiny model: moving digits are filmed, a framepred version is trained and
 * published with held-out figures, the predictor publishes next frames that it judges online
 * next to copy-last-frame, and a strip per stream is written.
 */
class VideoPipelineTest {

  private static final ModelSpec TINY = VideoConfig.defaultSpec(3).with(Map.of(
      "generatorWidths", "8,8,8", "discriminatorWidths", "8,8,8", "contextFrames", "2",
      "batchSize", "8", "exportEvery", "50"));

  @TempDir Path out;

  @Test
  void framesInPredictedNextFramesOutJudgedAgainstCopyLast() throws Exception {
    Topics topics = Topics.defaults();
    try (EmbeddedKafka broker = EmbeddedKafka.start()) {
      TopicSetup.ensure(broker.bootstrapServers(), topics, 2);
      VideoConfig config = new VideoConfig(Duration.ofMinutes(1), out, 0, null, "clips", 3, 20,
          2, 1, TINY, 5, 3);
      try (VideoPipeline pipeline = VideoPipeline.start(broker.bootstrapServers(), topics,
          config)) {
        await("a version judged online on frames of every stream")
            .atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
            .until(() -> pipeline.status().predictor().streams().size() == 3
                && pipeline.status().predictor().framesScored() >= 30);

        PredictionScores scores = pipeline.status().predictor();
        PredictionScores.Scores judged = scores.versions().values().stream()
            .max(java.util.Comparator.comparingLong(PredictionScores.Scores::frames))
            .orElseThrow();
        assertThat(judged.copyLast().mse()).isPositive(); // the digits move
        assertThat(judged.mseVsCopyLast()).isFinite();
        assertThat(scores.deadLettered()).isZero();
        List<ModelRegistry.VersionInfo> versions = pipeline.versions();
        assertThat(versions).isNotEmpty();
        assertThat(versions.get(0).manifest().family()).isEqualTo("framepred");
        assertThat(versions.get(0).manifest().metrics())
            .containsKeys("mse", "copyLastMse", "heldoutClips");

        pipeline.stopFilming(); // the predictions topic falls quiet, and can be read to its end
        List<ConsumerRecord<String, byte[]>> predictions =
            TopicReader.read(broker.bootstrapServers(), topics.predictions(), 10);
        ConsumerRecord<String, byte[]> first = predictions.get(0);
        assertThat(first.key()).startsWith("digits-");
        assertThat(CloudEvents.attribute(first.headers(), "type"))
            .hasValue(CloudEvents.TYPE_PREDICTION);
        long frame = Long.parseLong(CloudEvents.attribute(first.headers(), "frame").orElseThrow());
        long basedOn =
            Long.parseLong(CloudEvents.attribute(first.headers(), "basedon").orElseThrow());
        assertThat(frame).isEqualTo(basedOn + 1);
        ImageTensor predicted = ImageTensor.fromPng(first.value(), 1);
        assertThat(predicted.width()).isEqualTo(32);

        Map<String, Path> strips = pipeline.writeStrips(out.resolve("video"));
        assertThat(strips).containsOnlyKeys("digits-0", "digits-1", "digits-2");
        ImageTensor strip = ImageTensor.fromPng(Files.readAllBytes(strips.get("digits-0")), 1);
        assertThat(strip.height()).isEqualTo(2 * (64 + VideoStrips.BORDER) + VideoStrips.BORDER);
      }
    }
  }
}
