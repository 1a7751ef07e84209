package io.genstream.trainer.gan;

import io.genstream.trainer.SampleGrid;
import io.genstream.trainer.testing.TestDigits;
import java.nio.file.Path;

/**
 * Not a test: a longer quality and speed check to run by hand.
 *
 * <pre>java -Dai.djl.offline=true -cp ... io.genstream.trainer.gan.TrainDigitsByHand STEPS OUT_DIR</pre>
 * Writes a grid every 200 steps (train-mode BN stats as collected, and recalibrated) and prints
 * images/s and resident memory.
 */
public final class TrainDigitsByHand {

  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    int steps = args.length > 0 ? Integer.parseInt(args[0]) : 1200;
    Path out = Path.of(args.length > 1 ? args[1] : "target/by-hand");
    GanConfig config = GanConfig.digits();
    TestDigits digits = new TestDigits(7, config.imageSize());
    SampleGrid grid = new SampleGrid(10, 8, config.latentDim(), 2, 1234);
    int n = config.batchSize();
    int pixels = config.imageSize() * config.imageSize();
    // Pre-render a pool so rendering time does not count as training time.
    int poolSize = 6400;
    float[] pool = new float[poolSize * pixels];
    int[] poolLabels = new int[poolSize];
    for (int i = 0; i < poolSize; i++) {
      poolLabels[i] = i % 10;
      digits.renderInto(poolLabels[i], pool, i * pixels);
    }
    try (ConditionalGan gan = new ConditionalGan(config)) {
      System.out.println(ConditionalGan.engineVersion() + " params G/D "
          + java.util.Arrays.toString(gan.parameterCounts()));
      float[] images = new float[n * pixels];
      int[] labels = new int[n];
      long windowStart = System.nanoTime();
      int windowImages = 0;
      for (int s = 1; s <= steps; s++) {
        for (int i = 0; i < n; i++) {
          int pick = digits.random().nextInt(poolSize);
          labels[i] = poolLabels[pick];
          System.arraycopy(pool, pick * pixels, images, i * pixels, pixels);
        }
        StepResult r = gan.step(images, labels);
        windowImages += n;
        if (s % 50 == 0) {
          double seconds = (System.nanoTime() - windowStart) / 1e9;
          System.out.printf("step %d dLoss %.3f gLoss %.3f D(x) %.2f D(G(z)) %.2f  %.0f img/s"
                  + "  arrays %d  rss %d MB%n", s, r.discriminatorLoss(), r.generatorLoss(),
              r.realScore(), r.fakeScore(), windowImages / seconds, gan.nativeArrayCount(),
              rssMb());
          windowStart = System.nanoTime();
          windowImages = 0;
        }
        if (s % 200 == 0 || s == steps) {
          grid.write(out, "raw", s, gan.generate(grid.latents(), grid.labels()), 28);
          gan.recalibrateBatchNorm(config.batchNormCalibrationBatches());
          grid.write(out, "calibrated", s, gan.generate(grid.latents(), grid.labels()), 28);
          windowStart = System.nanoTime();
          windowImages = 0;
        }
      }
      float[] sample = new float[80 * pixels];
      int[] sampleLabels = new int[80];
      for (int i = 0; i < 80; i++) {
        sampleLabels[i] = i % 10;
        digits.renderInto(i % 10, sample, i * pixels);
      }
      grid.write(out, "real", 0, sample, 28);
    }
  }

  private static long rssMb() throws Exception {
    for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }
}
