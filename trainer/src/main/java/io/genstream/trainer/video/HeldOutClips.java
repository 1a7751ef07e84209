package io.genstream.trainer.video;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The clips a frame predictor is measured on and never trained on.
 *
 * <p><b>Split.</b> Whether a clip is held out depends only on its stream id and target frame
 * index ({@link #isHeldOut}): about one in {@code every}, the same on every run and after a
 * restart, so no clip is trained on in one run and measured in the next. The split is by example:
 * a held-out clip's target is never a training target, though its frames do appear in the
 * context of neighbouring training clips (they are frames of the same video).
 *
 * <p><b>Bound.</b> The newest {@code capacity} held-out clips are kept (the oldest is dropped), so
 * the figures follow what the streams show now. They live in memory only: after a restart the set
 * fills again from the frames that arrive. Thread-safe: clips are added on the delivery thread
 * and read at export on the training thread.
 */
public final class HeldOutClips {

  private final int every;
  private final int capacity;
  private final ArrayDeque<Clip> clips;

  /**
   * @param every hold out about one clip in {@code every}, 2..1000
   * @param capacity clips kept, 1..10,000
   */
  public HeldOutClips(int every, int capacity) {
    if (every < 2 || every > 1000) {
      throw new IllegalArgumentException("holdOutEvery must be 2..1000, got " + every);
    }
    if (capacity < 1 || capacity > 10_000) {
      throw new IllegalArgumentException("heldOutClips must be 1..10000, got " + capacity);
    }
    this.every = every;
    this.capacity = capacity;
    this.clips = new ArrayDeque<>(capacity);
  }

  /** Whether the clip with this target belongs to the held-out set; deterministic. */
  public boolean isHeldOut(String streamId, long targetFrame) {
    // String.hashCode is specified by the JLS, so the split is the same on every JVM; the
    // finaliser (MurmurHash3's fmix64) spreads consecutive frame indices over the residues.
    long h = streamId.hashCode() * 0x9E3779B97F4A7C15L + targetFrame;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return Math.floorMod(h, every) == 0;
  }

  /** Keeps a held-out clip, dropping the oldest beyond capacity. */
  public synchronized void add(Clip clip) {
    if (clips.size() == capacity) {
      clips.removeFirst();
    }
    clips.addLast(clip);
  }

  /** The clips kept now, oldest first; a copy. */
  public synchronized List<Clip> snapshot() {
    return List.copyOf(clips);
  }

  public synchronized int size() {
    return clips.size();
  }

  public int capacity() {
    return capacity;
  }
}
