package io.genstream.trainer.family.gan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.genstream.trainer.nn.Activation;
import io.genstream.trainer.nn.Conv2d;
import io.genstream.trainer.nn.Flatten;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.Layer;
import io.genstream.trainer.nn.Linear;
import io.genstream.trainer.nn.ParameterDeclarations;
import io.genstream.trainer.nn.ParameterStore;
import io.genstream.trainer.nn.Sequential;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Milliseconds per WGAN critic step with and without {@link GradientPenalty}, for a DCGAN-style
 * critic (Conv 4×4 s2 1→64, LeakyReLU 0.2, Conv 4×4 s2 64→128, LeakyReLU 0.2, Linear 6272→1) on
 * batches of 1×28×28 images. A step: scores of real and fake in one batch of 2N, Wasserstein
 * loss (plus the penalty), backward, SGD in place, zero the gradients. Blocks of plain and
 * penalised steps alternate, so a busy machine slows both alike; prints the median of each, as
 * wall-clock time and as the process's CPU time (which a busy machine inflates much less; with
 * {@code threads=1} it is the time the step would take on an idle core). Not a JUnit test.
 *
 * <p>Arguments ({@code key=value}, all optional): {@code threads=2 batch=64 steps=20 rounds=5
 * warmup=10}. Run with {@code -Dai.djl.offline=true} and the trainer's test class path.
 */
public final class GradientPenaltyBenchmark {

  private GradientPenaltyBenchmark() {}

  public static void main(String[] args) {
    int threads = 2;
    int batch = 64;
    int steps = 20;
    int rounds = 5;
    int warmup = 10;
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      int value = Integer.parseInt(kv[1].trim());
      switch (kv[0]) {
        case "threads" -> threads = value;
        case "batch" -> batch = value;
        case "steps" -> steps = value;
        case "rounds" -> rounds = value;
        case "warmup" -> warmup = value;
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    Engine.getEngine("PyTorch");
    JniUtils.setNumThreads(threads);
    Layer body = Sequential.of(Conv2d.down4x4("c1", 1, 64), Activation.leakyRelu(0.2f),
        Conv2d.down4x4("c2", 64, 128), Activation.leakyRelu(0.2f), new Flatten(),
        new Linear("out", 128 * 7 * 7, 1));
    Random random = new Random(1);
    try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store =
          new ParameterStore(base, ParameterDeclarations.of(body), new Random(0), true);
      Function<NDArray, NDArray> critic =
          x -> body.forward(Forward.training(store::get, Map.of()), x);
      double[][] plain = new double[2][rounds]; // wall, CPU
      double[][] penalised = new double[2][rounds];
      step(base, store, critic, batch, random, false, warmup);
      step(base, store, critic, batch, random, true, warmup);
      for (int r = 0; r < rounds; r++) {
        double[] a = step(base, store, critic, batch, random, false, steps);
        double[] b = step(base, store, critic, batch, random, true, steps);
        for (int k = 0; k < 2; k++) {
          plain[k][r] = a[k];
          penalised[k][r] = b[k];
        }
      }
      String[] kinds = {"wall", "cpu"};
      for (int k = 0; k < 2; k++) {
        Arrays.sort(plain[k]);
        Arrays.sort(penalised[k]);
        double p = plain[k][rounds / 2];
        double gp = penalised[k][rounds / 2];
        System.out.printf(Locale.ROOT,
            "critic step batch=%d threads=%d %s: plain %.1f ms, with gradient penalty %.1f ms"
                + " (%.2fx); rounds plain %s, penalised %s%n",
            batch, threads, kinds[k], p, gp, gp / p, Arrays.toString(round(plain[k])),
            Arrays.toString(round(penalised[k])));
      }
    }
  }

  /** Runs {@code count} critic steps; returns wall and process CPU milliseconds per step. */
  private static double[] step(NDManager base, ParameterStore store,
      Function<NDArray, NDArray> critic, int n, Random random, boolean penalty, int count) {
    long start = System.nanoTime();
    long cpuStart = processCpuNanos();
    for (int i = 0; i < count; i++) {
      try (NDManager step = base.newSubManager()) {
        JniUtils.setGradMode(true);
        NDArray real = step.randomUniform(-1f, 1f, new Shape(n, 1, 28, 28));
        NDArray fake = step.randomUniform(-1f, 1f, new Shape(n, 1, 28, 28));
        NDArray scores = critic.apply(NDArrays.concat(new NDList(real, fake)));
        NDArray loss = scores.get(n + ":").mean().sub(scores.get("0:" + n).mean());
        if (penalty) {
          loss = loss.add(GradientPenalty.penalty(critic, real, fake, random,
              GradientPenalty.DEFAULT_WEIGHT));
        }
        try (NDArray seed = loss.onesLike()) {
          JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
        JniUtils.setGradMode(false);
        for (NDArray weight : store.trainable().values()) {
          try (NDArray gradient = JniUtils.getGradient((PtNDArray) weight)) {
            weight.subi(gradient.muli(1e-4f));
          }
          JniUtils.zeroGrad((PtNDArray) weight);
        }
      }
    }
    return new double[] {(System.nanoTime() - start) / 1e6 / count,
        (processCpuNanos() - cpuStart) / 1e6 / count};
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static double[] round(double[] values) {
    return Arrays.stream(values).map(v -> Math.round(v * 10) / 10.0).toArray();
  }
}
