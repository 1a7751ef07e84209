package io.genstream.trainer.family.augment;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.genstream.trainer.family.ModelSpec.Augmentation;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Differentiable augmentation of a discriminator's input (DiffAugment, Zhao et al. 2020,
 * "Differentiable Augmentation for Data-Efficient GAN Training"), with ADA's per-image
 * probability (Karras et al. 2020): each operation of the policy is applied to each image
 * independently with probability {@code p}, the {@code color} operation's three parts each with
 * their own draw. The operations follow DiffAugment's reference code for images in [-1, 1]:
 * <ul>
 *   <li>{@code translation}: a shift of up to ⌊side/8 + ½⌋ pixels per axis, uniform, the pixels
 *       shifted in being 0 (zero padding);
 *   <li>{@code cutout}: a square of ⌊side/2 + ½⌋ pixels set to 0, its centre uniform over the
 *       image (the square is clipped at the edges);
 *   <li>{@code color}: brightness {@code x + (u − ½)}, saturation {@code (x − mean_c x)·2u +
 *       mean_c x} (no change for one channel), contrast {@code (x − mean x)·(u + ½) + mean x},
 *       {@code u ~ U[0, 1)} per image.
 * </ul>
 *
 * <p><b>Contract.</b> The result has the input's shape and is a differentiable function of it:
 * translation is a product with 0/1 shift matrices ({@code R·x·Cᵀ} per image), cutout a product
 * with a constant mask, colour affine per image; so gradients reach the images (and the
 * generator behind fake ones), while the random parameters carry no gradient. All draws come
 * from the given {@link Random}, in a fixed number per image whatever {@code p} is, so a step's
 * augmentation is a function of its seed. With {@code p = 0}, or no image drawn for any
 * operation, the input itself is returned. Arrays are created in the input's manager. Runs on
 * the calling thread; not for export (only the discriminator sees augmented images).
 */
public final class DiffAugment {

  private DiffAugment() {}

