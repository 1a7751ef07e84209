package io.genstream.app.bench;

import io.genstream.generator.FramePredictor;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One batch inference, bare: the {@code framepred} version loaded by the generator's own
 * {@link ModelLoader} (the session options the predictor gets), and
 * {@link FramePredictor#predict} called in a loop on one thread with the same batch of
 * {@code streams} contexts: the call the prediction service makes per micro-batch, without the
 * service around it. Back to back (the runtime's best case: caches hot, its threads awake), or
 * paced one call per frame interval, as the service makes them at a camera's frame rate (each
 * call then starts from caches and threads that went cold in between).
 */
final class PredictLoop {

  private PredictLoop() {}

  /**
   * @param call the duration of one {@code predict} call on a batch of {@code streams} contexts
   * @param callsPerSecond calls per second on one thread
   */
  record Result(int streams, Percentiles call, double callsPerSecond) {}

  /**
   * Runs for {@code duration} after {@code warmup} (at least 20 timed calls).
   *
   * @throws IllegalStateException if the model does not load or the runtime fails
   */
  static Result run(BenchModel model, int streams, int ortThreads, Duration warmup,
      Duration duration) {
    return run(model, streams, ortThreads, warmup, duration, Duration.ZERO);
  }

  /**
   * As {@link #run(BenchModel, int, int, Duration, Duration)}, but each timed call starts
   * {@code interval} after the previous one started ({@link Duration#ZERO}: back to back).
   */
  static Result run(BenchModel model, int streams, int ortThreads, Duration warmup,
      Duration duration, Duration interval) {
    try (GenerativeModel loaded = ModelLoader.onnxRuntime(ortThreads).load(model.published())) {
      if (!(loaded instanceof FramePredictor predictor)) {
        throw new IllegalStateException("the bench model did not load as a frame predictor: "
            + loaded);
      }
      int size = model.spec().imageSize();
      int values = streams * predictor.contextFrames() * model.spec().channels() * size * size;
      // [streams, k·C, H, W] in [-1, 1]; the values do not change the time of a call.
      float[] frames = new float[values];
      SplittableRandom random = new SplittableRandom(42);
      for (int i = 0; i < values; i++) {
        frames[i] = (float) random.nextDouble(-1, 1);
      }
      long warmEnd = System.nanoTime() + warmup.toNanos();
      do {
        predictor.predict(frames, streams);
      } while (System.nanoTime() < warmEnd);
      long[] calls = new long[1024];
      int n = 0;
      long start = System.nanoTime();
      long end = start + duration.toNanos();
      long now = start;
      long next = start;
      while (now < end || n < 20) {
        if (n == calls.length) {
          calls = Arrays.copyOf(calls, 2 * n);
        }
        while (System.nanoTime() < next) {
          java.util.concurrent.locks.LockSupport.parkNanos(next - System.nanoTime());
        }
        next += interval.toNanos();
        long t = System.nanoTime();
        predictor.predict(frames, streams);
        now = System.nanoTime();
        calls[n++] = now - t;
      }
      return new Result(streams, Percentiles.ofNanos(calls, n), n / ((now - start) / 1e9));
    }
  }
}
