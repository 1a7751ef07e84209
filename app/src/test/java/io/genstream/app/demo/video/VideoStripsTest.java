package io.genstream.app.demo.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.config.Topics;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.VideoFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VideoStripsTest {

  private static final Topics TOPICS = Topics.defaults();
  private static final int SIDE = 16;
  /** 16-pixel frames are drawn 4× larger. */
  private static final int CELL = SIDE * 4;

  @TempDir Path dir;

  @Test
  void showsEachFrameAboveThePredictionMadeForIt() throws Exception {
    VideoStrips strips = VideoStrips.detached(TOPICS, 1, 3, 8);
    for (int t = 0; t < 4; t++) {
      strips.accept(frame("cam1", t, 10 * t));
    }
    strips.accept(prediction("cam1", 2, 1, 200)); // made from frame 1
    strips.accept(prediction("cam1", 3, 1, 210));
    strips.accept(prediction("cam1", 4, 1, 220)); // not yet real: not shown
    strips.accept(prediction("cam1", 3, 2, 99)); // a step-2 rollout: not shown

    Map<String, Path> written = strips.write(dir);

    ImageTensor strip = ImageTensor.fromPng(Files.readAllBytes(written.get("cam1")), 1);
    assertThat(strip.width()).isEqualTo(3 * (CELL + VideoStrips.BORDER) + VideoStrips.BORDER);
    assertThat(strip.height()).isEqualTo(2 * (CELL + VideoStrips.BORDER) + VideoStrips.BORDER);
    // Columns show frames 1, 2, 3.
    assertThat(cell(strip, 0, 0)).isEqualTo(10);
    assertThat(cell(strip, 0, 2)).isEqualTo(30);
    assertThat(cell(strip, 1, 0)).isEqualTo(VideoStrips.MISSING_GRAY);
    assertThat(cell(strip, 1, 1)).isEqualTo(200);
    assertThat(cell(strip, 1, 2)).isEqualTo(210);
  }

  @Test
  void keepsABoundedNumberOfStreamsAndFrames() throws Exception {
    VideoStrips strips = VideoStrips.detached(TOPICS, 1, 4, 3);
    for (int s = 0; s < 10; s++) {
      for (int t = 0; t < 50; t++) {
        strips.accept(frame("s" + s, t, t));
      }
    }

    assertThat(strips.streams()).isEqualTo(3);
    assertThat(strips.write(dir)).containsOnlyKeys("s7", "s8", "s9");
  }

  @Test
  void ignoresRecordsItCannotRead() throws Exception {
    VideoStrips strips = VideoStrips.detached(TOPICS, 1, 4, 3);
    strips.accept(record(TOPICS.frames(), new ProducerRecord<>(TOPICS.frames(), "x",
        "not a png".getBytes())));

    assertThat(strips.streams()).isZero();
  }

  private static int cell(ImageTensor strip, int row, int column) {
    int x = VideoStrips.BORDER + column * (CELL + VideoStrips.BORDER) + CELL / 2;
    int y = VideoStrips.BORDER + row * (CELL + VideoStrips.BORDER) + CELL / 2;
    return strip.chw()[y * strip.width() + x] & 0xff;
  }

  private static ConsumerRecord<String, byte[]> frame(String stream, long index, int level) {
    return record(TOPICS.frames(),
        new VideoFrame(stream, index, Instant.EPOCH, flat(level)).toRecord(TOPICS.frames(), "t"));
  }

  private static ConsumerRecord<String, byte[]> prediction(String stream, long index, long step,
      int level) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_PREDICTION, "t", "image/png");
    CloudEvents.header(headers, "streamid", stream);
    CloudEvents.header(headers, "frame", index);
    CloudEvents.header(headers, "step", step);
    return record(TOPICS.predictions(),
        new ProducerRecord<>(TOPICS.predictions(), null, stream, flat(level), headers));
  }

  private static byte[] flat(int level) {
    byte[] pixels = new byte[SIDE * SIDE];
    Arrays.fill(pixels, (byte) level);
    return new ImageTensor(1, SIDE, SIDE, pixels).toPng();
  }

  private static ConsumerRecord<String, byte[]> record(String topic,
      ProducerRecord<String, byte[]> sent) {
    return new ConsumerRecord<>(topic, 0, 0, 0L, TimestampType.CREATE_TIME, 0, 0, sent.key(),
        sent.value(), sent.headers(), Optional.empty());
  }
}
