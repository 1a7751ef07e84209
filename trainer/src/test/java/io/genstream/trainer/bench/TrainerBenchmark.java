package io.genstream.trainer.bench;

import io.genstream.trainer.gan.ConditionalGan;
import io.genstream.trainer.gan.GanConfig;
import io.genstream.trainer.gan.StepResult;
import java.util.Locale;
import java.util.Random;

/**
 * Throughput of {@link ConditionalGan#step} with {@link GanConfig#digits()} (batch 64) on random
 * images in [-1, 1] with random labels: the DJL half of {@code bench/trainer-vs-pytorch.sh},
 * whose PyTorch half is {@code bench/pytorch_cgan.py}. Not a JUnit test.
 *
 * <p>Arguments (all optional, {@code key=value}): {@code threads=2 warmup=20 steps=100 batch=64
 * pool=16}. Prints one line: {@code djl images_per_s=... steps=... threads=... batch=...
 * ms_per_step=...}. Run with {@code -Dai.djl.offline=true} and the trainer's test class path.
 */
public final class TrainerBenchmark {

  private TrainerBenchmark() {}

  public static void main(String[] args) {
    int threads = 2;
    int warmup = 20;
    int steps = 100;
    int batch = 64;
    int poolSize = 16;
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      if (kv.length != 2) {
        throw new IllegalArgumentException("expected key=value, got " + arg);
      }
      int value = Integer.parseInt(kv[1].trim());
      switch (kv[0].replaceFirst("^--", "")) {
        case "threads" -> threads = value;
        case "warmup" -> warmup = value;
        case "steps" -> steps = value;
        case "batch" -> batch = value;
        case "pool" -> poolSize = value;
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }

    GanConfig config = GanConfig.digits().withBatchSize(batch);
    int pixels = config.imageSize() * config.imageSize();
    // Random data prepared before timing.
    Random random = new Random(42);
    float[][] images = new float[poolSize][batch * pixels];
    int[][] labels = new int[poolSize][batch];
    for (int p = 0; p < poolSize; p++) {
      for (int i = 0; i < images[p].length; i++) {
        images[p][i] = random.nextFloat() * 2f - 1f;
      }
      for (int i = 0; i < batch; i++) {
        labels[p][i] = random.nextInt(config.numClasses());
      }
    }

    // Load the engine first: JniUtils.setNumThreads before libtorch is loaded throws
    // UnsatisfiedLinkError. Intra-op threads belong to the calling thread (OpenMP): set them on
    // the training thread.
    String engine = ConditionalGan.engineVersion();
    ConditionalGan.setIntraOpThreads(threads);
    try (ConditionalGan gan = new ConditionalGan(config)) {
      for (int i = 0; i < warmup; i++) {
        gan.step(images[i % poolSize], labels[i % poolSize]);
      }
      StepResult last = null;
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        int p = (warmup + i) % poolSize;
        last = gan.step(images[p], labels[p]);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.println(String.format(Locale.ROOT,
          "djl images_per_s=%.1f steps=%d threads=%d batch=%d ms_per_step=%.2f engine=%s"
              + " d_loss=%.4f g_loss=%.4f",
          steps * batch / seconds, steps, ConditionalGan.intraOpThreads(), batch,
          1000 * seconds / steps, engine.replace(' ', '_'),
          last == null ? Float.NaN : last.discriminatorLoss(),
          last == null ? Float.NaN : last.generatorLoss()));
    }
  }
}
