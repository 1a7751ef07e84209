package io.genstream.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.genstream.core.messages.ModelManifest;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import org.junit.jupiter.api.Test;

/** {@link MeteredPredictors}: what the video benchmark reports of the predictor's batches. */
class MeteredPredictorsTest {

  /** A frame predictor that returns zeros of the right length (1 channel, 2×2, k = 1). */
  private static final class Zeros implements FramePredictor, GenerativeModel {
    boolean closed;

    @Override
    public ModelManifest manifest() {
      return null;
    }

    @Override
    public int contextFrames() {
      return 1;
    }

    @Override
    public float[] predict(float[] frames, int n) {
      return new float[4 * n];
    }

    @Override
    public float[] generate(float[] latents, long[] labels, int n) {
      throw new UnsupportedOperationException();
    }

    @Override
    public ExecutionProvider executionProvider() {
      return ExecutionProvider.CPU;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Test
  void countsTheContextsOfEachCallSinceAMarkAndPassesResultsAndCloseThrough() {
    Zeros zeros = new Zeros();
    MeteredPredictors meters = new MeteredPredictors(model -> zeros);
    GenerativeModel loaded = meters.load(null);
    FramePredictor predictor = (FramePredictor) loaded;

    predictor.predict(new float[4], 1); // before the mark: not counted
    int mark = meters.mark();
    assertThat(predictor.predict(new float[8 * 4], 8)).hasSize(32);
    predictor.predict(new float[8 * 4], 8);
    predictor.predict(new float[3 * 4], 3);
    MeteredPredictors.Calls calls = meters.since(mark);
    loaded.close();

    assertThat(calls.calls()).isEqualTo(3);
    assertThat(calls.meanBatch()).isCloseTo(19 / 3.0, offset(1e-9));
    assertThat(calls.batchSizes()).containsExactly(0, 0, 0, 1, 0, 0, 0, 0, 2);
    assertThat(calls.call().count()).isEqualTo(3);
    assertThat(zeros.closed).isTrue();
    assertThat(meters.since(meters.mark()).calls()).isZero();
  }
}
