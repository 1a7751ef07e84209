package io.genstream.trainer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The slots of a {@link ShuffleBuffer}: at most {@code capacity} examples. Until it is full an
 * arriving example only joins; once full it replaces an occupant, which leaves: a uniformly
 * random one (the classic shuffle buffer, as tf.data's {@code shuffle}), unless the oldest has
 * seen {@link #MAX_AGE_IN_CAPACITIES} × capacity later arrivals, which then leaves first. {@link
 * #take} empties it in random order.
 *
 * <p>Why the age limit: with random replacement alone an example stays about {@code capacity}
 * arrivals on average, but among thousands a few stay ten times as long, and a record that is
 * not trained on holds back its partition's commits. With the limit, while the stream flows no
 * example stays longer than 3 × capacity arrivals; about e⁻³ ≈ 5 % of examples leave by age,
 * and they are the oldest, so mixing is not lessened.
 *
 * <p>Deterministic: one {@link Random} seeded at construction, so the same arrivals and takes in
 * the same order give the same output. Not thread-safe: a {@link ShuffleBuffer} subscription's
 * drain loop is its only user.
 *
 * @param <T> the example type, held by reference
 */
final class ShuffleSlots<T> {

  /** The oldest example leaves once this many capacities of later examples have arrived. */
  static final int MAX_AGE_IN_CAPACITIES = 3;

  private final Object[] items;
  private final long[] arrival;
  // Occupied slots 0..size-1 form a list in order of arrival (doubly linked through these
  // arrays, -1 at the ends), so the oldest is found without a search.
  private final int[] older;
  private final int[] newer;
  private final long maxAge;
  private final Random random;
  private int oldest = -1;
  private int newest = -1;
  private int size;
  private long arrivals;

  /**
   * @param capacity the most examples held, 2..10,000,000
   * @param seed seeds the choice of leaving examples
   */
  ShuffleSlots(int capacity, long seed) {
    if (capacity < 2 || capacity > 10_000_000) {
      throw new IllegalArgumentException("shuffle capacity must be 2..10000000, got " + capacity);
    }
    this.items = new Object[capacity];
    this.arrival = new long[capacity];
    this.older = new int[capacity];
    this.newer = new int[capacity];
    this.maxAge = (long) MAX_AGE_IN_CAPACITIES * capacity;
    this.random = new Random(seed);
  }

  /**
   * Adds {@code example}.
   *
   * @return null while there was room; once full, the occupant it replaced
   */
  T add(T example) {
    if (example == null) {
      throw new NullPointerException("example");
    }
    long number = arrivals++;
    T left = null;
    int slot;
    if (size < items.length) {
      slot = size++;
    } else {
      slot = number - arrival[oldest] >= maxAge ? oldest : random.nextInt(size);
      left = item(slot);
      unlink(slot);
    }
    items[slot] = example;
    arrival[slot] = number;
    linkNewest(slot);
    return left;
  }

  /**
   * Removes and returns an occupant: the oldest if it is past the age limit, otherwise a
   * uniformly random one.
   *
   * @throws IllegalStateException if empty
   */
  T take() {
    if (size == 0) {
      throw new IllegalStateException("cannot take from an empty shuffle buffer");
    }
    int slot = arrivals - 1 - arrival[oldest] >= maxAge ? oldest : random.nextInt(size);
    T taken = item(slot);
    unlink(slot);
    int last = size - 1;
    if (slot != last) {
      moveSlot(last, slot); // keeps the occupied slots dense, so a random pick is one draw
    }
    items[last] = null;
    size--;
    return taken;
  }

  /** Removes and returns every occupant, oldest first. */
  List<T> clear() {
    List<T> all = new ArrayList<>(size);
    for (int slot = oldest; slot != -1; slot = newer[slot]) {
      all.add(item(slot));
    }
    java.util.Arrays.fill(items, 0, size, null);
    size = 0;
    oldest = -1;
    newest = -1;
    return all;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  int capacity() {
    return items.length;
  }

  @SuppressWarnings("unchecked")
  private T item(int slot) {
    return (T) items[slot];
  }

  private void linkNewest(int slot) {
    older[slot] = newest;
    newer[slot] = -1;
    if (newest == -1) {
      oldest = slot;
    } else {
      newer[newest] = slot;
    }
    newest = slot;
  }

  private void unlink(int slot) {
    int before = older[slot];
    int after = newer[slot];
    if (before == -1) {
      oldest = after;
    } else {
      newer[before] = after;
    }
    if (after == -1) {
      newest = before;
    } else {
      older[after] = before;
    }
  }

  /** Moves the occupant of {@code from} (linked) into the free slot {@code to}. */
  private void moveSlot(int from, int to) {
    items[to] = items[from];
    arrival[to] = arrival[from];
    older[to] = older[from];
    newer[to] = newer[from];
    if (older[to] == -1) {
      oldest = to;
    } else {
      newer[older[to]] = to;
    }
    if (newer[to] == -1) {
      newest = to;
    } else {
      older[newer[to]] = to;
    }
  }
}
