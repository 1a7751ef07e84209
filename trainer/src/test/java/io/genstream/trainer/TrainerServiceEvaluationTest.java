package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.LabelledImage;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.evaluation.EvaluationOptions;
import io.genstream.trainer.evaluation.PixelSpread;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.promotion.PromotionRules;
import io.genstream.trainer.testing.TestDigits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** The trainer judging its own versions and replaying images, against an in-process broker. */
class TrainerServiceEvaluationTest {

  private static final Topics TOPICS = Topics.withPrefix("judgetest.");
  private static final ModelSpec TINY = ModelSpec.defaults(ModelSpec.Family.CGAN).with(Map.of(
      "generatorWidths", "16,8", "discriminatorWidths", "8,16", "batchSize", "16",
      "exportEvery", "5"));
  /** Small and quick: the evaluator freezes after 20 steps whatever its accuracy. */
  private static final EvaluationOptions QUICK =
      new EvaluationOptions(4, 100, 40, 10,
          new EvaluationOptions.Freeze(1.0, 5, 20, Duration.ZERO, 5, 5, 0.005));
  /**
   * An evaluator of 20 steps squeezes every set's spread (even real-looking data scores about
   * 0.25), so the collapse threshold is lowered for the mechanics; the real threshold is tested
   * with a trained evaluator in ImageEvaluationTest.
   */
  private static final PromotionRules LENIENT = new PromotionRules(null, 0.02, 0.05, 0.05);
  private static final TestDigits DIGITS = new TestDigits(21, 28);
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
  void judgesEveryVersionPublishesItsStatusAndKeepsBestThroughRetentionAndRestarts() {
    produce(images("judged", 700));
    TrainerOptions options = TrainerOptions.builder(kafka.bootstrapServers(), "judged")
        .topics(TOPICS).spec(TINY).samplesDir(samples).maxSteps(40).keepVersions(2)
        .evaluation(QUICK).promotion(LENIENT).build();
    TrainerSummary summary = train(options);

    Map<String, ConsumerRecord<String, byte[]>> models = latestByKey(TOPICS.models());
    ModelStatus status = ModelStatus.fromRecord(models.get("judged/status"));
    assertThat(status.metric()).isEqualTo("fd");
    assertThat(status.best()).isPositive();
    assertThat(status.bestValue()).isPositive();
    assertThat(summary.status()).isEqualTo(status);
    // Every version has a status; the first ones were exported before the evaluator froze.
    assertThat(status.versions().keySet()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    assertThat(status.reasonOf(1)).contains("not judged: no fd yet");
    // ... but already checked for collapse in pixel space, which needs no evaluator.
    assertThat(status.reasonOf(1)).contains("not collapsed: pixel spread");
    // Retention keeps the newest two and best, whatever its age.
    assertThat(models).containsKeys("judged/7", "judged/8", "judged/" + status.best());
    assertThat(models.keySet().stream().filter(key -> !ModelStatus.isStatusKey(key)))
        .hasSizeBetween(2, 3);

    ModelManifest last = PublishedModel.fromRecord(models.get("judged/8")).manifest();
    assertThat(last.metrics()).containsKeys("fd", "precision", "recall", "diversity",
        PixelSpread.MEAN, PixelSpread.WORST, PixelSpread.WORST_CLASS,
        "classConsistency", "evaluatorAccuracy", "baselineFd", "baselineClassConsistency",
        "baselineDiversity", "heldOutImages");
    assertThat(last.metrics().get("heldOutImages")).isBetween(40.0, 100.0);
    assertThat(summary.lastEvaluation()).containsKey("fd");

    List<String> events = new ArrayList<>();
    TopicScan.readToEnd(kafka.bootstrapServers(), TOPICS.training(), Duration.ofSeconds(20),
        record -> events.add(new String(record.value(), StandardCharsets.UTF_8)));
    assertThat(events).hasSize(8).allMatch(event -> event.contains("\"status\":"));
    assertThat(events.get(7)).contains("\"best\":" + status.best(), "\"fd\":");

    // A restart continues from the checkpoint with the same (frozen) evaluator, so it keeps
    // comparing with the best figure it had, and extends the same status.
    // The held-out images are not part of the checkpoint: a restart holds out anew, so it runs
    // long enough (15 steps, about 60 images held out of 240 read) to hold out minHeldOut (40)
    // whatever the consumer's read-ahead.
    produce(images("judged-more", 400));
    TrainerSummary resumed = train(TrainerOptions.builder(kafka.bootstrapServers(), "judged")
        .topics(TOPICS).spec(TINY).samplesDir(samples).maxSteps(15).keepVersions(2)
        .evaluation(QUICK).promotion(LENIENT).build());
    ModelStatus after = resumed.status();
    assertThat(after.versions().keySet()).contains(1L, 8L, 9L, 10L, 11L);
    assertThat(after.metric()).isEqualTo("fd");
    assertThat(after.bestValue()).isNotNull();
    assertThat(after.bestValue()).isLessThanOrEqualTo(status.bestValue());
    assertThat(after.statusOf(11)).isIn(ModelStatus.BEST, ModelStatus.CANDIDATE,
        ModelStatus.REJECTED);
    assertThat(after.reasonOf(11)).doesNotContain("not judged", "can compare");
  }

  @Test
  void judgesUnconditionalModelsWithTheRotationEvaluatorAndAVaeByItsReconstructions() {
    Topics topics = Topics.withPrefix("unlabelledtest.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    produce(images(topics, "unlabelled", 400));
    for (ModelSpec.Family family : List.of(ModelSpec.Family.DCGAN, ModelSpec.Family.VAE)) {
      String model = "plain-" + family.id();
      ModelSpec spec = ModelSpec.defaults(family).with(Map.of("generatorWidths", "16,8",
          "discriminatorWidths", "8,16", "batchSize", "16", "exportEvery", "25"));
      TrainerSummary summary = train(TrainerOptions.builder(kafka.bootstrapServers(), model)
          .topics(topics).spec(spec).samplesDir(samples).maxSteps(25).evaluation(QUICK)
          .promotion(LENIENT).build());

      Map<String, Double> figures = summary.lastEvaluation();
      assertThat(figures).as(model).containsKeys("fd", "precision", "recall", "diversity",
          "evaluatorAccuracy", "baselineFd").doesNotContainKey("classConsistency");
      // The rotation task has four answers: an evaluator of 20 steps is already above chance.
      assertThat(figures.get("evaluatorAccuracy")).as(model).isGreaterThan(0.25);
      if (family == ModelSpec.Family.VAE) {
        // Per-pixel squared error in [-1, 1] units: below what predicting 0 everywhere costs.
        assertThat(figures.get("reconstructionMse")).isBetween(0.0, 1.0);
      } else {
        assertThat(figures).doesNotContainKey("reconstructionMse");
      }
      assertThat(summary.status().statusOf(1)).isNotNull();
    }
  }

  @Test
  void keepsSteppingOnReplayedImagesWhenImagesTrickleIn() {
    // 30 images are less than two batches of 16: without replay one step would run and 14
    // images would wait; with replay (12 fresh + 4 replayed per step, 2 replay-only steps per
    // fresh batch) every image trains, within steps of its own batch wait.
    Topics topics = Topics.withPrefix("trickletest.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    produce(images(topics, "trickle", 30));
    TrainerOptions options = TrainerOptions.builder(kafka.bootstrapServers(), "trickle")
        .topics(topics).spec(TINY).samplesDir(samples).maxSteps(9).evaluation(null)
        .replay(new ReplayOptions(256, 0.25, 2, Duration.ofMillis(200))).build();
    TrainerSummary summary = train(options);

    assertThat(summary.steps()).isEqualTo(9);
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
          assertThat(admin.listConsumerGroupOffsets(options.groupId())
              .partitionsToOffsetAndMetadata().get()
              .get(new TopicPartition(topics.images(), 0)).offset()).isEqualTo(
                  30L));
    }
  }

  private static TrainerSummary train(TrainerOptions options) {
    try (TrainerService service = new TrainerService(options).start()) {
      service.completion().block(Duration.ofSeconds(120));
      return service.summary();
    }
  }

  /** The models topic as compaction will leave it: the latest record per key, no tombstones. */
  private static Map<String, ConsumerRecord<String, byte[]>> latestByKey(String topic) {
    Map<String, ConsumerRecord<String, byte[]>> latest = new HashMap<>();
    TopicScan.readToEnd(kafka.bootstrapServers(), topic, Duration.ofSeconds(20), record -> {
      if (record.value() == null) {
        latest.remove(record.key());
      } else {
        latest.put(record.key(), record);
      }
    });
    return latest;
  }

  private static List<ProducerRecord<String, byte[]>> images(String prefix, int count) {
    return images(TOPICS, prefix, count);
  }

  private static List<ProducerRecord<String, byte[]>> images(Topics topics, String prefix,
      int count) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int label = i % 10;
      byte[] png = Png.encode(new GrayImage(28, 28, DIGITS.render(label)));
      records.add(new LabelledImage(prefix + "-" + i, label, png)
          .toRecord(topics.images(), "test"));
    }
    return records;
  }

  private static void produce(List<ProducerRecord<String, byte[]>> records) {
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      Flux.fromIterable(records).concatMap(sender::send).blockLast(Duration.ofSeconds(60));
    }
  }
}
