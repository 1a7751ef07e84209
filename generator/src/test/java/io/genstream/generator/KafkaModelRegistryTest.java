package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.internal.KafkaModelRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registry following a real models topic. */
class KafkaModelRegistryTest {

  private static final AtomicInteger testNumber = new AtomicInteger();
  private static EmbeddedKafka kafka;
  private static KafkaSender<String, byte[]> sender;

  private final AtomicInteger loads = new AtomicInteger();
  private final ModelLoader onnx = ModelLoader.onnxRuntime(1);
  private final ModelLoader countingLoader = new ModelLoader() {
    @Override
    public GenerativeModel load(PublishedModel model) {
      loads.incrementAndGet();
      return onnx.load(model);
    }

    @Override
    public ImageEncoder loadEncoder(ModelManifest manifest, byte[] graph) {
      return onnx.loadEncoder(manifest, graph);
    }
  };
  private Topics topics;
  private KafkaModelRegistry registry;

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
  void createTopics() {
    topics = Topics.withPrefix("reg" + testNumber.incrementAndGet() + ".");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
  }

  @AfterEach
  void closeRegistry() {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void catchesUpBeforeReadyAndLoadsOnlyTheNewestVersion() {
    for (long v = 1; v <= 4; v++) {
      publish(TinyGenerator.published(v, v));
    }

    start();

    assertThat(registry.versions()).isEqualTo(Map.of("digits", List.of(1L, 2L, 3L, 4L)));
    assertThat(loads).hasValue(1);
    try (ModelLease latest = registry.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(4);
    }
    try (ModelLease pinned = registry.acquire("digits", "2")) {
      assertThat(pinned.version()).isEqualTo(2);
      float[] image = pinned.model().generate(new float[] {1, 1, 1, 1}, new long[] {3}, 1);
      // Version 2 has scale 2: tanh(2 * 0.5 + 0.3).
      assertThat(image[0]).isCloseTo((float) Math.tanh(1.3), org.assertj.core.api.Assertions.within(1e-5f));
    }
    assertThat(loads).hasValue(2);
  }

  @Test
  void swapsInANewVersionLoadedBeforeItBecomesLatest() {
    publish(TinyGenerator.published(1, 1f));
    start();
    ModelLease inFlight = registry.acquire("digits", "latest");

    publish(TinyGenerator.published(2, 2f));

    // Loaded by the follower itself, before any request asks for it...
    await().atMost(Duration.ofSeconds(20)).until(() -> loads.get() == 2);
    // ...then it becomes latest without a second load: no request waits for one.
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      try (ModelLease lease = registry.acquire("digits", "latest")) {
        return lease.version() == 2;
      }
    });
    // The request that started on version 1 still runs on it.
    assertThat(inFlight.model().generate(new float[4], new long[] {0}, 1)).hasSize(16);
    inFlight.close();
    assertThat(loads).hasValue(2);
    assertThat(registry.openSessions("digits")).isLessThanOrEqualTo(2);
  }

  @Test
  void keepsTheBytesOfOnlyTheNewestVersionsAndServesTheNewest() {
    for (long v = 1; v <= 100; v++) {
      publish(TinyGenerator.published(v, 1f + v / 100f));
    }

    start();

    assertThat(registry.versions().get("digits")).hasSize(100);
    assertThat(registry.retainedVersions()).isEqualTo(RegistryOptions.DEFAULT_RETAINED_VERSIONS);
    assertThat(registry.retainedBytes())
        .isEqualTo((long) RegistryOptions.DEFAULT_RETAINED_VERSIONS * TinyGenerator.onnx(1f).length);
    try (ModelLease latest = registry.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(100);
      float[] image = latest.model().generate(new float[] {1, 1, 1, 1}, new long[] {3}, 1);
      assertThat(image).containsExactly(TinyGenerator.reference(new float[] {1, 1, 1, 1}, 0, 3, 2f),
          org.assertj.core.api.Assertions.within(1e-5f));
    }
    assertThatThrownBy(() -> registry.acquire("digits", "1"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessageContaining("is no longer retained");
  }

  @Test
  void aVersionThatFailedToLoadServesWithoutARestartOnceTheRuntimeRecovers() {
    AtomicInteger failuresLeft = new AtomicInteger(2);
    ModelLoader flaky = model -> {
      if (model.manifest().version() == 2 && failuresLeft.getAndDecrement() > 0) {
        throw new IllegalStateException("ONNX Runtime failed to load it: out of memory");
      }
      return countingLoader.load(model);
    };
    publish(TinyGenerator.published(1, 1f));
    start(RegistryOptions.DEFAULT_RETAINED_VERSIONS, flaky);

    publish(TinyGenerator.published(2, 2f)); // the follower's load fails: listed, not invalid

    await().atMost(Duration.ofSeconds(20)).until(() -> registry.versions().get("digits").size() == 2);
    assertThat(registry.invalidRecords()).isZero();
    // Requests retry after the back-off (1 s, then 2 s); meanwhile latest is version 1.
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
      try (ModelLease lease = registry.acquire("digits", "latest")) {
        return lease.version() == 2;
      }
    });
    assertThat(failuresLeft.get()).isNegative();
  }

  @Test
  void aTombstoneRemovesAVersion() {
    publish(TinyGenerator.published(1, 1f));
    publish(TinyGenerator.published(2, 2f));
    start();

    sender.send(new ProducerRecord<>(topics.models(), "digits/1", null)).block(Duration.ofSeconds(10));

    await().atMost(Duration.ofSeconds(20))
        .until(() -> registry.versions().equals(Map.of("digits", List.of(2L))));
  }

  @Test
  void startedAfterRetentionItListsAndLoadsOnlyTheKeptVersions() {
    // What the trainer's VersionRetention leaves with keep 3, version 2 pinned: versions 1..7
    // and graph records, then tombstones for 1, 3 (with its graph) and 4; another model untouched.
    for (long v = 1; v <= 7; v++) {
      publish(TinyGenerator.published(v, v));
      if (v == 3 || v == 6) {
        publishGraph("digits/" + v + "/encoder");
      }
      if (v <= 2) {
        publish(renamed(TinyGenerator.published(v, v), "other"));
      }
    }
    for (String key : List.of("digits/1", "digits/3/encoder", "digits/3", "digits/4")) {
      tombstone(key);
    }

    // Bytes retained for as many versions as the trainer keeps, pins included.
    start(4);

    assertThat(registry.versions())
        .isEqualTo(Map.of("digits", List.of(2L, 5L, 6L, 7L), "other", List.of(1L, 2L)));
    // Graph records and their tombstones are not invalid model records: they are skipped.
    assertThat(registry.invalidRecords()).isZero();
    // Only the newest of each model was loaded; the deleted ones never were.
    assertThat(loads).hasValue(2);
    assertThatThrownBy(() -> registry.acquire("digits", "3"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessageContaining("known versions: [2, 5, 6, 7]");
    try (ModelLease pinned = registry.acquire("digits", "2")) {
      assertThat(pinned.version()).isEqualTo(2);
    }
  }

  @Test
  void tombstonesOfVersionsItNeverSawOrLoadedAreHarmless() {
    publish(TinyGenerator.published(1, 1f));
    publish(TinyGenerator.published(2, 2f));
    tombstone("digits/9"); // compaction kept the tombstone, dropped the version
    tombstone("digits/9/encoder");
    start();
    assertThat(registry.versions()).isEqualTo(Map.of("digits", List.of(1L, 2L)));

    // While following: a version known but never loaded, one never seen, a graph key.
    tombstone("digits/1");
    tombstone("digits/8");
    tombstone("digits/2/encoder");
    publish(TinyGenerator.published(3, 3f)); // one partition: processed after the tombstones

    await().atMost(Duration.ofSeconds(20))
        .until(() -> registry.versions().equals(Map.of("digits", List.of(2L, 3L))));
    assertThat(registry.invalidRecords()).isZero();
    try (ModelLease latest = registry.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(3);
    }
  }

  // ---- encoder graphs ----

  @Test
  void anEncoderPublishedBeforeItsVersionIsKeptWithItAndServes() {
    publishVae(1, 1f); // as the trainer does: the encoder record, then the version's
    start();

    assertThat(registry.retainedGraphs()).isEqualTo(1);
    assertThat(registry.pendingGraphs()).isZero();
    assertEncodes(registry, "1", 1f);

    // Hot swap: the new version becomes latest with its encoder, never without.
    publishVae(2, 2f);
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      try (ModelLease lease = registry.acquire(TinyVae.NAME, "latest")) {
        if (lease.version() == 2) {
          assertThat(lease.encoder().manifest().version()).isEqualTo(2);
          return true;
        }
        return false;
      }
    });
    assertEncodes(registry, "latest", 2f);
    assertThat(registry.retainedGraphs()).isEqualTo(2);
    assertThat(registry.invalidRecords()).isZero();
  }

  @Test
  void keepsTheEncoderBytesOfOnlyTheNewestVersions() {
    int retained = 5;
    for (long v = 1; v <= 100; v++) {
      publishVae(v, 1f + v / 100f);
    }

    start(retained);

    long versionBytes = TinyGenerator.onnx(1f).length + TinyVae.encoderOnnx(1f).length;
    assertThat(registry.versions().get(TinyVae.NAME)).hasSize(100);
    assertThat(registry.retainedVersions()).isEqualTo(retained);
    assertThat(registry.retainedGraphs()).isEqualTo(retained);
    assertThat(registry.pendingGraphs()).isZero();
    assertThat(registry.retainedBytes()).isEqualTo(retained * versionBytes);
    assertEncodes(registry, "latest", 2f);
    assertEncodes(registry, "96", 1.96f);
    assertThatThrownBy(() -> registry.acquire(TinyVae.NAME, "95"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessageContaining("is no longer retained");

    // While following: each new version's encoder comes in, the oldest retained one goes out.
    for (long v = 101; v <= 110; v++) {
      publishVae(v, 1f + v / 100f);
    }
    await().atMost(Duration.ofSeconds(30))
        .until(() -> registry.versions().get(TinyVae.NAME).size() == 110);
    assertThat(registry.retainedGraphs()).isEqualTo(retained);
    assertThat(registry.retainedBytes()).isEqualTo(retained * versionBytes);
    assertEncodes(registry, "latest", 2.1f);
  }

  @Test
  void graphTombstonesRemoveTheEncoderBeforeTheVersionGoes() {
    publishVae(1, 1f);
    publishVae(2, 2f);
    // Read before its version, then deleted before the version arrived: never kept.
    sender.send(TinyVae.encoderRecord(TinyVae.published(3, 3f), 3f, topics.models()))
        .block(Duration.ofSeconds(10));
    tombstone(TinyVae.NAME + "/3/encoder");
    publish(TinyVae.published(3, 3f));
    start();
    assertThat(registry.retainedGraphs()).isEqualTo(2);
    assertThat(registry.pendingGraphs()).isZero();
    try (ModelLease lease = registry.acquire(TinyVae.NAME, "3")) {
      assertThatThrownBy(lease::encoder).isInstanceOf(UnknownModelException.class)
          .hasMessage("model 'digits-vae' version 3's encoder graph was not received: no valid "
              + "record digits-vae/3/encoder on the models topic");
    }
    ModelLease held = registry.acquire(TinyVae.NAME, "1");
    ImageEncoder heldEncoder = held.encoder();

    // As the trainer's retention deletes a version: its graphs first, then the version.
    tombstone(TinyVae.NAME + "/1/encoder");
    await().atMost(Duration.ofSeconds(20)).until(() -> registry.retainedGraphs() == 1);
    assertThatThrownBy(held::encoder).isInstanceOf(UnknownModelException.class)
        .hasMessage("model 'digits-vae' version 1's encoder graph was removed");
    tombstone(TinyVae.NAME + "/1");
    await().atMost(Duration.ofSeconds(20))
        .until(() -> registry.versions().get(TinyVae.NAME).equals(List.of(2L, 3L)));
    // The lease taken before the tombstones still runs on what it holds.
    assertThat(heldEncoder.encode(new float[16], new long[] {0}, 1).n()).isEqualTo(1);
    held.close();
    assertThat(registry.invalidRecords()).isZero();
  }

  @Test
  void anEncoderWhoseBytesDoNotMatchTheManifestIsAnInvalidRecordAndTheVersionServes() {
    PublishedModel model = TinyVae.published(1, 1f);
    sender.send(TinyVae.encoderRecord(model, 9f, topics.models())).block(Duration.ofSeconds(10));
    publish(model);
    start();

    assertThat(registry.invalidRecords()).isEqualTo(1);
    assertThat(registry.retainedGraphs()).isZero();
    try (ModelLease lease = registry.acquire(TinyVae.NAME, "latest")) {
      assertThat(lease.model().generate(new float[4], new long[] {0}, 1)).hasSize(16);
      assertThatThrownBy(lease::encoder).hasMessageContaining("encoder graph was not received");
    }

    // One arriving after its version is checked the same way.
    sender.send(TinyVae.encoderRecord(model, 9f, topics.models())).block(Duration.ofSeconds(10));
    sender.send(TinyVae.encoderRecord(model, 1f, topics.models())).block(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(20)).until(() -> registry.retainedGraphs() == 1);
    assertThat(registry.invalidRecords()).isEqualTo(2);
    assertEncodes(registry, "1", 1f);
  }

  @Test
  void isReadyAtOnceOnAnEmptyTopic() {
    start();

    assertThat(registry.versions()).isEmpty();
  }

  @Test
  void followsTheStatusRecordToServeBestAndItsTombstoneClearsIt() {
    publish(TinyGenerator.published(1, 1f));
    publish(TinyGenerator.published(2, 2f));
    ModelStatus first = promoted(ModelStatus.none("digits", "fd"), 1);
    publishStatus(first);
    start();

    assertThat(registry.invalidRecords()).isZero();
    assertThat(registry.status("digits")).isEqualTo(first);
    assertThat(bestVersion()).isEqualTo(1);

    publishStatus(promoted(first, 2));
    await().atMost(Duration.ofSeconds(20)).until(() -> bestVersion() == 2);

    tombstone(ModelStatus.key("digits"));
    await().atMost(Duration.ofSeconds(20)).until(() -> registry.status("digits") == null);
    assertThatThrownBy(() -> registry.acquire("digits", "best"))
        .isInstanceOf(ModelNotReadyException.class)
        .hasMessage("model 'digits' has no version promoted to 'best' yet (latest is v2, "
            + "not judged yet)");
    assertThat(registry.invalidRecords()).isZero();
  }

  @Test
  void aStatusPublishedBeforeItsModelAppliesOnceTheVersionArrives() {
    publishStatus(promoted(ModelStatus.none("digits", "fd"), 1));
    start();
    assertThat(registry.status("digits").best()).isEqualTo(1);

    publish(TinyGenerator.published(1, 1f));

    await().atMost(Duration.ofSeconds(20)).until(() -> registry.versions().containsKey("digits"));
    assertThat(bestVersion()).isEqualTo(1);
  }

  @Test
  void anInvalidStatusRecordIsSkippedAndTheRegistryKeepsFollowing() {
    publish(TinyGenerator.published(1, 1f));
    Headers headers = CloudEvents.headers(ModelStatus.TYPE, "test", "application/json");
    sender.send(new ProducerRecord<>(topics.models(), null, ModelStatus.key("digits"),
        "{not json".getBytes(java.nio.charset.StandardCharsets.UTF_8), headers))
        .block(Duration.ofSeconds(10));
    // A valid status of another model, under this model's key.
    ProducerRecord<String, byte[]> other = promoted(ModelStatus.none("other", "fd"), 1)
        .toRecord(topics.models(), "test");
    sender.send(new ProducerRecord<>(topics.models(), null, ModelStatus.key("digits"),
        other.value(), other.headers())).block(Duration.ofSeconds(10));
    start();

    assertThat(registry.invalidRecords()).isEqualTo(2);
    assertThat(registry.status("digits")).isNull();
    assertThat(registry.status("other")).isNull();

    publishStatus(promoted(ModelStatus.none("digits", "fd"), 1));
    publish(TinyGenerator.published(2, 2f));
    await().atMost(Duration.ofSeconds(20)).until(() -> latestVersion() == 2);
    assertThat(bestVersion()).isEqualTo(1);
    assertThat(registry.invalidRecords()).isEqualTo(2);
  }

  private long bestVersion() {
    try (ModelLease lease = registry.acquire("digits", "best")) {
      return lease.version();
    }
  }

  private long latestVersion() {
    try (ModelLease lease = registry.acquire("digits", "latest")) {
      return lease.version();
    }
  }

  private static ModelStatus promoted(ModelStatus status, long version) {
    return status.judged(version, new VersionStatus(ModelStatus.BEST, "fd " + version), 1.0);
  }

  private void publishStatus(ModelStatus status) {
    sender.send(status.toRecord(topics.models(), "test")).block(Duration.ofSeconds(10));
  }

  private void start() {
    start(RegistryOptions.DEFAULT_RETAINED_VERSIONS);
  }

  private void start(int retainedVersionsPerModel) {
    start(retainedVersionsPerModel, countingLoader);
  }

  private void start(int retainedVersionsPerModel, ModelLoader loader) {
    registry = new KafkaModelRegistry(new RegistryOptions(kafka.bootstrapServers(), topics.models(),
        2, Duration.ofSeconds(90), retainedVersionsPerModel), loader);
    registry.start();
    // Well below the 90 s catch-up timeout: ready came from reaching the end offsets.
    registry.ready().block(Duration.ofSeconds(45));
  }

  private void tombstone(String key) {
    sender.send(new ProducerRecord<>(topics.models(), key, null)).block(Duration.ofSeconds(10));
  }

  /** A graph record {@code <model>/<version>/<graph>}: ONNX bytes, no manifest. */
  private void publishGraph(String key) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_MODEL, "test", PublishedModel.CONTENT_TYPE);
    sender.send(new ProducerRecord<>(topics.models(), null, key, TinyGenerator.onnx(0.5f), headers))
        .block(Duration.ofSeconds(10));
  }

  private static PublishedModel renamed(PublishedModel model, String name) {
    ModelManifest m = model.manifest();
    return new PublishedModel(new ModelManifest(name, m.version(), m.parentVersion(), m.family(),
        m.channels(), m.height(), m.width(), m.latentDim(), m.numClasses(), m.inputs(),
        m.outputs(), m.sha256(), m.createdAtMillis(), m.metrics()), model.onnx());
  }

  /** A VAE version as the trainer publishes it: its encoder's record, then its own. */
  private void publishVae(long version, float scale) {
    PublishedModel model = TinyVae.published(version, scale);
    sender.send(TinyVae.encoderRecord(model, scale, topics.models())).block(Duration.ofSeconds(10));
    publish(model);
  }

  /** The leased version's encoder gives the reference's posterior for an image and label. */
  private static void assertEncodes(ModelRegistry registry, String version, float scale) {
    float[] image = new float[TinyGenerator.PIXELS];
    for (int p = 0; p < image.length; p++) {
      image[p] = (p % 7) / 3f - 1f;
    }
    try (ModelLease lease = registry.acquire(TinyVae.NAME, version)) {
      ImageEncoder.Encoded encoded = lease.encoder().encode(image, new long[] {4}, 1);
      assertThat(encoded.mean(0)).containsExactly(TinyVae.mean(image, 0, 4, scale),
          org.assertj.core.api.Assertions.within(1e-5f));
      assertThat(encoded.logVar(0)).containsExactly(TinyVae.logVar(image, 0),
          org.assertj.core.api.Assertions.within(1e-5f));
    }
  }

  private void publish(PublishedModel model) {
    sender.send(model.toRecord(topics.models(), "test")).block(Duration.ofSeconds(10));
  }
}
