package io.genstream.trainer.testing;

import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.ModelSpec;
import java.util.Random;

/**
 * Deterministic training batches for family tests: rendered digits for one-channel specs, and
 * for three channels the same digit tinted per channel, so tests run fast on real-looking data.
 */
public final class TestBatches {

  private final ModelSpec spec;
  private final TestDigits digits;
  private final Random random;

  public TestBatches(ModelSpec spec, long seed) {
    this.spec = spec;
    this.digits = new TestDigits(seed, spec.imageSize());
    this.random = new Random(seed);
  }

  /** The next batch of {@code n} labelled images of the spec's shape. */
  public Batch next(int n) {
    int side = spec.imageSize() * spec.imageSize();
    float[] images = new float[n * spec.pixelsPerImage()];
    int[] labels = new int[n];
    float[] plane = new float[side];
    for (int i = 0; i < n; i++) {
      int digit = random.nextInt(10);
      labels[i] = spec.numClasses() > 0 ? digit % spec.numClasses() : 0;
      digits.renderInto(digit, plane, 0);
      for (int c = 0; c < spec.channels(); c++) {
        float tint = spec.channels() == 1 ? 1f : 0.4f + 0.3f * c;
        for (int p = 0; p < side; p++) {
          images[(i * spec.channels() + c) * side + p] = (plane[p] + 1f) * tint - 1f;
        }
      }
    }
    return new Batch(images, labels);
  }
}
