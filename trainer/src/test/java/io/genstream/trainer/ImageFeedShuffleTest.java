package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.messages.LabelledImage;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.testing.TestDigits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/**
 * The image feed's shuffle buffer on a class-sorted stream, without a broker: the batches' class
 * mix, the acknowledgements and the pause that drains it.
 */
class ImageFeedShuffleTest {

  private static final Topics TOPICS = Topics.defaults();
  private static final int CLASSES = 10;
  private static final int PER_CLASS = 300;
  private static final int BATCH = 64;
  private static final ModelSpec SPEC = ModelSpec.defaults(ModelSpec.Family.CGAN)
      .with(Map.of("batchSize", String.valueOf(BATCH)));
  /**
   * The χ² test's significance: a batch sequence as mixed as a random order of the stream fails
   * it one time in a thousand; the seeds here are fixed, so the outcome is too.
   */
  private static final double ALPHA = 0.001;
  private static final double Z_ONE_MINUS_ALPHA = 3.090232;
  private static final TestDigits DIGITS = new TestDigits(5, 28);

  /** A record that counts its acknowledgements. */
  private record Fake(ConsumerRecord<String, byte[]> record, AtomicInteger acks)
      implements ReceivedRecord<String, byte[]> {
    @Override
    public void acknowledge() {
      acks.incrementAndGet();
    }
  }

  @Test
  void aClassSortedStreamGivesBatchesWithTheStreamsClassMix() {
    List<TrainingFeed.Step> steps = allSteps(feed(ShuffleOptions.defaults(), ReplayOptions.off()),
        classSorted());
    ChiSquare test = ChiSquare.ofClassCounts(steps);
    assertThat(test.statistic()).as("χ² %s over %d degrees of freedom", test.statistic(),
        test.degreesOfFreedom()).isLessThan(test.criticalValue(Z_ONE_MINUS_ALPHA));
    // Every batch has most of the classes, not one or two.
    for (TrainingFeed.Step step : steps) {
      assertThat(java.util.Arrays.stream(step.batch().labels()).distinct().count())
          .isGreaterThanOrEqualTo(step.batch().size() >= BATCH ? 8 : 1);
    }
  }

  @Test
  void withoutTheBufferTheSameTestRejectsTheClassSortedBatches() {
    // Today's path before the buffer: arrival order, so nearly every batch holds one class.
    List<TrainingFeed.Step> steps = allSteps(feed(ShuffleOptions.off(), ReplayOptions.off()),
        classSorted());
    ChiSquare test = ChiSquare.ofClassCounts(steps);
    assertThat(test.statistic()).isGreaterThan(10 * test.criticalValue(Z_ONE_MINUS_ALPHA));
  }

  @Test
  void withReplayEveryRecordIsAcknowledgedOnceAfterTheStepThatTrainedOnIt() {
    List<Fake> records = classSorted();
    ImageFeed feed = feed(ShuffleOptions.defaults(), ReplayOptions.defaults());
    Map<Fake, Boolean> trained = new IdentityHashMap<>();
    List<TrainingFeed.Step> steps = new ArrayList<>();
    // The stream stops but does not end, as a topic does: the pause drains the buffer, and a
    // batch short of fresh images is filled up from the reservoir after batchWait.
    StepVerifier.withVirtualTime(() -> feed.batches(
            Flux.<ReceivedRecord<String, byte[]>>fromIterable(records).concatWith(Flux.never()),
            (record, reason) -> {
              throw new AssertionError("no dead letters expected: " + reason);
            })
            .doOnNext(step -> {
              steps.add(step);
              for (ReceivedRecord<String, byte[]> done : step.done()) {
                Fake fake = (Fake) done;
                // Not acknowledged before its step, nor trained twice; then "the step ran".
                assertThat(fake.acks().get()).isZero();
                assertThat(trained.put(fake, true)).isNull();
                fake.acknowledge();
              }
            }))
        .thenAwait(Duration.ofSeconds(2))
        .expectNextCount((CLASSES * PER_CLASS + 47) / 48) // 48 fresh + 16 replayed per step
        .expectNoEvent(Duration.ofSeconds(10))
        .thenCancel()
        .verify(Duration.ofSeconds(30));

    assertThat(records).allMatch(record -> record.acks().get() == 1);
    assertThat(steps).allMatch(step -> step.batch().size() == BATCH);
    ChiSquare test = ChiSquare.ofClassCounts(steps);
    assertThat(test.statistic()).isLessThan(test.criticalValue(Z_ONE_MINUS_ALPHA));
  }

