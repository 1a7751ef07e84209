package io.genstream.trainer.family.framepred;

import io.genstream.trainer.family.Batch;
import java.util.Random;

/**
 * A synthetic video for frame-prediction tests: a bright (+1) square of side {@value #SQUARE} on
 * a dark (-1) background, moving in a straight line at a per-clip velocity of 0–2 px per frame on
 * each axis (never standing still), from a random start chosen so it stays inside the frame for
 * the whole clip. One channel. Deterministic for a seed.
 */
final class MovingSquares {

  static final int SQUARE = 4;

  private final int size;
  private final Random random;

  MovingSquares(int size, long seed) {
    this.size = size;
    this.random = new Random(seed);
  }

  /** {@code n} clips of {@code frames} frames each: {@code n × frames × size × size} values. */
  float[] clips(int n, int frames) {
    float[] values = new float[n * frames * size * size];
    java.util.Arrays.fill(values, -1f);
    for (int i = 0; i < n; i++) {
      int vx;
      int vy;
      do {
        vx = random.nextInt(5) - 2;
        vy = random.nextInt(5) - 2;
      } while (vx == 0 && vy == 0);
      int x0 = start(vx, frames);
      int y0 = start(vy, frames);
      for (int f = 0; f < frames; f++) {
        int offset = (i * frames + f) * size * size;
        int x = x0 + vx * f;
        int y = y0 + vy * f;
        for (int dy = 0; dy < SQUARE; dy++) {
          for (int dx = 0; dx < SQUARE; dx++) {
            values[offset + (y + dy) * size + x + dx] = 1f;
          }
        }
      }
    }
    return values;
  }

  /** A training batch of {@code n} clips of {@code frames} frames (labels all 0). */
  Batch batch(int n, int frames) {
    return new Batch(clips(n, frames), new int[n]);
  }

  private int start(int v, int frames) {
    int travel = v * (frames - 1);
    int low = Math.max(0, -travel);
    int high = Math.min(size - SQUARE, size - SQUARE - travel);
    return low + random.nextInt(high - low + 1);
  }
}
