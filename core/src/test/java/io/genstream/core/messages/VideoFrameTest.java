package io.genstream.core.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.image.ImageTensor;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class VideoFrameTest {

  private static final byte[] PNG = new ImageTensor(1, 8, 8, new byte[64]).toPng();

  @Test
  void aFrameRoundTripsThroughItsRecord() {
    Instant taken = Instant.parse("2026-11-30T12:00:00.250Z");
    ProducerRecord<String, byte[]> sent =
        new VideoFrame("cam1", 42, taken, PNG).toRecord("genstream.frames", "test");

    VideoFrame.Decoded decoded = VideoFrame.decode(received(sent), 1);

    assertThat(sent.key()).isEqualTo("cam1");
    assertThat(sent.timestamp()).isEqualTo(taken.toEpochMilli());
    assertThat(CloudEvents.attribute(sent.headers(), "type")).hasValue(CloudEvents.TYPE_FRAME);
    assertThat(decoded.streamId()).isEqualTo("cam1");
    assertThat(decoded.frame()).isEqualTo(42);
    assertThat(decoded.captureTime()).isEqualTo(taken);
    assertThat(decoded.image().width()).isEqualTo(8);
  }

  @Test
  void aFrameWithoutHeadersTakesItsStreamFromTheKeyAndItsTimeFromTheRecord() {
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_frame", "7".getBytes(StandardCharsets.UTF_8));
    ConsumerRecord<String, byte[]> record = new ConsumerRecord<>("genstream.frames", 0, 0, 1234L,
        TimestampType.CREATE_TIME, 0, 0, "door", PNG, headers, java.util.Optional.empty());

    VideoFrame.Decoded decoded = VideoFrame.decode(record, 1);

    assertThat(decoded.streamId()).isEqualTo("door");
    assertThat(decoded.frame()).isEqualTo(7);
    assertThat(decoded.captureTime()).isEqualTo(Instant.ofEpochMilli(1234));
  }

  @Test
  void refusesFramesWithoutAnIndexOrWithTheWrongType() {
    ProducerRecord<String, byte[]> sent =
        new VideoFrame("cam1", 1, Instant.EPOCH, PNG).toRecord("t", "test");
    sent.headers().remove("ce_frame");
    assertThatThrownBy(() -> VideoFrame.decode(received(sent), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ce_frame");

    ProducerRecord<String, byte[]> image = new LabelledImage("cam1", 3, PNG).toRecord("t", "x");
    CloudEvents.header(image.headers(), "frame", 1);
    assertThatThrownBy(() -> VideoFrame.decode(received(image), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ce_type");

    ProducerRecord<String, byte[]> negative =
        new VideoFrame("cam1", 1, Instant.EPOCH, PNG).toRecord("t", "test");
    CloudEvents.header(negative.headers(), "frame", -3);
    assertThatThrownBy(() -> VideoFrame.decode(received(negative), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
  }

  @Test
  void aFrameMayAskForAHorizonWithinTheLimit() {
    ProducerRecord<String, byte[]> asks =
        new VideoFrame("cam1", 3, Instant.EPOCH, PNG).withHorizon(5).toRecord("t", "test");
    assertThat(CloudEvents.attribute(asks.headers(), "horizon")).hasValue("5");
    assertThat(VideoFrame.decode(received(asks), 1).horizon()).isEqualTo(5);

    ProducerRecord<String, byte[]> leaves =
        new VideoFrame("cam1", 3, Instant.EPOCH, PNG).toRecord("t", "test");
    assertThat(CloudEvents.attribute(leaves.headers(), "horizon")).isEmpty();
    assertThat(VideoFrame.decode(received(leaves), 1).horizon())
        .isEqualTo(VideoFrame.DEFAULT_HORIZON);

    for (String bad : new String[] {"0", "17", "-1", "three"}) {
      ProducerRecord<String, byte[]> record =
          new VideoFrame("cam1", 3, Instant.EPOCH, PNG).toRecord("t", "test");
      CloudEvents.header(record.headers(), "horizon", bad);
      assertThatThrownBy(() -> VideoFrame.decode(received(record), 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ce_horizon");
    }
    assertThatThrownBy(() -> new VideoFrame("cam1", 0, Instant.EPOCH, PNG, 17))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesACorruptFrame() {
    ProducerRecord<String, byte[]> sent = new VideoFrame("cam1", 1, Instant.EPOCH,
        "not a png".getBytes(StandardCharsets.UTF_8)).toRecord("t", "test");

    assertThatThrownBy(() -> VideoFrame.decode(received(sent), 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static ConsumerRecord<String, byte[]> received(ProducerRecord<String, byte[]> sent) {
    return new ConsumerRecord<>(sent.topic(), 0, 0,
        sent.timestamp() == null ? 0 : sent.timestamp(), TimestampType.CREATE_TIME, 0, 0,
        sent.key(), sent.value(), sent.headers(), java.util.Optional.empty());
  }
}
