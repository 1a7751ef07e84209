package io.genstream.trainer.video;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.image.FrameMetrics;
import io.genstream.core.image.ImageTensor;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.framepred.FramePredictionFamily;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeldOutScoresTest {

  private static final ModelSpec SPEC = ModelSpec.defaults(ModelSpec.Family.FRAMEPRED).with(
      Map.of("imageSize", "16", "channels", "1", "contextFrames", "2", "generatorWidths", "8,8",
          "batchSize", "4"));

  /** A clip whose square moves {@code step} px per frame (0: a still picture). */
  private static Clip clip(int step) {
    List<ImageTensor> frames = new ArrayList<>();
    for (int f = 0; f < 3; f++) {
      byte[] pixels = new byte[256];
      for (int y = 4; y < 8; y++) {
        for (int x = 2 + f * step; x < 6 + f * step; x++) {
          pixels[y * 16 + x] = (byte) 255;
        }
      }
      frames.add(new ImageTensor(1, 16, 16, pixels));
    }
    return new Clip("s", 2, frames);
  }

  @Test
  void scoresTheModelAndCopyLastFrameOnTheSameClips() {
    try (FramePredictionFamily family = new FramePredictionFamily(SPEC)) {
      // 40 clips: more than one predict chunk.
      List<Clip> clips = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        clips.add(clip(2));
      }
      HeldOutScores scores = HeldOutScores.score(family, clips);
      assertThat(scores.model().frames()).isEqualTo(40);
      assertThat(scores.copyLast().frames()).isEqualTo(40);
      // Copy-last misses 2 columns of 4 pixels twice (where the square was and where it is).
      double expected = FrameMetrics.mse(clips.get(0).lastContext(), clips.get(0).target());
      assertThat(expected).isEqualTo(16.0 / 256);
      assertThat(scores.copyLast().mse()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
      Map<String, Double> metrics = scores.metrics();
      assertThat(metrics).containsEntry("heldoutClips", 40.0)
          .containsKeys("mse", "psnr", "ssim", "copyLastMse", "copyLastPsnr", "copyLastSsim");
      assertThat(metrics.get("mseVsCopyLast")).isEqualTo(metrics.get("mse") / expected);
    }
  }

  @Test
  void leavesTheRatioOutWhenCopyLastIsPerfectAndFiguresOutWithoutClips() {
    try (FramePredictionFamily family = new FramePredictionFamily(SPEC)) {
      Map<String, Double> still = HeldOutScores.score(family, List.of(clip(0))).metrics();
      assertThat(still).containsEntry("copyLastMse", 0.0)
          .containsEntry("copyLastPsnr", FrameMetrics.MAX_PSNR)
          .doesNotContainKey("mseVsCopyLast");
      assertThat(HeldOutScores.score(family, List.of()).metrics())
          .containsOnly(Map.entry("heldoutClips", 0.0));
    }
  }
}
