package io.genstream.trainer.family.framepred;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import io.genstream.trainer.nn.Conv2d;
import io.genstream.trainer.nn.Parity;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The layer's DJL inference forward matches ONNX Runtime, and it adds the last frame. */
class LastFrameResidualTest {

  @Test
  void matchesOnnxRuntimeForOneAndSeveralChannels() throws Exception {
    Parity.Outputs grey = Parity.check(
        new LastFrameResidual(Conv2d.same3x3("delta", 3, 1), 3, 1), 2, 3, 6, 6).assertMatch();
    assertThat(grey.onnxShape()).containsExactly(2, 1, 6, 6);
    Parity.Outputs rgb = Parity.check(
        new LastFrameResidual(Conv2d.same3x3("delta", 6, 3), 2, 3), 3, 6, 5, 7).assertMatch();
    assertThat(rgb.onnxShape()).containsExactly(3, 3, 5, 7);
  }

  @Test
  void aBodyOfZerosRepeatsTheLastFrameClippedToTheImageRange() throws Exception {
    long seed = 11;
    long[] shape = {2, 6, 4, 4}; // 3 frames of 2 channels
    Parity.Outputs out = Parity.check(new LastFrameResidual(Conv2d.same3x3("delta", 6, 2), 3, 2),
        shape, 0, seed, (store, training) -> {
          for (NDArray weight : store.all().values()) {
            weight.set(new float[(int) weight.size()]);
          }
        }).assertMatch();
    // Parity draws the input first from Random(seed): the same values here.
    Random random = new Random(seed);
    float[] x = new float[2 * 6 * 16];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextGaussian();
    }
    float[] expected = new float[2 * 2 * 16];
    for (int n = 0; n < 2; n++) {
      for (int i = 0; i < 2 * 16; i++) {
        float last = x[n * 6 * 16 + 4 * 16 + i]; // channels 4..5: the last frame
        expected[n * 2 * 16 + i] = Math.max(-1f, Math.min(1f, last));
      }
    }
    assertThat(out.djl()).containsExactly(expected);
  }
}
