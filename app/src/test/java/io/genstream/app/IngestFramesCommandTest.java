package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.VideoFrame;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class IngestFramesCommandTest extends CliTest {

  private static byte[] frame(int size, int mark) {
    byte[] pixels = new byte[size * size];
    pixels[0] = (byte) mark;
    return Png.encode(new GrayImage(size, size, pixels));
  }

  @Test
  void ingestFramesStreamReadsAPngPipeFromStdinIntoTheFramesTopic() {
    ByteArrayOutputStream pipe = new ByteArrayOutputStream();
    pipe.writeBytes(frame(8, 10));
    pipe.writeBytes(frame(8, 11));
    pipe.writeBytes("some corrupt stretch".getBytes(StandardCharsets.US_ASCII));
    pipe.writeBytes(frame(8, 13));
    Topics topics = Topics.defaults();
    try (EmbeddedKafka broker = EmbeddedKafka.start()) {
      int code = run(new ByteArrayInputStream(pipe.toByteArray()), "ingest", "frames",
          "--stream", "cam1", "--size", "8", "-b", broker.bootstrapServers());

      assertThat(code).as(err.toString()).isZero();
      assertThat(out.toString())
          .contains("ingest frames finished: 3 frames sent in 1 stream(s), 1 dead-lettered");
      List<ConsumerRecord<String, byte[]>> frames =
          TopicReader.read(broker.bootstrapServers(), topics.frames(), 3);
      assertThat(frames).extracting(ConsumerRecord::key).containsOnly("cam1");
      assertThat(frames).map(VideoFrame::frameIndex).containsExactly(0L, 1L, 3L);
      assertThat(frames).map(r -> VideoFrame.decode(r, 1).image().chw()[0] & 0xFF)
          .containsExactly(10, 11, 13);
      List<ConsumerRecord<String, byte[]>> dead =
          TopicReader.read(broker.bootstrapServers(), topics.deadLetter(), 1);
      assertThat(dead).hasSize(1);
      assertThat(CloudEvents.attribute(dead.get(0).headers(), "reason").orElseThrow())
          .contains("not a PNG signature");
      assertThat(CloudEvents.attribute(dead.get(0).headers(), "frame")).contains("2");
    }
  }

  @Test
  void ingestFramesHelpNamesTheSourcesAndTheFfmpegPipe() {
    assertThat(run("ingest", "frames", "--help")).isZero();
    assertThat(out.toString())
        .contains("--stream=ID", "--folder=DIR", "--synthetic=N", "--size", "--channels", "--fps",
            "--max-frames", "--speed", "--digits", "--seed", "--bootstrap-server")
        .contains("ffmpeg -i in.mp4 -vf scale=32:32,format=gray -f image2pipe -vcodec png -");
    assertThat(run("ingest", "--help")).isZero();
    assertThat(out.toString()).contains("frames", "Stream video frames to the frames topic.");
  }

  @Test
  void ingestFramesRefusesTwoSourcesAndBadSyntheticOptionsBeforeConnecting() {
    assertThat(run("ingest", "frames", "--stream", "cam1", "--synthetic", "2")).isEqualTo(2);
    assertThat(run("ingest", "frames", "--synthetic", "2", "--size", "48", "-b", "127.0.0.1:1"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("32 or 64 pixels, got 48");
  }
}
