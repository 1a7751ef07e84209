package io.genstream.app.bench;

import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.IntSupplier;

/**
 * The same generator network's forward pass in DJL (the trainer's inference-mode pass,
 * {@link BenchModel#djlForward}) and in ONNX Runtime on its exported graph (the generator's
 * {@link GenerativeModel#generate}, loaded by its own {@link ModelLoader}): both take arrays
 * and return arrays, on batches of the same inputs. Rounds alternate the two, the order
 * flipping each round, so that background load hits both alike; the ratio is the median of
 * the per-round ratios.
 *
 * <p>Runs on the calling thread, which must be the one that created the {@link BenchModel}
 * (its PyTorch intra-op threads were set there).
 */
final class DjlVsOrt {

  private DjlVsOrt() {}

  /**
   * @param djl median images per second of the DJL rounds
   * @param ort median images per second of the ONNX Runtime rounds
   * @param ratio median over rounds of ORT / DJL
   * @param maxAbsDiff largest difference between the two outputs on one batch (they compute
   *     the same function)
   */
  record Result(double djl, double ort, double ratio, int rounds, double maxAbsDiff) {}

  static Result run(BenchModel model, int batch, int ortThreads, int rounds, Duration perRound,
      Duration warmup) {
    BenchModel.Inputs inputs = model.inputs(batch, 7);
    try (GenerativeModel ort = ModelLoader.onnxRuntime(ortThreads).load(model.published())) {
      IntSupplier djlCall = () -> model.djlForward(inputs).length;
      IntSupplier ortCall = () -> ort.generate(inputs.latents(), inputs.labels(), inputs.n()).length;
      float[] a = model.djlForward(inputs);
      float[] b = ort.generate(inputs.latents(), inputs.labels(), inputs.n());
      double diff = 0;
      for (int i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
      }
      measure(djlCall, batch, warmup);
      measure(ortCall, batch, warmup);
      double[] djl = new double[rounds];
      double[] onnx = new double[rounds];
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        if (r % 2 == 0) {
          djl[r] = measure(djlCall, batch, perRound);
          onnx[r] = measure(ortCall, batch, perRound);
        } else {
          onnx[r] = measure(ortCall, batch, perRound);
          djl[r] = measure(djlCall, batch, perRound);
        }
        ratios[r] = onnx[r] / djl[r];
      }
      return new Result(median(djl), median(onnx), median(ratios), rounds, diff);
    }
  }

  /** Images per second of back-to-back calls for {@code duration} (at least one call). */
  private static double measure(IntSupplier call, int batch, Duration duration) {
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long calls = 0;
    long now;
    do {
      call.getAsInt();
      calls++;
      now = System.nanoTime();
    } while (now < end);
    return calls * batch / ((now - start) / 1e9);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
