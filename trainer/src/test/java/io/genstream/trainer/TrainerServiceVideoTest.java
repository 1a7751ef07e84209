package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.core.messages.VideoFrame;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.video.VideoOptions;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/**
 * The trainer of a {@code framepred} model against an in-process broker: frames of a few video
 * streams in, versions with held-out model vs copy-last-frame figures and dead letters out.
 */
class TrainerServiceVideoTest {

  private static final Topics TOPICS = Topics.withPrefix("videotrainertest.");
  private static final int SIZE = 16;
  private static final int SQUARE = 4;
  private static final ModelSpec SPEC = ModelSpec.defaults(ModelSpec.Family.FRAMEPRED).with(
      Map.of("imageSize", "16", "channels", "1", "contextFrames", "2", "generatorWidths", "16,16",
          "batchSize", "16", "exportEvery", "40"));
  private static EmbeddedKafka kafka;

  @TempDir static Path samples;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    TopicSetup.ensure(kafka.bootstrapServers(), TOPICS, 1);
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void trainsFramepredFromTheFramesTopicAndPublishesHeldOutMetricsBesideCopyLastFrame()
      throws Exception {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    // Three streams of a bright square bouncing at 2 px/frame, interleaved as cameras would be.
    int[][] motion = {{0, 4, 2, 2}, {8, 0, -2, 2}, {2, 10, 2, -2}};
    for (int t = 0; t < 60; t++) {
      for (int s = 0; s < motion.length; s++) {
        records.add(frame("cam-" + s, t, square(motion[s], t)));
      }
      if (t == 20) {
        // Truncated PNG, a frame of the wrong size, and a duplicate (skipped, not dead-lettered).
        records.add(new VideoFrame("cam-0", 21, Instant.EPOCH,
            Arrays.copyOf(square(motion[0], 21).toPng(), 30)).toRecord(TOPICS.frames(), "test"));
        records.add(new VideoFrame("cam-1", 21, Instant.EPOCH,
            new ImageTensor(1, 32, 32, new byte[32 * 32]).toPng()).toRecord(TOPICS.frames(), "test"));
        records.add(frame("cam-2", 20, square(motion[2], 20)));
      }
    }
    produce(records);

    TrainerOptions options = TrainerOptions.builder(kafka.bootstrapServers(), "bouncing")
        .topics(TOPICS).spec(SPEC).samplesDir(samples).logEveryNSteps(20)
        .intraOpThreads(1)
        .video(new VideoOptions(64, 5, 24, 256, Duration.ofMillis(50), 8, 4))
        .build();
    assertThat(options.inputTopic()).isEqualTo(TOPICS.frames());
    TrainerSummary summary;
    TrainerService service = new TrainerService(options).start();
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      // Replay keeps it stepping past the ~140 fresh training clips (about 10 batches, each
      // followed by 8 replay-only steps, so about 90 steps). No frame
      // holds up the commits: every record is trained on, held out, skipped or dead-lettered,
      // and committed while the trainer runs.
      Awaitility.await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
        assertThat(service.summary().steps()).isGreaterThanOrEqualTo(80);
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(options.groupId()).partitionsToOffsetAndMetadata().get();
        assertThat(committed.get(new TopicPartition(TOPICS.frames(), 0)))
            .extracting(OffsetAndMetadata::offset).isEqualTo((long) records.size());
      });
    } finally {
      service.finish(); // publishes the steps since the last version
    }
    summary = service.summary();
    assertThat(summary.deadLettered()).isEqualTo(2);

    List<ConsumerRecord<String, byte[]>> models = readAll(TOPICS.models());
    models.removeIf(record -> record.value() == null); // retention's tombstones
    // Versions are judged against copying the last frame; the first judged one is best.
    ModelStatus status = ModelStatus.fromRecord(models.stream()
        .filter(record -> ModelStatus.isStatusKey(record.key()))
        .reduce((first, second) -> second).orElseThrow());
    assertThat(status.metric()).isEqualTo("mseVsCopyLast");
    assertThat(status.best()).isPositive();
    assertThat(summary.status()).isEqualTo(status);
    models.removeIf(record -> ModelStatus.isStatusKey(record.key()));
    assertThat(models).hasSizeGreaterThanOrEqualTo(2);
    List<Map<String, Double>> metrics = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : models) {
      ModelManifest manifest = PublishedModel.fromRecord(record).manifest();
      assertThat(manifest.family()).isEqualTo("framepred");
      assertThat(manifest.inputs()).containsOnlyKeys("frames");
      metrics.add(manifest.metrics());
      Map<String, Double> m = manifest.metrics();
      assertThat(m).containsKeys("loss", "l2", "gdl", "heldoutClips", "mse", "psnr", "ssim",
          "copyLastMse", "copyLastPsnr", "copyLastSsim", "mseVsCopyLast");
      // 60 frames × 3 streams give ~174 clips, one in five held out; the newest 24 are kept.
      assertThat(m.get("heldoutClips")).isBetween(1.0, 24.0);
      assertThat(m.get("mse")).isBetween(0.0, 1.0);
      assertThat(m.get("ssim")).isBetween(-1.0, 1.0);
      // A 4×4 square moved 2 px: copy-last misses 2 · 8 of 256 pixels by a full step (MSE ≈ 0.06).
      assertThat(m.get("copyLastMse")).isBetween(0.03, 0.1);
      assertThat(m.get("copyLastPsnr")).isEqualTo(10 * Math.log10(1 / m.get("copyLastMse")),
          org.assertj.core.data.Offset.offset(1e-9));
      assertThat(m.get("mseVsCopyLast")).isEqualTo(m.get("mse") / m.get("copyLastMse"),
          org.assertj.core.data.Offset.offset(1e-9));
    }
    Map<String, Double> last = metrics.get(metrics.size() - 1);
    System.out.printf("framepred over the broker: mse/copy-last %.3f at step 40, %.3f at step "
        + "%.0f%n", metrics.get(0).get("mseVsCopyLast"), last.get("mseVsCopyLast"),
        last.get("step"));
    // After 80 steps or more the model beats repeating the last frame on clips it never
    // trained on (0.12 to 0.19 at step 80 in runs here).
    assertThat(last.get("step")).isGreaterThanOrEqualTo(80.0);
    assertThat(last.get("heldoutClips")).isEqualTo(24.0);
    assertThat(last.get("mseVsCopyLast")).isLessThan(0.8);

    // The same figures on the training event.
    List<ConsumerRecord<String, byte[]>> events = readAll(TOPICS.training());
    assertThat(new String(events.get(events.size() - 1).value()))
        .contains("\"evaluation\":{\"heldoutClips\":24.0", "\"copyLastMse\"");

    // The sample image is a rollout strip: 8 held-out clips, 2 context + 4 rolled-out frames.
    BufferedImage strip = ImageIO.read(summary.lastSampleGrid().toFile());
    assertThat(strip.getWidth()).isEqualTo(6 * (2 * SIZE + 2) + 2);
    assertThat(strip.getHeight()).isEqualTo(8 * (2 * SIZE + 2) + 2);

    List<ConsumerRecord<String, byte[]>> dead = readAll(TOPICS.deadLetter());
    assertThat(dead).hasSize(2);
    assertThat(DeadLetter.reason(dead.get(0))).contains("PNG");
    assertThat(DeadLetter.reason(dead.get(1)))
        .isEqualTo("frame must be 16x16 for model bouncing, got 32x32");

    // A restart resumes from the last version's checkpoint and trains on the frames that follow.
    ModelManifest published = PublishedModel.fromRecord(models.get(models.size() - 1)).manifest();
    List<ProducerRecord<String, byte[]>> more = new ArrayList<>();
    for (int t = 60; t < 80; t++) {
      for (int s = 0; s < motion.length; s++) {
        more.add(frame("cam-" + s, t, square(motion[s], t)));
      }
    }
    produce(more);
    TrainerOptions restart = TrainerOptions.builder(kafka.bootstrapServers(), "bouncing")
        .topics(TOPICS).spec(SPEC).samplesDir(samples).maxSteps(3).intraOpThreads(1)
        .video(options.video()).build();
    try (TrainerService resumed = new TrainerService(restart).start()) {
      resumed.completion().block(Duration.ofSeconds(60));
      assertThat(resumed.summary().steps()).isEqualTo(summary.steps() + 3);
    }
    ModelManifest next = PublishedModel.fromRecord(readAll(TOPICS.models()).stream()
        .filter(r -> r.value() != null && !ModelStatus.isStatusKey(r.key()))
        .reduce((first, second) -> second).orElseThrow())
        .manifest();
    assertThat(next.version()).isEqualTo(published.version() + 1);
    assertThat(next.parentVersion()).isEqualTo(published.version());
    assertThat(next.metrics().get("step")).isEqualTo(summary.steps() + 3.0);
  }

  /** Frame {@code t} of a square starting at (x, y) with velocity (vx, vy), bouncing off the edges. */
  private static ImageTensor square(int[] m, int t) {
    int x = bounce(m[0], m[2], t);
    int y = bounce(m[1], m[3], t);
    byte[] pixels = new byte[SIZE * SIZE];
    for (int dy = 0; dy < SQUARE; dy++) {
      for (int dx = 0; dx < SQUARE; dx++) {
        pixels[(y + dy) * SIZE + x + dx] = (byte) 255;
      }
    }
    return new ImageTensor(1, SIZE, SIZE, pixels);
  }

  private static int bounce(int start, int velocity, int t) {
    int max = SIZE - SQUARE;
    int p = Math.floorMod(start + velocity * t, 2 * max);
    return p <= max ? p : 2 * max - p;
  }

  private static ProducerRecord<String, byte[]> frame(String stream, long index,
      ImageTensor image) {
    return new VideoFrame(stream, index, Instant.ofEpochMilli(index * 100), image.toPng())
        .toRecord(TOPICS.frames(), "test");
  }

  private static void produce(List<ProducerRecord<String, byte[]>> records) {
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      Flux.fromIterable(records).concatMap(sender::send).blockLast(Duration.ofSeconds(30));
    }
  }

  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    TopicScan.readToEnd(kafka.bootstrapServers(), topic, Duration.ofSeconds(20), records::add);
    return records;
  }
}