  @Test
  void theStartUpLineNamesTheBufferAndItsMemory() {
    assertThat(feed(ShuffleOptions.defaults(), ReplayOptions.off()).describe())
        .startsWith("shuffle buffer of 4096 images (12.8 MB, drained after 250 ms without "
            + "images)");
    assertThat(feed(ShuffleOptions.off(), ReplayOptions.off()).describe()).isEmpty();
  }

  /**
   * Pearson's χ² test of independence between batch and class: expected counts are each
   * batch's size times the stream's class shares (uniform here: 300 of each class), over
   * (batches - 1)(classes - 1) degrees of freedom. The critical value is Wilson and Hilferty's
   * approximation, within 0.01 % of the exact quantile for the hundreds of degrees of freedom
   * here.
   */
  private record ChiSquare(double statistic, int degreesOfFreedom) {

    static ChiSquare ofClassCounts(List<TrainingFeed.Step> steps) {
      double[][] counts = new double[steps.size()][CLASSES];
      double[] perClass = new double[CLASSES];
      double total = 0;
      for (int b = 0; b < steps.size(); b++) {
        for (int label : steps.get(b).batch().labels()) {
          counts[b][label]++;
          perClass[label]++;
          total++;
        }
      }
      double statistic = 0;
      for (double[] batch : counts) {
        double size = java.util.Arrays.stream(batch).sum();
        for (int c = 0; c < CLASSES; c++) {
          double expected = size * perClass[c] / total;
          statistic += (batch[c] - expected) * (batch[c] - expected) / expected;
        }
      }
      return new ChiSquare(statistic, (steps.size() - 1) * (CLASSES - 1));
    }

    double criticalValue(double z) {
      double k = degreesOfFreedom;
      return k * Math.pow(1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k)), 3);
    }
  }

  private static ImageFeed feed(ShuffleOptions shuffle, ReplayOptions replay) {
    TrainerOptions options = TrainerOptions.builder("localhost:1", "feedtest").topics(TOPICS)
        .spec(SPEC).samplesDir(Path.of("unused")).evaluation(null).shuffle(shuffle)
        .replay(replay).build();
    return new ImageFeed(options, BATCH);
  }

  /** Every step of a stream that ends, in order. */
  private static List<TrainingFeed.Step> allSteps(ImageFeed feed, List<Fake> records) {
    return feed.batches(Flux.fromIterable(records), (record, reason) -> {
      throw new AssertionError("no dead letters expected: " + reason);
    }).collectList().block(Duration.ofSeconds(30));
  }

  /** 300 images of class 0, then 300 of class 1, … as a service might send them. */
  private static List<Fake> classSorted() {
    List<Fake> records = new ArrayList<>();
    for (int label = 0; label < CLASSES; label++) {
      byte[] png = Png.encode(new GrayImage(28, 28, DIGITS.render(label)));
      for (int i = 0; i < PER_CLASS; i++) {
        ProducerRecord<String, byte[]> produced =
            new LabelledImage("digit-" + label, label, png).toRecord(TOPICS.images(), "test");
        records.add(new Fake(new ConsumerRecord<>(TOPICS.images(), 0, records.size(), 0L,
            TimestampType.CREATE_TIME, 0, png.length, produced.key(), png, produced.headers(),
            Optional.empty()), new AtomicInteger()));
      }
    }
    return records;
  }
}
