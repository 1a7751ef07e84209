package io.genstream.trainer.video;

import java.time.Duration;
import java.util.Objects;

/**
 * How the trainer of a {@code framepred} model turns the frames topic into training steps.
 *
 * <p><b>Steps.</b> Each step trains on {@code batchSize} clips: the fresh clips that arrived
 * (at most {@code batchSize}, collected for at most {@code batchWait}) filled up with clips drawn
 * from the replay buffer of recent training clips. Video arrives slowly (8 streams at 10 fps are
 * 80 clips/s, a few batches a second), so between fresh batches the trainer also takes
 * replay-only steps, at most one per {@code replayPause}: the one training thread keeps
 * learning while frames trickle in, and the pause leaves the cores some room for the services
 * beside it (on 2 shared cores a small step takes tens of milliseconds); fresh batches are taken
 * as soon as the running step ends, replay-only steps start once the buffer holds a clip.
 *
 * @param maxStreams streams whose last frames are kept to assemble clips (least recently seen
 *     evicted beyond it)
 * @param holdOutEvery about one clip in this many is held out for the version's metrics
 * @param heldOutClips newest held-out clips kept and scored at each export
 * @param replayCapacity recent training clips kept for replay
 * @param batchWait longest wait for a full batch of fresh clips before stepping on fewer
 * @param replayPause least time between two replay-only steps
 * @param rolloutFrames predicted frames per row of a version's rollout strip
 */
public record VideoOptions(int maxStreams, int holdOutEvery, int heldOutClips, int replayCapacity,
    Duration batchWait, Duration replayPause, int rolloutFrames) {

  public VideoOptions {
    Objects.requireNonNull(batchWait, "batchWait");
    Objects.requireNonNull(replayPause, "replayPause");
    require(maxStreams >= 1 && maxStreams <= 1_000_000, "maxStreams", maxStreams, "1..1000000");
    require(holdOutEvery >= 2 && holdOutEvery <= 1000, "holdOutEvery", holdOutEvery, "2..1000");
    require(heldOutClips >= 1 && heldOutClips <= 10_000, "heldOutClips", heldOutClips,
        "1..10000");
    require(replayCapacity >= 1 && replayCapacity <= 1_000_000, "replayCapacity",
        replayCapacity, "1..1000000");
    require(!batchWait.isNegative() && !batchWait.isZero()
        && batchWait.compareTo(Duration.ofMinutes(1)) <= 0, "batchWait", batchWait, "1ms..1min");
    require(replayPause.toMillis() >= 1 && replayPause.compareTo(Duration.ofMinutes(1)) <= 0,
        "replayPause", replayPause, "1ms..1min");
    require(rolloutFrames >= 1 && rolloutFrames <= 32, "rolloutFrames", rolloutFrames, "1..32");
  }

  /**
   * 1024 streams, 1 in 10 clips held out, 64 held-out and 512 replay clips, fresh batches after at
   * most 250 ms, replay-only steps at least 20 ms apart, rollouts of 6 frames.
   */
  public static VideoOptions defaults() {
    return new VideoOptions(1024, 10, 64, 512, Duration.ofMillis(250), Duration.ofMillis(20), 6);
  }

  private static void require(boolean ok, String name, Object value, String range) {
    if (!ok) {
      throw new IllegalArgumentException(name + " must be " + range + ", got " + value);
    }
  }
}
