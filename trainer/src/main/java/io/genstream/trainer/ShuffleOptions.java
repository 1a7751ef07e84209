package io.genstream.trainer;

/**
 * The shuffle buffer of an image model's trainer ({@link ShuffleBuffer}): decoded training
 * images wait in a buffer of {@code capacity} and leave it in random order for the batches, so
 * that a producer that sends class after class still gives batches of mixed classes. Ignored by
 * {@code framepred}, whose clips are assembled in stream order.
 *
 * <ul>
 *   <li><b>Mixing.</b> A batch mixes images from about the last {@code capacity} of the stream:
 *       a stream of up to {@code capacity} images followed by a pause comes out in a uniformly
 *       random order, whatever its order; a longer class-sorted one gives batches of the few
 *       classes within that window, so finite datasets are best also sent in shuffled order.
 *   <li><b>Waiting.</b> The first step waits for the buffer to fill, or for the stream to pause
 *       for the replay's {@link ReplayOptions#batchWait batchWait} (250 ms), whereupon the
 *       buffer drains in random order so leftovers train. A stream of a few images a second fills
 *       4096 slowly: lower the capacity for such streams.
 *   <li><b>Memory.</b> At most {@code capacity} decoded images: 4 bytes per pixel and channel,
 *       12.8 MB for 4096 images of 28×28 gray, 200 MB for 4096 of 64×64 RGB.
 *   <li><b>Commits.</b> A buffered image's record is acknowledged only after the step that
 *       trained on it, and a partition's commits are contiguous, so the buffer holds commits
 *       back: at most {@code capacity} records wait in it, and while the stream flows none stays
 *       longer than 3 × {@code capacity} later images ({@link ShuffleSlots}), so the committed
 *       offset trails the newest record taken in by about that at most (plus the batches on
 *       their way to a step).
 *   <li><b>Restarts.</b> Nothing of the buffer is checkpointed, and nothing needs to be: its
 *       records are unacknowledged, so after a restart Kafka delivers them again from the last
 *       commit (with the records trained on after it, which train once more).
 * </ul>
 *
 * @param capacity images held; 0 or 1: no shuffling (batches take images in arrival order)
 */
public record ShuffleOptions(int capacity) {

  public ShuffleOptions {
    if (capacity < 0 || capacity > 1_000_000) {
      throw new IllegalArgumentException(
          "shuffle buffer must be 0..1000000 images (0 or 1 = off), got " + capacity);
    }
  }

  /** The default {@link #capacity}, as the CLI shows it. */
  public static final String DEFAULT_CAPACITY = "4096";

  /** A buffer of 4096 images. */
  public static ShuffleOptions defaults() {
    return new ShuffleOptions(Integer.parseInt(DEFAULT_CAPACITY));
  }

  /** No shuffling: images train in the order they arrive. */
  public static ShuffleOptions off() {
    return new ShuffleOptions(0);
  }

  public boolean enabled() {
    return capacity > 1;
  }
}
