package io.genstream.trainer.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.LabelledImage;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.ReplayOptions;
import io.genstream.trainer.TrainerOptions;
import io.genstream.trainer.TrainerOptions.DataBinding;
import io.genstream.trainer.TrainerSummary;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.testing.TestDigits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** Several models per process, each on its own data, shared between processes by lease. */
class TrainerFleetTest {

  private static final ModelSpec TINY = ModelSpec.defaults(ModelSpec.Family.CGAN).with(Map.of(
      "generatorWidths", "16,8", "discriminatorWidths", "8,16", "batchSize", "16",
      "exportEvery", "2"));
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final TestDigits DIGITS = new TestDigits(5, 28);
  private static EmbeddedKafka kafka;

  @TempDir static Path samples;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void trainsSeveralModelsOnOneTopicEachOnlyOnItsOwnDataset() {
    Topics topics = Topics.withPrefix("datasets.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    // Cars first: a model that took every record would name its labels 0 and 1 car and bus.
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    records.addAll(images(topics, "cars", List.of("car", "bus"), 48));
    records.addAll(images(topics, null, List.of("tree", "rock"), 16));
    records.addAll(images(topics, "pets", List.of("cat", "dog"), 48));
    produce(records);

    FleetOptions options = new FleetOptions(KafkaConnection.of(kafka.bootstrapServers()),
        List.of(model(topics, "pets", DataBinding.dataset("pets"), 2),
            model(topics, "cars", DataBinding.dataset("cars"), 2)),
        "datasets.leases", "datasets-trainers");
    try (TrainerFleet fleet = new TrainerFleet(options).start()) {
      Awaitility.await().atMost(WAIT).until(() -> latestVersions(topics).keySet()
          .containsAll(List.of("pets/1", "cars/1")));
      assertThat(fleet.training()).containsExactly("cars", "pets");
      assertThat(fleet.completion().toFuture()).isNotDone();
    }
    Map<String, ModelManifest> versions = latestVersions(topics);
    assertThat(versions.get("pets/1").labelNames()).startsWith("cat", "dog")
        .doesNotContain("car", "bus", "tree", "rock");
    assertThat(versions.get("cars/1").labelNames()).startsWith("car", "bus")
        .doesNotContain("cat", "dog", "tree", "rock");
  }

  @Test
  void twoProcessesSplitTheModelsAndTheSurvivorTakesOverWhenOneLeaves() {
    Topics topics = Topics.withPrefix("leases.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    produce(images(topics, null, List.of(), 64));
    FleetOptions options = new FleetOptions(KafkaConnection.of(kafka.bootstrapServers()),
        List.of(model(topics, "left", DataBinding.ALL, 0),
            model(topics, "right", DataBinding.ALL, 0)),
        "leases.leases", "leases-trainers");

    try (TrainerFleet first = new TrainerFleet(options).start()) {
      Awaitility.await().atMost(WAIT).until(() -> first.training().size() == 2);
      String kept;
      try (TrainerFleet second = new TrainerFleet(options).start()) {
        // One lease moves to the newcomer; the other model keeps training where it is.
        Awaitility.await().atMost(WAIT).until(() -> second.training().size() == 1);
        assertThat(first.training()).hasSize(1).doesNotContainAnyElementsOf(second.training());
        kept = first.training().iterator().next();
        String moved = second.training().iterator().next();
        // Each trains on: 4 steps on the first 64 images (the moved model resumed from what
        // the first process published when it let go), 2 on these.
        produce(images(topics, null, List.of(), 32));
        Awaitility.await().atMost(WAIT).untilAsserted(() -> {
          assertThat(first.summaries().get(kept).steps()).isEqualTo(6);
          assertThat(second.summaries().get(moved).steps()).isEqualTo(6);
          assertThat(second.summaries().get(moved).versionsPublished()).isPositive();
        });
        assertThat(first.completion().toFuture()).isNotDone();
        assertThat(second.completion().toFuture()).isNotDone();
        second.finish();
        assertThat(second.training()).isEmpty();
      }
      // The survivor takes the model back, resumes it from its last version, trains on.
      Awaitility.await().atMost(WAIT).until(() -> first.training().size() == 2);
      String other = first.training().stream().filter(name -> !name.equals(kept))
          .findFirst().orElseThrow();
      produce(images(topics, null, List.of(), 32));
      Awaitility.await().atMost(WAIT).untilAsserted(() -> {
        TrainerSummary resumed = first.summaries().get(other);
        assertThat(resumed.steps()).isEqualTo(8); // 6 before, then 2 on the new images
        assertThat(resumed.versionsPublished()).isPositive();
      });
      assertThat(first.completion().toFuture()).isNotDone();
    }
  }

  @Test
  void aModelThatFailsForGoodFailsTheFleet() throws Exception {
    // A models topic that refuses every version: publishing fails, and retrying cannot help.
    Topics topics = Topics.withPrefix("broken.");
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic(topics.models(), 1, (short) 1)
          .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "1000")))).all().get();
    }
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    produce(images(topics, null, List.of(), 32));
    FleetOptions options = new FleetOptions(KafkaConnection.of(kafka.bootstrapServers()),
        List.of(model(topics, "broken", DataBinding.ALL, 0)), "broken.leases", "broken-trainers");

    try (TrainerFleet fleet = new TrainerFleet(options).start()) {
      assertThatThrownBy(() -> fleet.completion().block(WAIT))
          .hasMessageContaining("model broken stopped");
    }
  }

  private static TrainerOptions model(Topics topics, String name, DataBinding data,
      long maxSteps) {
    return TrainerOptions.builder(kafka.bootstrapServers(), name).topics(topics).spec(TINY)
        .samplesDir(samples).maxSteps(maxSteps).evaluation(null).replay(ReplayOptions.off())
        .logEveryNSteps(1).data(data).build();
  }

  /** Each model version's manifest by key ({@code name/version}), status records aside. */
  private static Map<String, ModelManifest> latestVersions(Topics topics) {
    Map<String, ModelManifest> versions = new HashMap<>();
    TopicScan.readToEnd(kafka.bootstrapServers(), topics.models(), Duration.ofSeconds(20),
        record -> {
          if (record.value() != null && !ModelStatus.isStatusKey(record.key())) {
            versions.put(record.key(), PublishedModel.fromRecord(record).manifest());
          }
        });
    return versions;
  }

  /**
   * Digits 0 and 1 alternating, named by {@code labelNames} (none if empty), stamped with
   * {@code ce_dataset} unless it is null.
   */
  private static List<ProducerRecord<String, byte[]>> images(Topics topics, String dataset,
      List<String> labelNames, int count) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int label = i % 2;
      byte[] png = Png.encode(new GrayImage(28, 28, DIGITS.render(label)));
      ProducerRecord<String, byte[]> record =
          new LabelledImage(dataset + "-" + i, label, png).toRecord(topics.images(), "test");
      if (dataset != null) {
        CloudEvents.header(record.headers(), "dataset", dataset);
      }
      if (!labelNames.isEmpty()) {
        CloudEvents.header(record.headers(), "labelname", labelNames.get(label));
      }
      records.add(record);
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
