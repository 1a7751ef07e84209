package io.genstream.trainer.bench;

import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.nn.Engine;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Training throughput of a family's default spec (batch 64, 28×28 digits shapes) on random
 * images in [-1, 1] with random labels: the DJL half of {@code bench/trainer-vs-pytorch.sh},
 * whose PyTorch halves are {@code bench/pytorch_<family>.py}. Not a JUnit test.
 *
 * <p>Arguments (all optional, {@code key=value}): {@code family=cgan threads=2 warmup=20
 * steps=100 batch=64 pool=16}. Prints one line: {@code djl images_per_s=... steps=...
 * threads=... batch=... ms_per_step=... family=...}. Run with {@code -Dai.djl.offline=true} and
 * the trainer's test class path.
 */
public final class TrainerBenchmark {

  private TrainerBenchmark() {}

  public static void main(String[] args) {
    String family = "cgan";
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
      String key = kv[0].replaceFirst("^--", "");
      if (key.equals("family")) {
        family = kv[1].trim();
        continue;
      }
      int value = Integer.parseInt(kv[1].trim());
      switch (key) {
        case "threads" -> threads = value;
        case "warmup" -> warmup = value;
        case "steps" -> steps = value;
        case "batch" -> batch = value;
        case "pool" -> poolSize = value;
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }

    ModelSpec spec = ModelSpec.defaults(ModelSpec.Family.valueOf(family.toUpperCase(Locale.ROOT)))
        .with(Map.of("batchSize", String.valueOf(batch)));
    int pixels = spec.pixelsPerImage();
    // Random data prepared before timing.
    Random random = new Random(42);
    Batch[] pool = new Batch[poolSize];
    for (int p = 0; p < poolSize; p++) {
      float[] images = new float[batch * pixels];
      int[] labels = new int[batch];
      for (int i = 0; i < images.length; i++) {
        images[i] = random.nextFloat() * 2f - 1f;
      }
      for (int i = 0; i < batch; i++) {
        labels[i] = spec.conditional() ? random.nextInt(spec.numClasses()) : 0;
      }
      pool[p] = new Batch(images, labels);
    }

    // Load the engine first: setting threads before libtorch is loaded throws
    // UnsatisfiedLinkError. Intra-op threads belong to the calling thread (OpenMP).
    String engine = Engine.version();
    Engine.setIntraOpThreads(threads);
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      for (int i = 0; i < warmup; i++) {
        model.step(pool[i % poolSize]);
      }
      StepResult last = null;
      long start = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        last = model.step(pool[(warmup + i) % poolSize]);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      StringBuilder metrics = new StringBuilder();
      if (last != null) {
        last.metrics().forEach((name, value) -> metrics.append(' ')
            .append(name.replaceAll("[^A-Za-z]", "_")).append('=')
            .append(String.format(Locale.ROOT, "%.4f", value)));
      }
      System.out.println(String.format(Locale.ROOT,
          "djl images_per_s=%.1f steps=%d threads=%d batch=%d ms_per_step=%.2f family=%s"
              + " engine=%s%s",
          steps * batch / seconds, steps, Engine.intraOpThreads(), batch,
          1000 * seconds / steps, family, engine.replace(' ', '_'), metrics));
    }
  }
}
