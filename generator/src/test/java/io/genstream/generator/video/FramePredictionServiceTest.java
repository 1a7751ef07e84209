package io.genstream.generator.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.image.FrameMetrics;
import io.genstream.core.image.FrameScores;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.Json;
import io.genstream.core.messages.PublishedModel;
import io.genstream.core.messages.VideoFrame;
import io.genstream.core.messages.ModelManifest;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.TinyFramePredictor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The prediction service against a real in-process broker; each test has its own topics. */
class FramePredictionServiceTest {

  private static final AtomicInteger testNumber = new AtomicInteger();
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");
  private static EmbeddedKafka kafka;
  private static KafkaSender<String, byte[]> sender;

  private Topics topics;
  private final List<FramePredictionService> services = new ArrayList<>();

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
    topics = Topics.withPrefix("video" + testNumber.incrementAndGet() + ".");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
  }

  @AfterEach
  void stopServices() {
    services.forEach(FramePredictionService::close);
  }

  @Test
  void predictsTheNextFrameOfEveryStreamInOrderWithItsAttributes() {
    publish(TinyFramePredictor.published(1, 1f));
    FramePredictionService service = start(b -> b);
    for (int t = 0; t < 5; t++) {
      frame("cam-a", 0, t);
      frame("cam-b", 60, t);
    }

    List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 8);
    assertThat(predictions).hasSize(8);
    for (String stream : List.of("cam-a", "cam-b")) {
      List<ConsumerRecord<String, byte[]>> ofStream = predictions.stream()
          .filter(r -> r.key().equals(stream)).toList();
      // k = 2: frame 1 is the first with context; in order within the stream.
      assertThat(ofStream).extracting(r -> attr(r, "basedon")).containsExactly("1", "2", "3", "4");
      assertThat(ofStream).extracting(r -> attr(r, "frame")).containsExactly("2", "3", "4", "5");
      for (ConsumerRecord<String, byte[]> r : ofStream) {
        long based = Long.parseLong(attr(r, "basedon"));
        int offset = stream.equals("cam-a") ? 0 : 60;
        assertThat(attr(r, "type")).isEqualTo(CloudEvents.TYPE_PREDICTION);
        assertThat(attr(r, "streamid")).isEqualTo(stream);
        assertThat(attr(r, "step")).isEqualTo("1");
        assertThat(attr(r, "model")).isEqualTo(TinyFramePredictor.NAME);
        assertThat(attr(r, "modelversion")).isEqualTo("1");
        assertThat(attr(r, "capturetime")).isEqualTo(T0.plusMillis(40 * based).toString());
        // The graph extrapolates the ramp, so its prediction is the real next frame.
        ImageTensor expected = TinyFramePredictor.reference(TinyFramePredictor.frame(offset,
            based - 1), TinyFramePredictor.frame(offset, based), 1f);
        assertThat(ImageTensor.fromPng(r.value(), 1).chw()).isEqualTo(expected.chw())
            .isEqualTo(TinyFramePredictor.frame(offset, based + 1).chw());
      }
    }
    await().untilAsserted(() -> assertThat(service.scores().predictions()).isEqualTo(8));
  }

  @Test
  void timesEveryBatchItsPublishingAndTheAgeOfEachFrame() {
    publish(TinyFramePredictor.published(1, 1f));
    var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    start(b -> b, new PredictionListener() {}, new ArrayList<>(), meters);
    for (int t = 0; t < 4; t++) { // captured now: the record's timestamp is the capture time
      send(new VideoFrame("timed", t, java.time.Instant.now(),
          TinyFramePredictor.frame(0, t).toPng()).toRecord(topics.frames(), "test"));
    }

    assertThat(read(topics.predictions(), 3)).hasSize(3);
    await().untilAsserted(() -> {
      assertThat(meters.get("genstream.predictor.frame.age").timer().count()).isEqualTo(4);
      assertThat(meters.get("genstream.predictor.batch.frames").summary().totalAmount())
          .isEqualTo(4);
    });
    assertThat(meters.get("genstream.predictor.batch").timer().count()).isPositive();
    assertThat(meters.get("genstream.predictor.publish").timer().count()).isPositive();
    // Captured moments ago: seconds at most from capture to prediction, never negative.
    assertThat(meters.get("genstream.predictor.frame.age").timer()
        .max(java.util.concurrent.TimeUnit.SECONDS)).isBetween(0.0, 30.0);
  }

  @Test
  void rollsOutTheHorizonAutoregressively() {
    publish(TinyFramePredictor.published(1, 1f));
    start(b -> b.horizon(3));
    frame("a", 0, 0);
    frame("a", 0, 1);

    List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 3);
    assertThat(predictions).extracting(r -> attr(r, "step")).containsExactly("1", "2", "3");
    assertThat(predictions).extracting(r -> attr(r, "frame")).containsExactly("2", "3", "4");
    assertThat(predictions).extracting(r -> attr(r, "basedon")).containsOnly("1");
    for (int i = 0; i < 3; i++) {
      assertThat(ImageTensor.fromPng(predictions.get(i).value(), 1).chw())
          .isEqualTo(TinyFramePredictor.frame(0, 2 + i).chw());
    }
  }

  @Test
  void scoresEveryStepOfARolloutBesideCopyLastOfTheFrameItStartedFrom() {
    publish(TinyFramePredictor.published(1, 0.5f));
    FramePredictionService service = start(b -> b.horizon(3));
    int frames = 12;
    for (int t = 0; t < frames; t++) {
      frame("a", 0, t);
    }
    // Frames 1..11 each start a rollout of 3: 33 predictions.
    List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 3 * (frames - 1));
    await().untilAsserted(() -> assertThat(service.scores().framesIn()).isEqualTo(frames));

    // Offline: step 1 of every rollout, every step of the rollouts from frames 3, 6 and 9
    // (every horizon-th frame), each judged once its frame came (index < frames).
    Map<Integer, FrameScores> model = new HashMap<>();
    Map<Integer, FrameScores> copy = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : predictions) {
      int step = Integer.parseInt(attr(r, "step"));
      long base = Long.parseLong(attr(r, "basedon"));
      long predicted = Long.parseLong(attr(r, "frame"));
      if (predicted >= frames || (step > 1 && base % 3 != 0)) {
        continue;
      }
      ImageTensor actual = TinyFramePredictor.frame(0, predicted);
      model.merge(step, FrameScores.NONE.plus(FrameMetrics.score(
          ImageTensor.fromPng(r.value(), 1), actual)), FrameScores::plus);
      copy.merge(step, FrameScores.NONE.plus(FrameMetrics.score(
          TinyFramePredictor.frame(0, base), actual)), FrameScores::plus);
    }
    Map<Integer, PredictionScores.Scores> online = service.scores().steps().get(1L);
    assertThat(online).containsOnlyKeys(1, 2, 3);
    for (int step = 1; step <= 3; step++) {
      assertClose(online.get(step).model(), model.get(step));
      assertClose(online.get(step).copyLast(), copy.get(step));
    }
    assertThat(online.get(1).frames()).isEqualTo(frames - 2);
    assertThat(online.get(3).frames()).isEqualTo(2); // from frames 6 and 9; 12 never came
    // Step 1 is also what the version's and the stream's next-frame scores are.
    assertClose(service.scores().versions().get(1L).model(), model.get(1));
    assertClose(service.scores().streams().get("a").model(), model.get(1));
    // A further step drifts further from the truth, and so does copy-last.
    assertThat(online.get(3).model().mse()).isGreaterThan(online.get(1).model().mse());
    assertThat(online.get(3).copyLast().mse()).isGreaterThan(online.get(1).copyLast().mse());

    service.close();
    List<ConsumerRecord<String, byte[]>> events = read(topics.training(), 1);
    JsonNode body = Json.read(new String(events.get(events.size() - 1).value(),
        StandardCharsets.UTF_8), JsonNode.class);
    JsonNode steps = body.get("versions").get(0).get("steps");
    assertThat(steps).hasSize(3);
    assertThat(steps.get(2).get("step").asInt()).isEqualTo(3);
    assertThat(steps.get(2).get("frames").asLong()).isEqualTo(2);
    assertThat(steps.get(2).get("mseVsCopyLast").asDouble()).isCloseTo(
        model.get(3).mse() / copy.get(3).mse(), within(1e-9));
  }

  @Test
  void aStreamHoldsAtMostAHorizonAndOnePendingPredictions() {
    publish(TinyFramePredictor.published(1, 1f));
    FramePredictionService service = start(b -> b.horizon(16));
    List<Long> held = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < 40; t++) {
      for (int s = 0; s < 2; s++) {
        frame("s" + s, 10 * s, t);
      }
      int sent = 2 * (t + 1);
      await().untilAsserted(() -> assertThat(service.scores().framesIn()).isEqualTo(sent));
      held.add(service.scores().pendingPredictions());
    }
    // Without sampling a stream would hold 16 + 15 + ... = 136 after 16 frames.
    assertThat(held).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(2 * 17));
    assertThat(held.get(held.size() - 1)).isPositive();
    assertThat(service.scores().latestSteps()).containsKey(16);
  }

  @Test
  void aFrameMayAskForItsOwnHorizon() {
    publish(TinyFramePredictor.published(1, 1f));
    start(b -> b.horizon(1));
    for (int t = 0; t < 2; t++) {
      send(new VideoFrame("far", t, T0.plusMillis(40 * t), TinyFramePredictor.frame(0, t).toPng())
          .withHorizon(3).toRecord(topics.frames(), "test"));
      frame("near", 20, t);
    }
    ProducerRecord<String, byte[]> tooFar = new VideoFrame("bad", 0, T0,
        TinyFramePredictor.frame(0, 0).toPng()).toRecord(topics.frames(), "test");
    CloudEvents.header(tooFar.headers(), "horizon", 17);
    send(tooFar);

    List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 4);
    assertThat(predictions).extracting(r -> r.key() + "@" + attr(r, "step"))
        .containsExactlyInAnyOrder("far@1", "far@2", "far@3", "near@1");
    List<ConsumerRecord<String, byte[]>> deadLetters = read(topics.deadLetter(), 1);
    assertThat(deadLetters).hasSize(1);
    assertThat(DeadLetter.reason(deadLetters.get(0))).contains("ce_horizon must be 1..16, got 17");
  }

  @Test
  void predictionsAreReproducibleForTheSameVersionAndFrames() {
    publish(TinyFramePredictor.published(1, 0.7f));
    for (int t = 0; t < 6; t++) {
      frame("a", 0, t);
      frame("b", 30, t);
    }
    FramePredictionService first = start(b -> b.groupId("first"));
    // 6 frames, k = 2: predictions based on frames 1..5 of each stream.
    assertThat(read(topics.predictions(), 10)).hasSize(10);
    first.close();
    start(b -> b.groupId("second"));

    List<ConsumerRecord<String, byte[]>> all = read(topics.predictions(), 20);
    assertThat(all).hasSize(20);
    Map<String, byte[]> firstRun = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : all.subList(0, 10)) {
      firstRun.put(r.key() + "/" + attr(r, "frame"), r.value());
    }
    assertThat(firstRun).hasSize(10);
    for (ConsumerRecord<String, byte[]> r : all.subList(10, 20)) {
      assertThat(r.value()).isEqualTo(firstRun.get(r.key() + "/" + attr(r, "frame")));
    }
    // 0.7 does not continue the ramp exactly: the bytes compared are the model's own.
    assertThat(ImageTensor.fromPng(all.get(0).value(), 1).chw())
        .isNotEqualTo(TinyFramePredictor.frame(0, 2).chw());
  }

  @Test
  void duplicatesAreSkippedAndAGapRestartsTheWindowWithoutPredictingAcrossIt() {
    publish(TinyFramePredictor.published(1, 1f));
    FramePredictionService service = start(b -> b);
    for (long t : new long[] {0, 1, 2, 2, 1, 5, 6, 7}) {
      frame("a", 0, t);
    }

    List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 4);
    assertThat(predictions).extracting(r -> attr(r, "basedon")).containsExactly("1", "2", "6", "7");
    await().untilAsserted(() -> {
      PredictionScores scores = service.scores();
      assertThat(scores.framesIn()).isEqualTo(8);
      assertThat(scores.duplicates()).isEqualTo(2);
      assertThat(scores.gaps()).isEqualTo(1);
      // Frame 2 (predicted from 1) and 7 (from 6); never 5, which followed the gap.
      assertThat(scores.framesScored()).isEqualTo(2);
    });
    assertThat(read(topics.deadLetter(), 0)).isEmpty();
  }

  @Test
  void badFramesAreDeadLetteredWithTheirReasonWhileValidFramesArePredicted() {
    publish(TinyFramePredictor.published(1, 1f));
    FramePredictionService service = start(b -> b);
    frame("good", 0, 0);
    send(new VideoFrame("bad", 0, T0, "not a png".getBytes(StandardCharsets.UTF_8))
        .toRecord(topics.frames(), "test"));
    frame("good", 0, 1);
    send(new VideoFrame("big", 0, T0, new ImageTensor(1, 16, 16, new byte[256]).toPng())
        .toRecord(topics.frames(), "test"));
    ProducerRecord<String, byte[]> noIndex = new ProducerRecord<>(topics.frames(), "x",
        TinyFramePredictor.frame(0, 0).toPng());
    send(noIndex);
    ProducerRecord<String, byte[]> wrongType =
        new VideoFrame("y", 0, T0, TinyFramePredictor.frame(0, 0).toPng())
            .toRecord(topics.frames(), "test");
    wrongType.headers().remove("ce_type");
    CloudEvents.header(wrongType.headers(), "type", CloudEvents.TYPE_IMAGE);
    send(wrongType);
    frame("good", 0, 2);

    List<ConsumerRecord<String, byte[]>> dead = read(topics.deadLetter(), 4);
    assertThat(dead).extracting(DeadLetter::reason).satisfiesExactly(
        reason -> assertThat(reason).containsIgnoringCase("png"),
        reason -> assertThat(reason).contains("frame is 1x16x16 (channels x height x width), "
            + "model 'clips' version 1 takes 1x8x8"),
        reason -> assertThat(reason).contains("frame"),
        reason -> assertThat(reason).contains("ce_type must be genstream.frame.v1"));
    assertThat(read(topics.predictions(), 2)).extracting(r -> attr(r, "basedon"))
        .containsExactly("1", "2");
    await().untilAsserted(() -> assertThat(service.scores().deadLettered()).isEqualTo(4));
  }

  @Test
  void aNewServiceWarmsUpFromTheNextKFramesAfterARestart() {
    publish(TinyFramePredictor.published(1, 1f));
    FramePredictionService first = start(b -> b);
    for (int t = 0; t < 4; t++) {
      frame("a", 0, t);
    }
    assertThat(read(topics.predictions(), 3)).hasSize(3);
    first.close();
    for (int t = 4; t < 7; t++) {
      frame("a", 0, t);
    }
    start(b -> b);

    List<ConsumerRecord<String, byte[]>> all = read(topics.predictions(), 5);
    // Frame 4 only starts the new window; 5 completes its k = 2 frames.
    assertThat(all).extracting(r -> attr(r, "basedon")).containsExactly("1", "2", "3", "5", "6");
  }

  @Test
  void framesBeforeAnyVersionWarmTheStreamAndPublishNothing() {
    FramePredictionService service = start(b -> b);
    for (int t = 0; t < 3; t++) {
      frame("a", 0, t);
    }
    await().untilAsserted(() -> assertThat(service.scores().withoutModel()).isEqualTo(3));
    publish(TinyFramePredictor.published(1, 1f));
    await().until(() -> service.registry().versions().containsKey(TinyFramePredictor.NAME));
    frame("a", 0, 3);

    List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 1);
    assertThat(predictions).extracting(r -> attr(r, "basedon")).containsExactly("3");
    assertThat(read(topics.deadLetter(), 0)).isEmpty();
  }

  @Test
  void onlineEvaluationEqualsTheOfflineScoresOfThePublishedPredictions() {
    publish(TinyFramePredictor.published(1, 0.5f));
    FramePredictionService service = start(b -> b);
    int frames = 7;
    for (int t = 0; t < frames; t++) {
      for (int s = 0; s < 3; s++) {
        frame("s" + s, 25 * s, t);
      }
    }
    List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 3 * (frames - 1));
    await().untilAsserted(() -> assertThat(service.scores().framesIn()).isEqualTo(3 * frames));

    PredictionScores online = service.scores();
    FrameScores allModel = FrameScores.NONE;
    FrameScores allCopy = FrameScores.NONE;
    for (int s = 0; s < 3; s++) {
      FrameScores model = FrameScores.NONE;
      FrameScores copy = FrameScores.NONE;
      for (ConsumerRecord<String, byte[]> r : predictions) {
        long predicted = Long.parseLong(attr(r, "frame"));
        if (!r.key().equals("s" + s) || predicted >= frames) {
          continue; // the last prediction has no frame to be judged against yet
        }
        ImageTensor actual = TinyFramePredictor.frame(25 * s, predicted);
        model = model.plus(FrameMetrics.score(ImageTensor.fromPng(r.value(), 1), actual));
        copy = copy.plus(FrameMetrics.score(TinyFramePredictor.frame(25 * s, predicted - 1),
            actual));
      }
      PredictionScores.Scores stream = online.streams().get("s" + s);
      assertThat(stream.model().frames()).isEqualTo(frames - 2);
      assertClose(stream.model(), model);
      assertClose(stream.copyLast(), copy);
      allModel = allModel.plus(model);
      allCopy = allCopy.plus(copy);
    }
    assertClose(online.versions().get(1L).model(), allModel);
    assertClose(online.versions().get(1L).copyLast(), allCopy);
    // a = 0.5 only half-extrapolates the ramp: better than repeating the last frame.
    assertThat(online.latest().mseVsCopyLast()).isLessThan(1);

    service.close();
    List<ConsumerRecord<String, byte[]>> events = read(topics.training(), 1);
    ConsumerRecord<String, byte[]> event = events.get(events.size() - 1);
    assertThat(attr(event, "type")).isEqualTo(CloudEvents.TYPE_TRAINING);
    assertThat(attr(event, "kind")).isEqualTo("videoeval");
    JsonNode body = Json.read(new String(event.value(), StandardCharsets.UTF_8), JsonNode.class);
    assertThat(body.get("model").asText()).isEqualTo(TinyFramePredictor.NAME);
    assertThat(body.get("version").asLong()).isEqualTo(1);
    assertThat(body.get("framesScored").asLong()).isEqualTo(3 * (frames - 2));
    assertThat(body.get("predicted").get("mse").asDouble()).isCloseTo(allModel.mse(), within(1e-12));
    assertThat(body.get("copyLast").get("psnr").asDouble()).isCloseTo(allCopy.psnr(), within(1e-9));
    assertThat(body.get("mseVsCopyLast").asDouble())
        .isCloseTo(allModel.mse() / allCopy.mse(), within(1e-9));
    assertThat(body.get("streams")).hasSize(3);
  }

  @Test
  void aStreamsBoundKeepsWindowsBoundedAndEvictedStreamsWarmUpAgain() {
    publish(TinyFramePredictor.published(1, 1f));
    FramePredictionService service = start(b -> b.maxStreams(2));
    // Round robin over three streams: each is evicted before its next frame comes.
    for (int t = 0; t < 4; t++) {
      for (int s = 0; s < 3; s++) {
        frame("s" + s, 0, t);
      }
    }
    frame("s2", 0, 4); // s2 was seen last: still warm
    await().untilAsserted(() -> assertThat(service.scores().framesIn()).isEqualTo(13));
    PredictionScores scores = service.scores();
    assertThat(scores.activeStreams()).isEqualTo(2);
    assertThat(scores.evictedStreams()).isEqualTo(10);
    assertThat(read(topics.predictions(), 1)).extracting(r -> r.key() + "@" + attr(r, "basedon"))
        .containsExactly("s2@4");
  }

  @Test
  void aNewVersionTakesOverAtTheNextBatchAndIsScoredSeparately() {
    publish(TinyFramePredictor.published(1, 1f));
    FramePredictionService service = start(b -> b);
    for (int t = 0; t < 3; t++) {
      frame("a", 0, t);
    }
    assertThat(read(topics.predictions(), 2)).hasSize(2);
    publish(TinyFramePredictor.published(2, 0.5f));
    await().until(() -> service.registry().versions().getOrDefault(TinyFramePredictor.NAME,
        List.of()).contains(2L));
    frame("a", 0, 3);
    frame("a", 0, 4);

    List<ConsumerRecord<String, byte[]>> predictions = read(topics.predictions(), 4);
    assertThat(predictions).extracting(r -> attr(r, "modelversion"))
        .containsExactly("1", "1", "2", "2");
    await().untilAsserted(() -> {
      Map<Long, PredictionScores.Scores> versions = service.scores().versions();
      // Frames 2 and 3 judge version 1's predictions, frame 4 version 2's.
      assertThat(versions.get(1L).frames()).isEqualTo(2);
      assertThat(versions.get(2L).frames()).isEqualTo(1);
    });
  }

  @Test
  void framesOfManyStreamsShareOneRuntimeCall() {
    publish(TinyFramePredictor.published(1, 1f));
    List<Integer> batchSizes = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<FramePrediction> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    FramePredictionService service = start(b -> b.batching(64, Duration.ofMillis(300)),
        new PredictionListener() {
          @Override
          public void onPrediction(FramePrediction prediction) {
            seen.add(prediction);
          }
        }, batchSizes);
    for (int t = 0; t < 3; t++) {
      for (int s = 0; s < 8; s++) {
        frame("s" + s, 10 * s, t);
      }
    }

    assertThat(read(topics.predictions(), 16)).hasSize(16);
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(16);
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow())
        .isGreaterThan(1);
    assertThat(seen).hasSize(16);
    assertThat(service.scores().predictions()).isEqualTo(16);
  }

  private static void assertClose(FrameScores actual, FrameScores expected) {
    assertThat(actual.frames()).isEqualTo(expected.frames());
    assertThat(actual.mse()).isCloseTo(expected.mse(), within(1e-12));
    assertThat(actual.psnr()).isCloseTo(expected.psnr(), within(1e-9));
    assertThat(actual.ssim()).isCloseTo(expected.ssim(), within(1e-12));
  }

  private FramePredictionService start(UnaryOperator<PredictorOptions.Builder> settings) {
    return start(settings, new PredictionListener() {}, new ArrayList<>());
  }

  /** A service whose predictors record the batch size of every runtime call. */
  private FramePredictionService start(UnaryOperator<PredictorOptions.Builder> settings,
      PredictionListener listener, List<Integer> batchSizes) {
    return start(settings, listener, batchSizes, null);
  }

  private FramePredictionService start(UnaryOperator<PredictorOptions.Builder> settings,
      PredictionListener listener, List<Integer> batchSizes,
      io.micrometer.core.instrument.MeterRegistry meters) {
    PredictorOptions options = settings.apply(PredictorOptions.builder(kafka.bootstrapServers(),
            TinyFramePredictor.NAME)
        .topics(topics)
        // A group per test: a member of an earlier test's group could hold up the rebalance.
        .groupId(topics.frames() + ".predictor")
        .batching(16, Duration.ofMillis(5))
        .readyTimeout(Duration.ofSeconds(10))).build();
    ModelLoader onnx = ModelLoader.onnxRuntime(1);
    ModelLoader counting = model -> new CountingPredictor(onnx.load(model), batchSizes);
    FramePredictionService service =
        FramePredictionService.create(options, counting, listener, meters);
    services.add(service);
    service.start();
    service.ready().block(Duration.ofSeconds(20));
    return service;
  }

  /** A loaded predictor that records each call's batch size. */
  private record CountingPredictor(GenerativeModel loaded, List<Integer> batchSizes)
      implements GenerativeModel, FramePredictor {

    @Override
    public ModelManifest manifest() {
      return loaded.manifest();
    }

    @Override
    public int contextFrames() {
      return ((FramePredictor) loaded).contextFrames();
    }

    @Override
    public float[] predict(float[] frames, int n) {
      batchSizes.add(n);
      return ((FramePredictor) loaded).predict(frames, n);
    }

    @Override
    public float[] generate(float[] latents, long[] labels, int n) {
      return loaded.generate(latents, labels, n);
    }

    @Override
    public ModelLoader.ExecutionProvider executionProvider() {
      return loaded.executionProvider();
    }

    @Override
    public void close() {
      loaded.close();
    }
  }

  private void publish(PublishedModel model) {
    send(model.toRecord(topics.models(), "test"));
  }

  private void frame(String stream, int offset, long t) {
    send(new VideoFrame(stream, t, T0.plusMillis(40 * t),
        TinyFramePredictor.frame(offset, t).toPng()).toRecord(topics.frames(), "test"));
  }

  private static void send(ProducerRecord<String, byte[]> record) {
    sender.send(record).block(Duration.ofSeconds(10));
  }

  private List<ConsumerRecord<String, byte[]>> read(String topic, int atLeast) {
    return TopicReader.read(kafka.bootstrapServers(), topic, atLeast,
        atLeast == 0 ? Duration.ofSeconds(1) : Duration.ofSeconds(30));
  }

  private static String attr(ConsumerRecord<String, byte[]> record, String name) {
    return CloudEvents.attribute(record.headers(), name).orElse(null);
  }
}
