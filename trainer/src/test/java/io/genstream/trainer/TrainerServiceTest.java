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
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.LabelledImage;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.testing.OrtRun;
import io.genstream.trainer.testing.TestDigits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

/** The trainer against an in-process broker: images in, model versions and dead letters out. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerServiceTest {

  private static final Topics TOPICS = Topics.withPrefix("trainertest.");
  private static final ModelSpec TINY = ModelSpec.defaults(ModelSpec.Family.CGAN).with(Map.of(
      "generatorWidths", "16,8", "discriminatorWidths", "8,16", "batchSize", "16",
      "exportEvery", "5"));
  private static EmbeddedKafka kafka;
  private static TestDigits digits = new TestDigits(11, 28);

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
  @Order(1)
  void trainsPublishesVersionsAndDeadLettersBadRecords() throws Exception {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(images(100));
    ProducerRecord<String, byte[]> corrupt = new LabelledImage("corrupt", 3,
        Arrays.copyOf(Png.encode(new GrayImage(28, 28, new byte[784])), 30))
        .toRecord(TOPICS.images(), "test");
    ProducerRecord<String, byte[]> unlabelled = new LabelledImage("unlabelled", 4,
        Png.encode(new GrayImage(28, 28, digits.render(4)))).toRecord(TOPICS.images(), "test");
    unlabelled.headers().remove("ce_label");
    // A 33-byte PNG whose header claims 100000 x 100000 pixels (10 GB decoded).
    byte[] bombBytes = Arrays.copyOf(Png.encode(new GrayImage(28, 28, new byte[784])), 33);
    java.nio.ByteBuffer.wrap(bombBytes, 16, 8).putInt(100_000).putInt(100_000);
    ProducerRecord<String, byte[]> bomb =
        new LabelledImage("bomb", 1, bombBytes).toRecord(TOPICS.images(), "test");
    ProducerRecord<String, byte[]> result = new LabelledImage("result", 2,
        Png.encode(new GrayImage(28, 28, digits.render(2)))).toRecord(TOPICS.images(), "test");
    CloudEvents.header(result.headers(), "type", CloudEvents.TYPE_RESULT);
    ProducerRecord<String, byte[]> colour = new LabelledImage("colour", 5,
        new io.genstream.core.image.ImageTensor(3, 28, 28, colourPixels()).toPng())
        .toRecord(TOPICS.images(), "test");
    records.add(corrupt); // offset 100
    records.add(unlabelled); // offset 101
    records.add(bomb); // 102
    records.add(result); // 103
    records.add(colour); // 104
    records.addAll(images(100)); // offsets 105..204
    produce(records);
    List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    List<String> listenerThreads = new CopyOnWriteArrayList<>();

    // 200 good images, batch 16: 12 steps; versions at steps 5, 10 and 12 (the last step).
    TrainerOptions options = mechanics("digits").topics(TOPICS)
        .spec(TINY).samplesDir(samples).maxSteps(12).logEveryNSteps(4)
        .intraOpThreads(0).build();
    TrainerSummary summary;
    try (TrainerService service = new TrainerService(options, p -> {
      progress.add(p);
      listenerThreads.add(Thread.currentThread().getName());
    }).start()) {
      service.completion().block(Duration.ofSeconds(90));
      summary = service.summary();
    }

    assertThat(summary.steps()).isEqualTo(12);
    assertThat(summary.imagesTrained()).isEqualTo(192);
    assertThat(summary.versionsPublished()).isEqualTo(3);
    assertThat(summary.lastVersion()).isEqualTo(3);
    assertThat(summary.deadLettered()).isEqualTo(5);
    assertThat(summary.lastSampleGrid()).isEqualTo(samples.resolve("digits-v3.png"));
    GrayImage grid = Png.decode(Files.readAllBytes(summary.lastSampleGrid()));
    assertThat(grid.width()).isEqualTo(10 * (56 + 2) + 2);
    assertThat(grid.height()).isEqualTo(8 * (56 + 2) + 2);
    assertThat(progress).extracting(TrainingProgress::step)
        .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L);
    // Every step ran on the service's own training thread.
    assertThat(listenerThreads).allMatch(name -> name.startsWith("genstream-trainer-digits"));

    List<ConsumerRecord<String, byte[]>> models = readAll(TOPICS.models());
    assertThat(models).extracting(ConsumerRecord::key)
        .containsExactly("digits/1", "digits/2", "digits/3");
    for (ConsumerRecord<String, byte[]> record : models) {
      PublishedModel model = PublishedModel.fromRecord(record);
      ModelManifest manifest = model.manifest();
      assertThat(manifest.sha256()).isEqualTo(PublishedModel.sha256(record.value()));
      assertThat(manifest.family()).isEqualTo("cgan");
      assertThat(manifest.height()).isEqualTo(28);
      assertThat(manifest.numClasses()).isEqualTo(10);
      assertThat(manifest.metrics()).containsKeys("dLoss", "gLoss", "step", "imagesSeen",
          "dutyCycle");
      assertThat(manifest.specSha256()).isEqualTo(TINY.sha256());
      assertThat(manifest.spec()).containsEntry("family", "cgan").containsEntry("batchSize", 16);
    }
    assertThat(PublishedModel.fromRecord(models.get(2)).manifest().parentVersion()).isEqualTo(2);
    assertThat(PublishedModel.fromRecord(models.get(2)).manifest().metrics().get("step"))
        .isEqualTo(12.0);

    float[] output = OrtRun.run(models.get(2).value(), Map.of(
        "z", OrtRun.Input.of(new float[4 * 64], 4, 64),
        "label", OrtRun.Input.of(new long[] {0, 3, 7, 9}, 4))).get("image");
    assertThat(output).hasSize(4 * 28 * 28);
    for (float v : output) {
      assertThat(v).isBetween(-1f, 1f);
    }

    List<ConsumerRecord<String, byte[]>> dead = readAll(TOPICS.deadLetter());
    assertThat(dead).hasSize(5);
    assertThat(dead).extracting(ConsumerRecord::key)
        .containsExactly("corrupt", "unlabelled", "bomb", "result", "colour");
    assertThat(DeadLetter.reason(dead.get(0))).contains("PNG");
    assertThat(DeadLetter.reason(dead.get(1))).isEqualTo("missing header ce_label");
    assertThat(DeadLetter.reason(dead.get(2))).contains("PNG is 100000x100000, more than the");
    assertThat(DeadLetter.reason(dead.get(3)))
        .isEqualTo("ce_type must be genstream.image.v1 on the images topic, got 'genstream.result.v1'");
    assertThat(DeadLetter.reason(dead.get(4))).contains("colour image");
    assertThat(CloudEvents.attribute(dead.get(0).headers(), "originoffset")).hasValue("100");

    // With each version, the state to resume it from.
    List<ConsumerRecord<String, byte[]>> checkpoints = readAll(TOPICS.checkpoints());
    assertThat(checkpoints).extracting(ConsumerRecord::key).containsExactly("digits", "digits", "digits");
    TrainerCheckpoint last = TrainerCheckpoint.fromBytes(checkpoints.get(2).value());
    assertThat(last.version()).isEqualTo(3);
    assertThat(last.state().steps()).isEqualTo(12);
    assertThat(last.imagesSeen()).isEqualTo(192);

    List<ConsumerRecord<String, byte[]>> events = readAll(TOPICS.training());
    assertThat(events).hasSize(3);
    assertThat(new String(events.get(2).value())).contains("\"version\":3", "\"step\":12");
    assertThat(CloudEvents.attribute(events.get(2).headers(), "type"))
        .hasValue(CloudEvents.TYPE_TRAINING);

    // Everything trained on or dead-lettered is committed: offsets 0..196 (192 images + 5 bad).
    try (Admin admin = Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(options.groupId()).partitionsToOffsetAndMetadata().get();
        assertThat(committed.get(new TopicPartition(TOPICS.images(), 0)).offset()).isEqualTo(197);
      });
    }
  }

  @Test
  @Order(2)
  void restartResumesFromTheCheckpointContinuesNumberingAndDeadLettersOutOfRangeInput()
      throws Exception {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>(images(24));
    records.add(new LabelledImage("label12", 12,
        Png.encode(new GrayImage(28, 28, digits.render(2)))).toRecord(TOPICS.images(), "test"));
    records.add(new LabelledImage("size32", 2,
        Png.encode(new GrayImage(32, 32, new byte[32 * 32]))).toRecord(TOPICS.images(), "test"));
    produce(records);

    // 8 images left over from the first run + 24 new = 2 batches.
    TrainerOptions options = mechanics("digits").topics(TOPICS)
        .spec(TINY).samplesDir(samples).maxSteps(2).logEveryNSteps(50)
        .intraOpThreads(1).build();
    try (TrainerService service = new TrainerService(options).start()) {
      service.completion().block(Duration.ofSeconds(60));
      assertThat(service.summary().lastVersion()).isEqualTo(4);
    }

    List<ConsumerRecord<String, byte[]>> models = readAll(TOPICS.models());
    assertThat(models).extracting(ConsumerRecord::key).endsWith("digits/3", "digits/4");
    // Trained on from v3's weights (step 12, 192 images), two more steps of 16.
    ModelManifest resumed = PublishedModel.fromRecord(models.get(models.size() - 1)).manifest();
    assertThat(resumed.parentVersion()).isEqualTo(3);
    assertThat(resumed.metrics()).containsEntry("step", 14.0).containsEntry("imagesSeen", 224.0);
    List<ConsumerRecord<String, byte[]>> dead = readAll(TOPICS.deadLetter());
    assertThat(dead).extracting(DeadLetter::reason).contains(
        "label must be 0..9 for model digits, got 12",
        "image must be 28x28 for model digits, got 32x32");
  }

  @Test
  @Order(3)
  void closeWhileTrainingStopsTheTrainingThreadAndTheConsumer() {
    // A new model name is a new group: it reads the whole images topic and has no step limit.
    TrainerOptions options = mechanics("closing").topics(TOPICS)
        .spec(TINY.with(Map.of("exportEvery", "1000"))).samplesDir(samples).maxSteps(0).logEveryNSteps(50)
        .intraOpThreads(1).build();
    TrainerService service = new TrainerService(options).start();
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> service.summary().steps() >= 2);

    service.close();
    long stepsAtClose = service.summary().steps();

    assertThat(service.completion().block(Duration.ofSeconds(5))).isNull();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces()
        .keySet().stream().noneMatch(t -> t.isAlive()
            && (t.getName().startsWith("genstream-trainer-closing")
                || t.getName().startsWith("genstream-consumer-" + TOPICS.images()))));
    assertThat(service.summary().steps()).isEqualTo(stepsAtClose);
    service.close(); // idempotent
  }

  @Test
  @Order(4)
  void finishPublishesWhatWasTrainedSinceTheLastVersionAsTheNextVersion() {
    TrainerOptions options = mechanics("finishing").topics(TOPICS)
        .spec(TINY.with(Map.of("exportEvery", "1000"))).samplesDir(samples).maxSteps(0).logEveryNSteps(50)
        .intraOpThreads(1).build();
    TrainerService service = new TrainerService(options).start();
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> service.summary().steps() >= 2);

    service.finish();
    service.finish(); // idempotent

    TrainerSummary summary = service.summary();
    assertThat(summary.versionsPublished()).isEqualTo(1);
    assertThat(summary.lastVersion()).isEqualTo(1);
    List<PublishedModel> published = readAll(TOPICS.models()).stream()
        .filter(r -> r.key().startsWith("finishing/"))
        .map(PublishedModel::fromRecord)
        .toList();
    assertThat(published).hasSize(1);
    assertThat(published.get(0).manifest().version()).isEqualTo(1);
    assertThat(published.get(0).manifest().metrics().get("step")).isEqualTo((double) summary.steps());
  }

  @Test
  @Order(5)
  void exportingEveryStepGivesEveryVersionItsOwnNumber() {
    // Exports back to back: the next export is made while the previous one is still on its way
    // to the broker, which must not hand out the same version number twice.
    produce(images(160)); // with what earlier tests left, more than the 8 steps need
    TrainerOptions options = mechanics("everystep").topics(TOPICS)
        .spec(TINY.with(Map.of("exportEvery", "1"))).samplesDir(samples).maxSteps(8).logEveryNSteps(50)
        .intraOpThreads(1).build();
    try (TrainerService service = new TrainerService(options).start()) {
      service.completion().block(Duration.ofSeconds(60));
      // The limit, not the data, stops it.
      assertThat(service.summary().steps()).isEqualTo(8);
      assertThat(service.summary().versionsPublished()).isEqualTo(8);
      assertThat(service.summary().lastVersion()).isEqualTo(8);
    }
    List<Long> versions = readAll(TOPICS.models()).stream()
        .filter(r -> r.key().startsWith("everystep/"))
        .map(r -> PublishedModel.fromRecord(r).manifest().version())
        .toList();
    assertThat(versions).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
    // Each version carries the weights of the step it names, not of steps trained meanwhile.
    List<Double> steps = readAll(TOPICS.models()).stream()
        .filter(r -> r.key().startsWith("everystep/"))
        .map(r -> PublishedModel.fromRecord(r).manifest().metrics().get("step"))
        .toList();
    assertThat(steps).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0);
  }

  @Test
  @Order(6)
  void keepsTheNewestVersionsAndTombstonesTheRest() {
    produce(images(100));
    TrainerOptions options = mechanics("retained")
        .topics(TOPICS).spec(TINY.with(Map.of("exportEvery", "1"))).samplesDir(samples)
        .maxSteps(5).intraOpThreads(1).keepVersions(2).build();
    try (TrainerService service = new TrainerService(options).start()) {
      service.completion().block(Duration.ofSeconds(60));
      assertThat(service.summary().lastVersion()).isEqualTo(5);
    }
    Map<String, byte[]> latest = new java.util.HashMap<>();
    readAll(TOPICS.models()).stream().filter(r -> r.key().startsWith("retained/"))
        .forEach(r -> latest.put(r.key(), r.value()));
    assertThat(latest.keySet()).containsExactlyInAnyOrder(
        "retained/1", "retained/2", "retained/3", "retained/4", "retained/5");
    assertThat(latest.get("retained/1")).isNull();
    assertThat(latest.get("retained/2")).isNull();
    assertThat(latest.get("retained/3")).isNull();
    assertThat(latest.get("retained/4")).isNotNull();
    assertThat(latest.get("retained/5")).isNotNull();
  }

  @Test
  @Order(7)
  void trainsAnUnconditionalDcganWhoseGraphTakesOnlyLatents() throws Exception {
    produce(images(64));
    ModelSpec dcgan = ModelSpec.defaults(ModelSpec.Family.DCGAN).with(Map.of(
        "generatorWidths", "16,8", "discriminatorWidths", "8,16", "batchSize", "16",
        "exportEvery", "3"));
    TrainerOptions options = mechanics("plain")
        .topics(TOPICS).spec(dcgan).samplesDir(samples).maxSteps(3).intraOpThreads(1).build();
    try (TrainerService service = new TrainerService(options).start()) {
      service.completion().block(Duration.ofSeconds(60));
      assertThat(service.summary().lastMetrics()).containsKeys("dLoss", "gLoss");
    }
    PublishedModel model = readAll(TOPICS.models()).stream()
        .filter(r -> r.key().equals("plain/1")).map(PublishedModel::fromRecord)
        .findFirst().orElseThrow();
    assertThat(model.manifest().family()).isEqualTo("dcgan");
    assertThat(model.manifest().numClasses()).isZero();
    assertThat(model.manifest().inputs()).containsOnlyKeys("z");
    float[] images = OrtRun.run(model.onnx(),
        Map.of("z", OrtRun.Input.of(new float[2 * 64], 2, 64))).get("image");
    assertThat(images).hasSize(2 * 28 * 28);
  }

  @Test
  @Order(9)
  void trainsAColourModelOnRgbImagesAndSpreadsGrayOnesOverItsChannels() throws Exception {
    java.util.Random random = new java.util.Random(3);
    List<ProducerRecord<String, byte[]>> colour = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      byte[] chw = new byte[3 * 28 * 28];
      random.nextBytes(chw);
      colour.add(new LabelledImage("rgb-" + i, i % 10,
          new io.genstream.core.image.ImageTensor(3, 28, 28, chw).toPng())
          .toRecord(TOPICS.images(), "test"));
    }
    produce(colour);
    ModelSpec rgb = TINY.with(Map.of("channels", "3", "exportEvery", "2"));
    TrainerOptions options = mechanics("colour")
        .topics(TOPICS).spec(rgb).samplesDir(samples).maxSteps(2).intraOpThreads(1).build();
    try (TrainerService service = new TrainerService(options).start()) {
      service.completion().block(Duration.ofSeconds(60));
      assertThat(service.summary().steps()).isEqualTo(2);
    }
    PublishedModel model = readAll(TOPICS.models()).stream()
        .filter(r -> r.key().equals("colour/1")).map(PublishedModel::fromRecord)
        .findFirst().orElseThrow();
    assertThat(model.manifest().channels()).isEqualTo(3);
    float[] images = OrtRun.run(model.onnx(), Map.of(
        "z", OrtRun.Input.of(new float[64], 1, 64),
        "label", OrtRun.Input.of(new long[] {3}, 1))).get("image");
    assertThat(images).hasSize(3 * 28 * 28);
  }

  @Test
  @Order(8)
  void trainsAVaeAndPublishesItsEncoderBesideTheDecoder() throws Exception {
    produce(images(640));
    ModelSpec vae = ModelSpec.defaults(ModelSpec.Family.VAE).with(Map.of(
        "generatorWidths", "16,8", "discriminatorWidths", "8,16", "batchSize", "16",
        "exportEvery", "40"));
    List<TrainingProgress> progress = new CopyOnWriteArrayList<>();
    TrainerOptions options = mechanics("variational")
        .topics(TOPICS).spec(vae).samplesDir(samples).maxSteps(40).logEveryNSteps(5)
        .intraOpThreads(1).build();
    try (TrainerService service = new TrainerService(options, progress::add).start()) {
      service.completion().block(Duration.ofSeconds(90));
    }
    assertThat(progress).hasSize(40);
    assertThat(progress.get(39).metrics()).containsOnlyKeys("loss", "recon", "kl");
    assertThat(progress.get(39).metric("recon")).isLessThan(progress.get(0).metric("recon"));

    Map<String, ConsumerRecord<String, byte[]>> records = new java.util.HashMap<>();
    readAll(TOPICS.models()).forEach(r -> records.put(r.key(), r));
    PublishedModel decoder = PublishedModel.fromRecord(records.get("variational/1"));
    ConsumerRecord<String, byte[]> encoder = records.get("variational/1/encoder");
    assertThat(decoder.manifest().family()).isEqualTo("vae");
    assertThat(decoder.manifest().graphs()).containsOnlyKeys("encoder");
    assertThat(decoder.manifest().graphs().get("encoder").sha256())
        .isEqualTo(PublishedModel.sha256(encoder.value()));
    assertThat(CloudEvents.attribute(encoder.headers(), "graph")).hasValue("encoder");
    Map<String, float[]> posterior = OrtRun.run(encoder.value(),
        Map.of("image", OrtRun.Input.of(new float[2 * 784], 2, 1, 28, 28)));
    assertThat(posterior.get("mu")).hasSize(2 * 16);
    assertThat(posterior.get("logvar")).hasSize(2 * 16);
  }

  @Test
  @Order(20)
  void aVersionCarriesTheClassNamesItsDataGaveItsLabels() throws Exception {
    Topics named = Topics.withPrefix("named.");
    TopicSetup.ensure(kafka.bootstrapServers(), named, 1);
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    String[] names = {"circle", "square", "triangle"};
    for (int i = 0; i < 32; i++) {
      int label = i % 3;
      ProducerRecord<String, byte[]> record = new LabelledImage("shapes", label,
          Png.encode(new GrayImage(28, 28, digits.render(label)))).toRecord(named.images(), "t");
      CloudEvents.header(record.headers(), "labelname", names[label]);
      records.add(record);
    }
    produce(records);
    ModelSpec threeClasses = ModelSpec.defaults(ModelSpec.Family.CGAN).with(Map.of(
        "numClasses", "4", "generatorWidths", "16,8", "discriminatorWidths", "8,16",
        "batchSize", "16", "exportEvery", "2"));
    TrainerOptions options = mechanics("shapes")
        .topics(named).spec(threeClasses).samplesDir(samples).maxSteps(2).intraOpThreads(1)
        .build();
    try (TrainerService service = new TrainerService(options).start()) {
      service.completion().block(Duration.ofSeconds(60));
    }

    List<ConsumerRecord<String, byte[]>> versions = new ArrayList<>();
    TopicScan.readToEnd(kafka.bootstrapServers(), named.models(), Duration.ofSeconds(20),
        versions::add);
    ModelManifest manifest = PublishedModel.fromRecord(versions.get(0)).manifest();
    // Label 3 never came: its name is empty, and requests cannot name it.
    assertThat(manifest.labelNames()).containsExactly("circle", "square", "triangle", "");
    assertThat(manifest.labelOf("triangle")).isEqualTo(2);
    assertThat(ModelManifest.fromJson(manifest.toJson()).labelNames())
        .isEqualTo(manifest.labelNames());
  }

  private static List<ProducerRecord<String, byte[]>> images(int count) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int label = i % 10;
      byte[] png = Png.encode(new GrayImage(28, 28, digits.render(label)));
      records.add(new LabelledImage("test-" + i, label, png).toRecord(TOPICS.images(), "test"));
    }
    return records;
  }

  /** A 28x28 RGB image with a red tint: colour, not gray. */
  private static byte[] colourPixels() {
    byte[] chw = new byte[3 * 28 * 28];
    Arrays.fill(chw, 0, 28 * 28, (byte) 200);
    return chw;
  }

  private static void produce(List<ProducerRecord<String, byte[]>> records) {
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()))) {
      // One at a time keeps the offsets in list order.
      Flux.fromIterable(records).concatMap(sender::send).blockLast(Duration.ofSeconds(30));
    }
  }

  /**
   * Options for this class's tests of the pipeline's mechanics, whose exact counts of steps,
   * images and commits need every image to train fresh and in offset order: no shuffle buffer,
   * no replay, no held-out images (judging versions is {@link TrainerServiceEvaluationTest}'s,
   * shuffling {@link ImageFeedShuffleTest}'s).
   */
  private static TrainerOptions.Builder mechanics(String model) {
    return TrainerOptions.builder(kafka.bootstrapServers(), model)
        .shuffle(ShuffleOptions.off()).replay(ReplayOptions.off()).evaluation(null);
  }

  /**
   * Every record of {@code topic}, up to its current end; of the models topic only versions,
   * not the status records beside them.
   */
  private static List<ConsumerRecord<String, byte[]>> readAll(String topic) {
    List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
    TopicScan.readToEnd(kafka.bootstrapServers(), topic, Duration.ofSeconds(20), record -> {
      if (!ModelStatus.isStatusKey(record.key())) {
        records.add(record);
      }
    });
    return records;
  }
}
