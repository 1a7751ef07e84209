package io.genstream.ingest.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.VideoFrame;
import io.genstream.ingest.synthetic.DigitRenderer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MovingDigitsTest {

  private static List<VideoFrame> frames(MovingDigits.Options options) {
    return new MovingDigits(options).videoFrames().collectList().block();
  }

  @Test
  void theSameSeedGivesTheSameFramesAndAnotherSeedOthers() {
    MovingDigits.Options options = new MovingDigits.Options(3, 32, 2, 3, 7, 20, 0);
    List<VideoFrame> first = frames(options);
    List<VideoFrame> again = frames(options);
    List<VideoFrame> other = frames(new MovingDigits.Options(3, 32, 2, 3, 8, 20, 0));

    assertThat(first).hasSize(60);
    for (int i = 0; i < first.size(); i++) {
      assertThat(again.get(i).png()).isEqualTo(first.get(i).png());
    }
    assertThat(other.get(0).png()).isNotEqualTo(first.get(0).png());
  }

  @Test
  void streamsAdvanceTogetherWithFrameIndicesCountingFromZero() {
    List<VideoFrame> frames = frames(new MovingDigits.Options(3, 64, 3, 2, 1, 4, 0));

    assertThat(frames).extracting(VideoFrame::streamId).containsExactly(
        "digits-0", "digits-1", "digits-2", "digits-0", "digits-1", "digits-2",
        "digits-0", "digits-1", "digits-2", "digits-0", "digits-1", "digits-2");
    assertThat(frames).extracting(VideoFrame::frame)
        .containsExactly(0L, 0L, 0L, 1L, 1L, 1L, 2L, 2L, 2L, 3L, 3L, 3L);
    GrayImage image = Png.decode(frames.get(0).png());
    assertThat(image.width()).isEqualTo(64);
    assertThat(image.height()).isEqualTo(64);
  }

  @Test
  void consecutiveFramesDifferClearlySoCopyingTheLastFrameIsWrong() {
    List<VideoFrame> frames = frames(new MovingDigits.Options(1, 32, 2, 1, 3, 30, 0));
    for (int i = 1; i < frames.size(); i++) {
      GrayImage before = Png.decode(frames.get(i - 1).png());
      GrayImage after = Png.decode(frames.get(i).png());
      double mse = 0;
      for (int p = 0; p < before.pixels().length; p++) {
        double d = (before.pixels()[p] & 0xFF) - (after.pixels()[p] & 0xFF);
        mse += d * d;
      }
      mse /= before.pixels().length;
      assertThat(mse).as("MSE between frames %d and %d", i - 1, i).isGreaterThan(100);
      assertThat(ink(after)).as("ink of frame %d", i).isGreaterThan(10 * 255);
    }
  }

  @Test
  void digitsStayInTheFrameAndBounceOffTheWalls() {
    MovingDigits.Options options = new MovingDigits.Options(1, 32, 3, 3, 11, 0, 0);
    MovingDigits.Clip clip =
        MovingDigits.Clip.random(new DigitRenderer(28), options, new SplittableRandom(11));
    int flipsX = 0;
    int flipsY = 0;
    for (int frame = 0; frame < 200; frame++) {
      double[] before = clip.sprites.stream().mapToDouble(s -> s.vx).toArray();
      double[] beforeY = clip.sprites.stream().mapToDouble(s -> s.vy).toArray();
      clip.step();
      for (int i = 0; i < before.length; i++) {
        MovingDigits.Sprite sprite = clip.sprites.get(i);
        assertThat(sprite.x).isBetween(0.0, 32.0 - sprite.glyph.width());
        assertThat(sprite.y).isBetween(0.0, 32.0 - sprite.glyph.width());
        assertThat(Math.abs(sprite.vx)).isEqualTo(Math.abs(before[i]));
        if (Math.signum(sprite.vx) != Math.signum(before[i])) {
          flipsX++;
        }
        if (Math.signum(sprite.vy) != Math.signum(beforeY[i])) {
          flipsY++;
        }
      }
      clip.render(); // never draws outside the canvas
    }
    // 200 frames at >= 1 px per frame on each axis cross an 18-pixel room many times.
    assertThat(flipsX).isGreaterThan(5);
    assertThat(flipsY).isGreaterThan(5);
  }

  @Test
  void aSceneCutEveryClipFramesStartsANewClipInTheSameStream() {
    List<VideoFrame> frames = frames(new MovingDigits.Options(1, 32, 2, 1, 5, 12, 6));
    assertThat(frames).extracting(VideoFrame::frame)
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
    assertThat(frames.get(6).png()).isNotEqualTo(frames.get(5).png());
  }

  @Test
  void optionsNameTheValidRange() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new MovingDigits.Options(1, 48, 2, 1, 5, 0, 0))
        .hasMessageContaining("32 or 64").hasMessageContaining("48");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new MovingDigits.Options(1, 32, 2, 4, 5, 0, 0))
        .hasMessageContaining("1..3");
  }

  private static long ink(GrayImage image) {
    long sum = 0;
    for (byte b : image.pixels()) {
      sum += b & 0xFF;
    }
    return sum;
  }
}