  /**
   * @param images {@code [N, C, H, W]}
   * @param policy the operations, applied in this order
   * @param p probability in [0, 1] that an operation is applied to an image
   * @throws IllegalArgumentException if the images are not {@code [N, C, H, W]} or p is not in
   *     [0, 1]
   */
  public static NDArray apply(NDArray images, List<Augmentation> policy, float p,
      Random random) {
    Objects.requireNonNull(random, "random");
    Shape shape = images.getShape();
    if (shape.dimension() != 4) {
      throw new IllegalArgumentException("expected images [N, C, H, W], got " + shape);
    }
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException("p must be in [0, 1], got " + p);
    }
    int n = Math.toIntExact(shape.get(0));
    int h = Math.toIntExact(shape.get(2));
    int w = Math.toIntExact(shape.get(3));
    NDArray x = images;
    for (Augmentation operation : policy) {
      switch (operation) {
        case TRANSLATION -> {
          int maxY = (int) (h * 0.125 + 0.5);
          int maxX = (int) (w * 0.125 + 0.5);
          int[] dy = new int[n];
          int[] dx = new int[n];
          boolean any = false;
          for (int i = 0; i < n; i++) {
            boolean on = random.nextFloat() < p;
            int ty = random.nextInt(2 * maxY + 1) - maxY;
            int tx = random.nextInt(2 * maxX + 1) - maxX;
            dy[i] = on ? ty : 0;
            dx[i] = on ? tx : 0;
            any |= on;
          }
          x = any ? translate(x, dy, dx) : x;
        }
        case CUTOUT -> {
          int sizeY = (int) (h * 0.5 + 0.5);
          int sizeX = (int) (w * 0.5 + 0.5);
          int[] cy = new int[n];
          int[] cx = new int[n];
          boolean any = false;
          for (int i = 0; i < n; i++) {
            boolean on = random.nextFloat() < p;
            // DiffAugment's range of centres: 0..side, or 0..side-1 for an odd square.
            int y = random.nextInt(h + 1 - sizeY % 2);
            int xx = random.nextInt(w + 1 - sizeX % 2);
            cy[i] = on ? y : -1;
            cx[i] = on ? xx : -1;
            any |= on;
          }
          x = any ? cutout(x, cy, cx, sizeY, sizeX) : x;
        }
        case COLOR -> {
          x = brightness(x, draws(random, n, p, -0.5f, 1f, 0f));
          x = saturation(x, draws(random, n, p, 0f, 2f, 1f));
          x = contrast(x, draws(random, n, p, 0.5f, 1f, 1f));
        }
      }
    }
    return x;
  }

  /**
   * Per image: {@code offset + scale·u} with probability p, else {@code identity}; null if no
   * image was drawn (the operation is skipped).
   */
  private static float[] draws(Random random, int n, float p, float offset, float scale,
      float identity) {
    float[] values = new float[n];
    boolean any = false;
    for (int i = 0; i < n; i++) {
      boolean on = random.nextFloat() < p;
      float u = random.nextFloat();
      values[i] = on ? offset + scale * u : identity;
      any |= on;
    }
    return any ? values : null;
  }

  /**
   * {@code out[n, c, i, j] = x[n, c, i + dy[n], j + dx[n]]}, 0 where that falls outside.
   * As {@code R·x·Cᵀ} with 0/1 matrices, so exact and differentiable.
   */
  static NDArray translate(NDArray x, int[] dy, int[] dx) {
    Shape shape = x.getShape();
    int n = Math.toIntExact(shape.get(0));
    int h = Math.toIntExact(shape.get(2));
    int w = Math.toIntExact(shape.get(3));
    float[] rows = new float[n * h * h]; // R[n, i, k] = 1 iff k = i + dy
    float[] columns = new float[n * w * w]; // Cᵀ[n, l, j] = 1 iff l = j + dx
    for (int s = 0; s < n; s++) {
      for (int i = 0; i < h; i++) {
        int k = i + dy[s];
        if (k >= 0 && k < h) {
          rows[(s * h + i) * h + k] = 1f;
        }
      }
      for (int j = 0; j < w; j++) {
        int l = j + dx[s];
        if (l >= 0 && l < w) {
          columns[(s * w + l) * w + j] = 1f;
        }
      }
    }
    NDManager manager = x.getManager();
    NDArray r = manager.create(rows, new Shape(n, 1, h, h));
    NDArray ct = manager.create(columns, new Shape(n, 1, w, w));
    return r.matMul(x).matMul(ct); // [N,1,H,H]·[N,C,H,W]·[N,1,W,W] → [N,C,H,W]
  }

  /**
   * Zeroes rows {@code cy−⌊sizeY/2⌋ .. cy−⌊sizeY/2⌋+sizeY−1} × the same for columns of each
   * image (clipped to the image); an image with {@code cy < 0} is left as it is.
   */
  static NDArray cutout(NDArray x, int[] cy, int[] cx, int sizeY, int sizeX) {
    Shape shape = x.getShape();
    int n = Math.toIntExact(shape.get(0));
    int h = Math.toIntExact(shape.get(2));
    int w = Math.toIntExact(shape.get(3));
    float[] mask = new float[n * h * w];
    Arrays.fill(mask, 1f);
    for (int s = 0; s < n; s++) {
      if (cy[s] < 0) {
        continue;
      }
      int top = Math.max(0, cy[s] - sizeY / 2);
      int bottom = Math.min(h, cy[s] - sizeY / 2 + sizeY);
      int left = Math.max(0, cx[s] - sizeX / 2);
      int right = Math.min(w, cx[s] - sizeX / 2 + sizeX);
      for (int i = top; i < bottom; i++) {
        Arrays.fill(mask, (s * h + i) * w + left, (s * h + i) * w + Math.max(left, right), 0f);
      }
    }
    return x.mul(x.getManager().create(mask, new Shape(n, 1, h, w)));
  }

  /** {@code x + offset[n]}; x itself if offsets is null. */
  static NDArray brightness(NDArray x, float[] offsets) {
    return offsets == null ? x : x.add(perImage(x, offsets));
  }

  /** {@code (x − mean over channels)·factor[n] + mean over channels}; x if factors is null. */
  static NDArray saturation(NDArray x, float[] factors) {
    if (factors == null) {
      return x;
    }
    NDArray mean = x.mean(new int[] {1}, true); // [N, 1, H, W]
    return x.sub(mean).mul(perImage(x, factors)).add(mean);
  }

  /** {@code (x − mean of the image)·factor[n] + mean of the image}; x if factors is null. */
  static NDArray contrast(NDArray x, float[] factors) {
    if (factors == null) {
      return x;
    }
    long n = x.getShape().get(0);
    // DJL's PyTorch engine averages over one axis at a time.
    NDArray mean = x.reshape(n, -1).mean(new int[] {1}).reshape(n, 1, 1, 1); // [N, 1, 1, 1]
    return x.sub(mean).mul(perImage(x, factors)).add(mean);
  }

  private static NDArray perImage(NDArray x, float[] values) {
    return x.getManager().create(values, new Shape(values.length, 1, 1, 1));
  }
}
