package io.genstream.ingest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * In which order a finite source ({@link EpochSource}) sends the items of an epoch: as listed
 * ({@link Kind#SORTED}: paths in sorted order, IDX entries by index, so an ImageFolder goes class
 * after class), or {@link Kind#SHUFFLED}, a random permutation that is a function of the seed,
 * the epoch and the items' keys alone, so that every epoch has its own order and a rerun with
 * the same seed repeats it.
 *
 * <p>Shuffled is the order of a keyed hash: each item's key (a path relative to the source's
 * folder, an IDX index) is hashed with the seed and the epoch, and items go by that hash. Sorting
 * by independent random keys gives every permutation the same chance; and since an item's place
 * depends on its own key only, the items left after some were sent (a resumed ingest skipping
 * what its ledger holds) keep their relative order, even if files were added or removed since.
 * The hash is ours (FNV-1a over the key's characters, then SplitMix64's finaliser), not the
 * JDK's, so an order is the same on every JVM.
 *
 * <p>Memory: arranging {@code n} items takes one {@code long} per item while it sorts, and the
 * arranged list or index array; the items themselves (paths, indices) are not copied.
 */
public record Order(Kind kind, long seed) {

  /** The seed when none is given: the CLI's {@code --seed} default. */
  public static final long DEFAULT_SEED = 1;

  /** The items as listed. */
  public static final Order SORTED = new Order(Kind.SORTED, 0);

  /** Sorted or shuffled. */
  public enum Kind {
    SHUFFLED,
    SORTED;

    /** The name on the command line: {@code shuffled}, {@code sorted}. */
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The kind named {@code text} (any case).
     *
     * @throws IllegalArgumentException naming the value and the choices
     */
    public static Kind parse(String text) {
      for (Kind kind : values()) {
        if (kind.id().equalsIgnoreCase(text.trim())) {
          return kind;
        }
      }
      throw new IllegalArgumentException("order must be one of "
          + Arrays.stream(values()).map(Kind::id).toList() + ", got '" + text + "'");
    }
  }

  public Order {
    Objects.requireNonNull(kind, "kind");
    if (kind == Kind.SORTED) {
      seed = 0; // a sorted order has no seed: one SORTED whatever was passed
    }
  }

  /** A shuffled order drawn from {@code seed}. */
  public static Order shuffled(long seed) {
    return new Order(Kind.SHUFFLED, seed);
  }

  /** What a source uses when it is given no order: shuffled with {@link #DEFAULT_SEED}. */
  public static Order defaults() {
    return shuffled(DEFAULT_SEED);
  }

  /**
   * {@code shuffled} or {@code sorted} (any case), shuffled with {@code seed}.
   *
   * @throws IllegalArgumentException naming the value and the choices
   */
  public static Order parse(String kind, long seed) {
    return new Order(Kind.parse(kind), seed);
  }

  public boolean shuffled() {
    return kind == Kind.SHUFFLED;
  }

  /**
   * {@code items} (in their listed order) in this order for {@code epoch}; {@code key} names an
   * item independently of its position (for files, the path relative to the source's folder).
   * Sorted: {@code items} itself.
   */
  public <T> List<T> arrange(List<T> items, Function<T, String> key, long epoch) {
    checkEpoch(epoch);
    if (kind == Kind.SORTED || items.size() < 2) {
      return items;
    }
    long epochKey = epochKey(epoch);
    long[] ranked = new long[items.size()];
    for (int i = 0; i < ranked.length; i++) {
      ranked[i] = pack(rank(epochKey, fnv(key.apply(items.get(i)))), i);
    }
    Arrays.sort(ranked);
    List<T> arranged = new ArrayList<>(items.size());
    for (long r : ranked) {
      arranged.add(items.get(index(r)));
    }
    return arranged;
  }

  /** The indices {@code 0..count-1} in this order for {@code epoch}; an item's key is its index. */
  public int[] arrange(int count, long epoch) {
    checkEpoch(epoch);
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, got " + count);
    }
    int[] indices = new int[count];
    if (kind == Kind.SORTED) {
      Arrays.setAll(indices, i -> i);
      return indices;
    }
    long epochKey = epochKey(epoch);
    long[] ranked = new long[count];
    for (int i = 0; i < count; i++) {
      ranked[i] = pack(rank(epochKey, i), i);
    }
    Arrays.sort(ranked);
    for (int i = 0; i < count; i++) {
      indices[i] = index(ranked[i]);
    }
    return indices;
  }

  /** For a log line: {@code shuffled order (seed 42), epoch 3} or {@code sorted order, epoch 3}. */
  public String describe(long epoch) {
    return (shuffled() ? "shuffled order (seed " + seed + ")" : "sorted order") + ", epoch " + epoch;
  }

  /** {@code shuffled (seed 42)} or {@code sorted}. */
  @Override
  public String toString() {
    return shuffled() ? "shuffled (seed " + seed + ")" : "sorted";
  }

  /**
   * @throws IllegalArgumentException if {@code epoch < 1}
   */
  public static void checkEpoch(long epoch) {
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be >= 1 (the first is 1), got " + epoch);
    }
  }

  private long epochKey(long epoch) {
    return mix(mix(seed) ^ epoch * 0x9E3779B97F4A7C15L);
  }

  private static long rank(long epochKey, long itemKey) {
    return mix(epochKey ^ mix(itemKey));
  }

  /**
   * The rank's high 32 bits above the position: sorting the packed longs sorts by rank, equal
   * ranks (about n²/2³³ pairs) by listed position, and gives the position back with one array.
   */
  private static long pack(long rank, int index) {
    return (rank & 0xFFFF_FFFF_0000_0000L) | (index & 0xFFFF_FFFFL);
  }

  private static int index(long packed) {
    return (int) packed;
  }

  /** FNV-1a, 64 bits, over the UTF-16 units of {@code text}. */
  private static long fnv(String text) {
    long hash = 0xCBF29CE484222325L;
    for (int i = 0; i < text.length(); i++) {
      hash = (hash ^ text.charAt(i)) * 0x100000001B3L;
    }
    return hash;
  }

  /** SplitMix64's finaliser: every input bit flips about half the output bits. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
