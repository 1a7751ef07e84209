package io.genstream.app.bench;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader;
import java.util.Arrays;

/**
 * A {@link ModelLoader} that loads with another one and wraps every frame predictor it loads so
 * that each {@link FramePredictor#predict} call inside the prediction service is recorded: how
 * many stream contexts it took and how long it ran. The predictor service has no meters of its
 * own; this is how the benchmark sees its batches.
 *
 * <p><b>Threads.</b> {@link #load} runs on the registry's thread; {@link #mark} and
 * {@link #since} on any thread. Calls are recorded under this object's lock (a few per frame
 * interval). At most {@value #CAPACITY} calls are kept; later ones count but are not kept.
 */
final class MeteredPredictors implements ModelLoader {

  private static final int CAPACITY = 1 << 20;

  private final ModelLoader loader;
  private long[] nanos = new long[1024];
  private int[] sizes = new int[1024];
  private int calls;

  MeteredPredictors(ModelLoader loader) {
    this.loader = loader;
  }

  @Override
  public ExecutionProvider executionProvider() {
    return loader.executionProvider();
  }

  @Override
  public GenerativeModel load(PublishedModel model) {
    GenerativeModel loaded = loader.load(model);
    if (loaded instanceof FramePredictor predictor) {
      return new Metered(loaded, predictor);
    }
    return loaded;
  }

  private synchronized void record(int n, long duration) {
    if (calls == CAPACITY) {
      return;
    }
    if (calls == nanos.length) {
      nanos = Arrays.copyOf(nanos, 2 * calls);
      sizes = Arrays.copyOf(sizes, 2 * calls);
    }
    nanos[calls] = duration;
    sizes[calls] = n;
    calls++;
  }

  /** Where the calls from now on start. */
  synchronized int mark() {
    return calls;
  }

  /**
   * The calls since {@code mark}.
   *
   * @param calls ONNX Runtime calls
   * @param meanBatch mean stream contexts per call
   * @param batchSizes how many calls took 1, 2, … contexts (index = contexts)
   * @param call the duration of one call, or null if there was none
   * @param seconds the time inside the calls, in all
   */
  record Calls(int calls, double meanBatch, int[] batchSizes, Percentiles call, double seconds) {}

  synchronized Calls since(int mark) {
    int n = calls - mark;
    if (n <= 0) {
      return new Calls(0, 0, new int[0], null, 0);
    }
    int largest = 0;
    long total = 0;
    long inside = 0;
    for (int i = mark; i < calls; i++) {
      largest = Math.max(largest, sizes[i]);
      total += sizes[i];
      inside += nanos[i];
    }
    int[] histogram = new int[largest + 1];
    for (int i = mark; i < calls; i++) {
      histogram[sizes[i]]++;
    }
    return new Calls(n, (double) total / n, histogram,
        Percentiles.ofNanos(Arrays.copyOfRange(nanos, mark, calls), n), inside / 1e9);
  }

  /** The loaded predictor, timing each call; everything else passes through. */
  private final class Metered implements FramePredictor, GenerativeModel {
    private final GenerativeModel model;
    private final FramePredictor predictor;

    Metered(GenerativeModel model, FramePredictor predictor) {
      this.model = model;
      this.predictor = predictor;
    }

    @Override
    public float[] predict(float[] frames, int n) {
      long start = System.nanoTime();
      float[] out = predictor.predict(frames, n);
      record(n, System.nanoTime() - start);
      return out;
    }

    @Override
    public ModelManifest manifest() {
      return predictor.manifest();
    }

    @Override
    public int contextFrames() {
      return predictor.contextFrames();
    }

    @Override
    public float[] generate(float[] latents, long[] labels, int n) {
      return model.generate(latents, labels, n);
    }

    @Override
    public ExecutionProvider executionProvider() {
      return predictor.executionProvider();
    }

    @Override
    public void close() {
      predictor.close();
    }
  }
}
