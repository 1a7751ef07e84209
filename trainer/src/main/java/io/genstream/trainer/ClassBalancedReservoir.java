package io.genstream.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A bounded, class-balanced sample of a stream: each class keeps a reservoir (Vitter's algorithm
 * R) of {@code capacity / classes} examples, a uniform sample of everything that class ever
 * offered, and draws pick a class uniformly among the non-empty ones, then an example of it. So
 * a long burst of one class fills only that class's share and cannot wash the others out, and
 * memory is bounded by {@code capacity} examples however long the stream runs.
 *
 * <p>Deterministic: the reservoir and the draws use one {@link Random} seeded at construction,
 * so the same stream in the same order gives the same contents and draws. Thread-safe (every
 * method synchronized).
 *
 * @param <T> the example type; held by reference, so it should be immutable
 */
public final class ClassBalancedReservoir<T> {

  private final List<List<T>> byClass;
  private final long[] offered;
  private final int perClass;
  private final Random random;
  private int size;

  /**
   * @param capacity the most examples held in all, at least {@code classes}
   * @param classes labels 0..classes-1 (1 for unlabelled data)
   * @param seed seeds the reservoir's replacements and the draws
   */
  public ClassBalancedReservoir(int capacity, int classes, long seed) {
    if (classes < 1 || classes > 100_000) {
      throw new IllegalArgumentException("classes must be 1..100000, got " + classes);
    }
    if (capacity < classes || capacity > 10_000_000) {
      throw new IllegalArgumentException("reservoir capacity must be " + classes
          + "..10000000 (at least one per class), got " + capacity);
    }
    this.perClass = capacity / classes;
    this.byClass = new ArrayList<>(classes);
    for (int c = 0; c < classes; c++) {
      byClass.add(new ArrayList<>());
    }
    this.offered = new long[classes];
    this.random = new Random(seed);
  }

  /**
   * Offers one example of class {@code label}; it is kept with probability {@code perClass /
   * offered so far} of its class, replacing a random one when the class's share is full.
   *
   * @return whether it was kept
   */
  public synchronized boolean offer(int label, T example) {
    if (example == null) {
      throw new NullPointerException("example");
    }
    if (label < 0 || label >= byClass.size()) {
      throw new IllegalArgumentException(
          "label must be 0.." + (byClass.size() - 1) + ", got " + label);
    }
    List<T> reservoir = byClass.get(label);
    long seen = ++offered[label];
    if (reservoir.size() < perClass) {
      reservoir.add(example);
      size++;
      return true;
    }
    long slot = (long) (random.nextDouble() * seen);
    if (slot < perClass) {
      reservoir.set((int) slot, example);
      return true;
    }
    return false;
  }

  /**
   * {@code count} examples drawn with replacement: a class uniformly among the non-empty ones,
   * then an example of it uniformly.
   *
   * @throws IllegalStateException if the reservoir is empty and {@code count > 0}
   */
  public synchronized List<T> draw(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    if (count > 0 && size == 0) {
      throw new IllegalStateException("cannot draw " + count + " examples from an empty reservoir");
    }
    List<List<T>> filled = new ArrayList<>();
    for (List<T> reservoir : byClass) {
      if (!reservoir.isEmpty()) {
        filled.add(reservoir);
      }
    }
    List<T> drawn = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      List<T> reservoir = filled.get(random.nextInt(filled.size()));
      drawn.add(reservoir.get(random.nextInt(reservoir.size())));
    }
    return drawn;
  }

  /** Every example held, class by class. */
  public synchronized List<T> snapshot() {
    List<T> all = new ArrayList<>(size);
    byClass.forEach(all::addAll);
    return all;
  }

  public synchronized int size() {
    return size;
  }

  /** Examples held of class {@code label}. */
  public synchronized int size(int label) {
    return byClass.get(label).size();
  }

  /** Examples class {@code label} offered so far, kept or not. */
  public synchronized long offered(int label) {
    return offered[label];
  }

  public int capacity() {
    return perClass * byClass.size();
  }
}
