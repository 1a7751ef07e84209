package io.genstream.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A bounded buffer of recent training examples to draw extra examples from when fresh data
 * trickles in (video at tens of frames per second), so that training keeps stepping without
 * holding more than {@code capacity} examples: the newest example replaces the oldest once it is
 * full (a ring, so the buffer follows the stream as it drifts).
 *
 * <p>Draws are uniform with replacement, from a {@link Random} seeded at construction, so a run
 * with the same data order draws the same examples. Thread-safe (every method synchronized): the
 * feed adds on the receiver's thread, batches are drawn wherever they are built.
 *
 * @param <T> the example type; held by reference, so it should be immutable
 */
public final class ReplayBuffer<T> {

  private final Object[] ring;
  private final Random random;
  private int size;
  private int next;
  private long added;

  /**
   * @param capacity the most examples held, 1..1,000,000
   * @param seed seeds the draws
   */
  public ReplayBuffer(int capacity, long seed) {
    if (capacity < 1 || capacity > 1_000_000) {
      throw new IllegalArgumentException("replay capacity must be 1..1000000, got " + capacity);
    }
    this.ring = new Object[capacity];
    this.random = new Random(seed);
  }

  /** Adds an example, evicting the oldest when full. */
  public synchronized void add(T example) {
    if (example == null) {
      throw new NullPointerException("example");
    }
    ring[next] = example;
    next = (next + 1) % ring.length;
    size = Math.min(size + 1, ring.length);
    added++;
  }

  /**
   * {@code count} examples drawn uniformly with replacement.
   *
   * @throws IllegalStateException if the buffer is empty and {@code count > 0}
   */
  @SuppressWarnings("unchecked")
  public synchronized List<T> draw(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    if (count > 0 && size == 0) {
      throw new IllegalStateException("cannot draw " + count + " examples from an empty buffer");
    }
    List<T> drawn = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      drawn.add((T) ring[random.nextInt(size)]);
    }
    return drawn;
  }

  public synchronized int size() {
    return size;
  }

  public int capacity() {
    return ring.length;
  }

  /** Examples added since construction, evicted ones included. */
  public synchronized long added() {
    return added;
  }
}
