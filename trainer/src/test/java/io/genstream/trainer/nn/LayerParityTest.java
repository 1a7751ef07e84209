package io.genstream.trainer.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Each basic layer's DJL inference forward matches ONNX Runtime on its exported nodes. */
class LayerParityTest {

  @Test
  void linearMatches() throws Exception {
    Parity.Outputs out = Parity.check(new Linear("fc", 12, 5), 4, 12).assertMatch();
    assertThat(out.onnxShape()).containsExactly(4, 5);
  }

  @Test
  void convolutionsMatchForEveryKernelStrideAndPadding() throws Exception {
    Parity.check(Conv2d.same3x3("c", 3, 4), 2, 3, 8, 8).assertMatch();
    Parity.Outputs down = Parity.check(Conv2d.down4x4("d", 2, 3), 2, 2, 14, 14).assertMatch();
    assertThat(down.onnxShape()).containsExactly(2, 3, 7, 7);
    Parity.check(new Conv2d("k5", 1, 2, 5, 1, 2), 3, 1, 9, 9).assertMatch();
    Parity.check(new Conv2d("k1", 4, 2, 1, 1, 0), 2, 4, 5, 5).assertMatch();
  }

  @Test
  void batchNormMatchesOnRunningStatisticsAfterTrainingPasses() throws Exception {
    BatchNorm bn = new BatchNorm("bn", 3);
    Parity.Outputs out = Parity.check(bn, new long[] {4, 3, 5, 5}, 0, 3, (store, training) -> {
      NDManager manager = store.get("bn.weight").getManager();
      NDArray batch = manager.randomNormal(new Shape(8, 3, 5, 5)).mul(2).add(1);
      bn.forward(training, batch);
      bn.forward(training, batch);
    }).assertMatch();
    assertThat(out.onnxShape()).containsExactly(4, 3, 5, 5);
    Parity.check(new BatchNorm("bn1d", 6), 5, 6).assertMatch();
  }

  @Test
  void activationsMatch() throws Exception {
    Parity.check(Activation.relu(), 3, 7).assertMatch();
    Parity.check(Activation.leakyRelu(0.2f), 3, 7).assertMatch();
    Parity.check(Activation.tanh(), 3, 7).assertMatch();
    Parity.check(Activation.sigmoid(), 3, 7).assertMatch();
  }

  @Test
  void upsamplingMatchesNearestAndBilinear() throws Exception {
    Parity.Outputs nearest = Parity.check(Upsample.nearest(2), 2, 3, 5, 5).assertMatch();
    assertThat(nearest.onnxShape()).containsExactly(2, 3, 10, 10);
    Parity.check(Upsample.bilinear(2), 2, 3, 5, 6).assertMatch();
  }

  @Test
  void pixelShuffleMatchesDepthToSpaceCrd() throws Exception {
    Parity.Outputs out = Parity.check(new PixelShuffle(2), 2, 8, 3, 4).assertMatch();
    assertThat(out.onnxShape()).containsExactly(2, 2, 6, 8);
  }

  @Test
  void reshapeAndFlattenMatch() throws Exception {
    Parity.Outputs shaped = Parity.check(new Reshape(2, 3, 3), 4, 18).assertMatch();
    assertThat(shaped.onnxShape()).containsExactly(4, 2, 3, 3);
    Parity.Outputs flat = Parity.check(new Flatten(), 4, 2, 3, 3).assertMatch();
    assertThat(flat.onnxShape()).containsExactly(4, 18);
  }

  @Test
  void labelEmbeddingAndProjectionMatchWithLabels() throws Exception {
    Parity.Outputs embedded = Parity.check(new LabelEmbedding("emb", "label", 10, 4),
        new long[] {5, 6}, 10, 1, null).assertMatch();
    assertThat(embedded.onnxShape()).containsExactly(5, 10);
    Parity.Outputs projected = Parity.check(new ProjectionHead("head", "label", 12, 10),
        new long[] {5, 12}, 10, 2, null).assertMatch();
    assertThat(projected.onnxShape()).containsExactly(5, 1);
  }

  @Test
  void residualAndSequentialCompose() throws Exception {
    Layer block = Sequential.of(
        new Residual(Sequential.of(Conv2d.same3x3("r.c1", 2, 2), Activation.relu(),
            Conv2d.same3x3("r.c2", 2, 2))),
        Conv2d.down4x4("down", 2, 3), Activation.leakyRelu(0.2f), new Flatten(),
        new Linear("out", 3 * 4 * 4, 1));
    Parity.Outputs out = Parity.check(block, 3, 2, 8, 8).assertMatch();
    assertThat(out.onnxShape()).containsExactly(3, 1);
  }

  @Test
  void twoLayersWithTheSameParameterNameAreRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            ParameterDeclarations.of(Sequential.of(new Linear("fc", 2, 2), new Linear("fc", 2, 2))))
        .hasMessageContaining("fc.weight is declared twice");
  }
}
