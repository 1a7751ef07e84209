package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.config.Topics;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.messages.VideoFrame;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.video.HeldOutClips;
import io.genstream.trainer.video.VideoOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

/** Clips from frame records without a broker: the split, the batches and the acknowledgements. */
class ClipFeedTest {

  private static final Topics TOPICS = Topics.defaults();
  private static final int K = 2;
  private static final int BATCH = 4;

  /** A record that counts its acknowledgements. */
  private record Fake(ConsumerRecord<String, byte[]> record, AtomicInteger acks)
      implements ReceivedRecord<String, byte[]> {
    @Override
    public void acknowledge() {
      acks.incrementAndGet();
    }

    long frame() {
      return VideoFrame.frameIndex(record);
    }
  }

  @Test
  void heldOutClipsAreNeverTrainedOnReplayFillsEveryBatchAndEveryFrameIsAcknowledgedOnce() {
    ModelSpec spec = ModelSpec.defaults(ModelSpec.Family.FRAMEPRED).with(Map.of(
        "imageSize", "16", "channels", "1", "contextFrames", String.valueOf(K),
        "generatorWidths", "8,8", "batchSize", String.valueOf(BATCH)));
    // One replay-only step after each fresh batch.
    VideoOptions video = new VideoOptions(16, 5, 100, 32, Duration.ofMillis(20), 1, 2);
    TrainerOptions options = TrainerOptions.builder("localhost:1", "feedtest").topics(TOPICS)
        .spec(spec).samplesDir(Path.of("unused")).video(video).build();
    ClipFeed feed = new ClipFeed(options);
    HeldOutClips split = new HeldOutClips(5, 1);

    List<Fake> records = new ArrayList<>();
    int expectedTraining = 0;
    for (int t = 0; t < 50; t++) {
      for (String stream : List.of("a", "b")) {
        records.add(fake(stream, t, records.size()));
        if (t >= K && !split.isHeldOut(stream, t)) {
          expectedTraining++;
        }
      }
      if (t == 10) {
        records.add(fake("a", 9, records.size())); // an older frame: skipped
      }
    }
    int expected = expectedTraining;
    AtomicInteger seen = new AtomicInteger();
    List<TrainingFeed.Step> steps = feed.batches(Flux.fromIterable(records), (r, reason) -> {
      throw new AssertionError("no dead letters expected: " + reason);
    })
        .takeUntil(step -> seen.addAndGet(step.fresh()) >= expected)
        .collectList()
        .block(Duration.ofSeconds(10));

    List<Fake> trained = new ArrayList<>();
    for (TrainingFeed.Step step : steps) {
      // Each batch is full: fresh clips, filled with replayed ones.
      assertThat(step.batch().size()).isEqualTo(BATCH);
      assertThat(step.batch().images()).hasSize(BATCH * (K + 1) * 16 * 16);
      assertThat(step.done()).hasSize(step.fresh());
      step.done().forEach(r -> trained.add((Fake) r));
    }
    assertThat(trained).hasSize(expected);
    // Each fresh batch is followed by one replay-only step (the run stops after the last fresh).
    long freshSteps = steps.stream().filter(step -> step.fresh() > 0).count();
    assertThat(steps).hasSize((int) (2 * freshSteps - 1));
    // Disjoint: no trained clip's target is a held-out one, and no warm-up frame trains.
    assertThat(trained).noneMatch(r -> split.isHeldOut(r.record().key(), r.frame()));
    assertThat(trained).allMatch(r -> r.frame() >= K);
    // Trained targets wait for their step; everything else was acknowledged when handled.
    assertThat(trained).allMatch(r -> r.acks().get() == 0);
    trained.forEach(Fake::acknowledge);
    assertThat(records).allMatch(r -> r.acks().get() == 1);
  }

  private static Fake fake(String stream, long frame, long offset) {
    byte[] png = new ImageTensor(1, 16, 16, new byte[256]).toPng();
    ProducerRecord<String, byte[]> produced =
        new VideoFrame(stream, frame, Instant.EPOCH, png).toRecord(TOPICS.frames(), "test");
    ConsumerRecord<String, byte[]> record = new ConsumerRecord<>(TOPICS.frames(), 0, offset, 0L,
        TimestampType.CREATE_TIME, stream.length(), png.length, stream, png, produced.headers(),
        Optional.empty());
    return new Fake(record, new AtomicInteger());
  }
}
