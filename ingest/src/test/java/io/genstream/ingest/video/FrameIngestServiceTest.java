package io.genstream.ingest.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.VideoFrame;
import io.genstream.ingest.IngestService;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FrameIngestServiceTest {

  private static EmbeddedKafka broker;

  @BeforeAll
  static void startBroker() {
    broker = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  private static Topics topics(String prefix) {
    Topics topics = Topics.withPrefix(prefix);
    TopicSetup.ensure(broker.bootstrapServers(), topics, 2);
    return topics;
  }

  @Test
  void publishesValidFramesInOrderAndDeadLettersAWrongSizeAndACorruptFrameWithReasons() {
    Topics topics = topics("pipe.");
    byte[] wrongSize = Frames.gray(16, 9);
    byte[] corrupt = Arrays.copyOf(Frames.gray(8, 9), 45);
    byte[] input = Frames.concat(Frames.gray(8, 0), Frames.gray(8, 1), wrongSize, corrupt,
        Frames.gray(8, 4), Frames.gray(8, 5));
    PngStreamSource source = new PngStreamSource("cam1", new ByteArrayInputStream(input),
        new FrameSpec(8, 1), PngStreamSplitter.DEFAULT_MAX_PNG_BYTES, 0, Clock.systemUTC());

    FrameIngestService.Summary summary;
    try (FrameIngestService ingest = FrameIngestService.create(source, broker.bootstrapServers(),
        new FrameIngestService.Options(topics, 0))) {
      summary = ingest.run().block(Duration.ofSeconds(30));
    }

    assertThat(summary.sent()).isEqualTo(Map.of("cam1", 4L));
    assertThat(summary.deadLettered()).isEqualTo(2);
    List<ConsumerRecord<String, byte[]>> frames =
        TopicReader.read(broker.bootstrapServers(), topics.frames(), 4);
    assertThat(frames).extracting(ConsumerRecord::key).containsOnly("cam1");
    // The gap at 2 and 3 is where the rejected frames were: consumers see it and reset.
    assertThat(frames).map(VideoFrame::frameIndex).containsExactly(0L, 1L, 4L, 5L);
    assertThat(frames).map(r -> VideoFrame.decode(r, 1).image().chw()[0] & 0xFF)
        .containsExactly(0, 1, 4, 5);
    assertThat(frames).map(r -> CloudEvents.attribute(r.headers(), "type").orElseThrow())
        .containsOnly(CloudEvents.TYPE_FRAME);

    List<ConsumerRecord<String, byte[]>> dead =
        TopicReader.read(broker.bootstrapServers(), topics.deadLetter(), 2);
    assertThat(dead).hasSize(2);
    ConsumerRecord<String, byte[]> sizeLetter = dead.stream()
        .filter(r -> CloudEvents.attribute(r.headers(), "frame").orElseThrow().equals("2"))
        .findFirst().orElseThrow();
    assertThat(CloudEvents.attribute(sizeLetter.headers(), "reason").orElseThrow())
        .contains("16x16, expected 8x8");
    assertThat(CloudEvents.attribute(sizeLetter.headers(), "streamid")).contains("cam1");
    assertThat(sizeLetter.value()).isEqualTo(wrongSize);
    ConsumerRecord<String, byte[]> corruptLetter = dead.stream()
        .filter(r -> CloudEvents.attribute(r.headers(), "frame").orElseThrow().equals("3"))
        .findFirst().orElseThrow();
    assertThat(CloudEvents.attribute(corruptLetter.headers(), "reason").orElseThrow())
        .containsAnyOf("CRC", "truncated", "corrupt");
    assertThat(corruptLetter.value()).isEqualTo(corrupt);
  }

  @Test
  void everyFrameAsksForTheHorizonItWasGiven() {
    Topics topics = topics("horizon.");
    MovingDigits source = new MovingDigits(new MovingDigits.Options(2, 32, 2, 2, 1, 3, 0));
    try (FrameIngestService ingest = FrameIngestService.create(source, broker.bootstrapServers(),
        new FrameIngestService.Options(topics, 0, 4))) {
      ingest.run().block(Duration.ofSeconds(30));
    }

    List<ConsumerRecord<String, byte[]>> frames =
        TopicReader.read(broker.bootstrapServers(), topics.frames(), 6);
    assertThat(frames).hasSize(6);
    assertThat(frames).map(r -> VideoFrame.decode(r, 1).horizon()).containsOnly(4);
    assertThatThrownBy(() -> new FrameIngestService.Options(topics, 0, 17))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("horizon must be 1..16");
  }

  @Test
  void pacedMovingDigitsAreKeyedByStreamWithSequentialFrameIndices() {
    Topics topics = topics("digits.");
    MovingDigits source = new MovingDigits(new MovingDigits.Options(3, 32, 2, 2, 1, 5, 0));
    long started = System.nanoTime();
    FrameIngestService.Summary summary;
    try (KafkaSender<String, byte[]> sender =
            KafkaSender.create(IngestService.senderOptions(broker.bootstrapServers()));
        FrameIngestService ingest =
            new FrameIngestService(source, sender, new FrameIngestService.Options(topics, 25))) {
      summary = ingest.run().block(Duration.ofSeconds(30));
    }
    // 5 rounds at 25 frames/s per stream: at least 4 periods of 40 ms.
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThan(Duration.ofMillis(150));
    assertThat(summary.sent()).containsExactly(
        Map.entry("digits-0", 5L), Map.entry("digits-1", 5L), Map.entry("digits-2", 5L));
    assertThat(summary.toString()).contains("15 frames sent in 3 stream(s), 0 dead-lettered")
        .endsWith("per stream: digits-0 5, digits-1 5, digits-2 5");

    List<ConsumerRecord<String, byte[]>> frames =
        TopicReader.read(broker.bootstrapServers(), topics.frames(), 15);
    assertThat(frames).hasSize(15);
    for (String stream : List.of("digits-0", "digits-1", "digits-2")) {
      assertThat(frames.stream().filter(r -> r.key().equals(stream)).map(VideoFrame::frameIndex))
          .as(stream).containsExactly(0L, 1L, 2L, 3L, 4L);
      assertThat(frames.stream().filter(r -> r.key().equals(stream)).map(ConsumerRecord::partition)
          .distinct()).as("one partition per stream").hasSize(1);
    }
    assertThat(new String(frames.get(0).headers().lastHeader("ce_streamid").value(),
        StandardCharsets.UTF_8)).isEqualTo(frames.get(0).key());
  }
}
