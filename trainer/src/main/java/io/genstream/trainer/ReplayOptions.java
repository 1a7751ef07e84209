package io.genstream.trainer;

import java.time.Duration;
import java.util.Objects;

/**
 * The replay of an image model's trainer: a class-balanced reservoir of past training images
 * ({@link ClassBalancedReservoir}) that every step draws part of its batch from, so a burst of
 * one class cannot wash the others out, and that keeps the trainer stepping when images trickle
 * in: a batch that is not full after {@code batchWait} is filled up from the reservoir, and
 * {@code stepsPerFreshBatch} replay-only steps may follow each fresh batch.
 *
 * @param capacity images kept (0: no replay; steps then wait for full batches of fresh images)
 * @param share the part of each batch drawn from the reservoir, 0..0.9
 * @param stepsPerFreshBatch replay-only steps after each fresh batch, 0..64
 * @param batchWait longest wait for fresh images before a step is filled up from the reservoir
 */
public record ReplayOptions(int capacity, double share, int stepsPerFreshBatch,
    Duration batchWait) {

  public ReplayOptions {
    Objects.requireNonNull(batchWait, "batchWait");
    if (capacity < 0 || capacity > 1_000_000) {
      throw new IllegalArgumentException("replay capacity must be 0..1000000, got " + capacity);
    }
    if (!(share >= 0 && share <= 0.9)) {
      throw new IllegalArgumentException("replay share must be 0..0.9, got " + share);
    }
    if (stepsPerFreshBatch < 0 || stepsPerFreshBatch > 64) {
      throw new IllegalArgumentException(
          "replay steps per fresh batch must be 0..64, got " + stepsPerFreshBatch);
    }
    if (batchWait.isNegative() || batchWait.isZero()
        || batchWait.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new IllegalArgumentException("replay batch wait must be 1ms..1min, got " + batchWait);
    }
  }

  /** The default {@link #capacity}, as the CLI shows it. */
  public static final String DEFAULT_CAPACITY = "4096";
  /** The default {@link #share}, as the CLI shows it. */
  public static final String DEFAULT_SHARE = "0.25";
  /** The default {@link #stepsPerFreshBatch}, as the CLI shows it. */
  public static final String DEFAULT_STEPS_PER_FRESH_BATCH = "0";

  /** 4096 images, a quarter of each batch replayed, no replay-only steps, 250 ms wait. */
  public static ReplayOptions defaults() {
    return new ReplayOptions(Integer.parseInt(DEFAULT_CAPACITY),
        Double.parseDouble(DEFAULT_SHARE), Integer.parseInt(DEFAULT_STEPS_PER_FRESH_BATCH),
        Duration.ofMillis(250));
  }

  /** No replay: every step trains on a full batch of fresh images. */
  public static ReplayOptions off() {
    return new ReplayOptions(0, 0, 0, Duration.ofMillis(250));
  }

  public boolean enabled() {
    return capacity > 0;
  }

  /** Fresh images per step of {@code imagesPerStep}: the rest are replayed. */
  public int freshPerStep(int imagesPerStep) {
    if (!enabled()) {
      return imagesPerStep;
    }
    return Math.max(1, imagesPerStep - (int) Math.round(imagesPerStep * share));
  }
}
