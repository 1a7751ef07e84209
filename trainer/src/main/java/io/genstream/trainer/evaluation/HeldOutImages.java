package io.genstream.trainer.evaluation;

import io.genstream.trainer.ClassBalancedReservoir;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Real images no model trains on, for judging versions: about one record in {@code every} is
 * chosen by a hash of its key, partition and offset (so the choice is the same on every run and
 * every machine, and a redelivered record is held out again), and a class-balanced reservoir of
 * {@code capacity} of them is kept. Thread-safe.
 */
public final class HeldOutImages {

  private final int every;
  private final ClassBalancedReservoir<RealImage> reservoir;

  /**
   * @param every about one record in this many is held out, 2..1000
   * @param capacity held-out images kept
   * @param classes labels 0..classes-1 (1 for unlabelled data)
   */
  public HeldOutImages(int every, int capacity, int classes, long seed) {
    if (every < 2 || every > 1000) {
      throw new IllegalArgumentException("holdOutEvery must be 2..1000, got " + every);
    }
    this.every = every;
    this.reservoir = new ClassBalancedReservoir<>(capacity, classes, seed);
  }

  /** Whether the record at this position is held out; the same answer on every call. */
  public boolean isHeldOut(String key, int partition, long offset) {
    long h = key == null ? 0 : fnv1a(key.getBytes(StandardCharsets.UTF_8));
    h ^= partition * 0x9E3779B97F4A7C15L;
    h ^= offset * 0xC2B2AE3D27D4EB4FL;
    return Long.remainderUnsigned(mix(h), every) == 0;
  }

  public void add(int label, float[] pixels) {
    reservoir.offer(label, new RealImage(label, pixels));
  }

  /** The images kept, class by class. */
  public List<RealImage> snapshot() {
    return reservoir.snapshot();
  }

  public int size() {
    return reservoir.size();
  }

  public int every() {
    return every;
  }

  private static long fnv1a(byte[] bytes) {
    long h = 0xCBF29CE484222325L;
    for (byte b : bytes) {
      h = (h ^ (b & 0xFF)) * 0x100000001B3L;
    }
    return h;
  }

  /** SplitMix64's finaliser: every input bit affects every output bit. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
