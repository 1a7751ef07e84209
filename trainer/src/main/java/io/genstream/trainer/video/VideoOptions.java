package io.genstream.trainer.video;

import java.time.Duration;
import java.util.Objects;

/**
 * How the trainer of a {@code framepred} model turns the frames topic into training steps.
 *
 * <p><b>Steps.</b> Each step trains on {@code batchSize} clips: the fresh clips that arrived
 * (at most {@code batchSize}, collected for at most {@code batchWait}) filled up with clips drawn
 * from the replay buffer of recent training clips. Video arrives slowly (8 streams at 10 fps are
 * 80 clips/s, a few batches a second), so each fresh batch is followed by {@code
 * replayStepsPerBatch} replay-only steps: the one training thread keeps learning while frames
 * trickle in ({@code 1 + replayStepsPerBatch} steps per {@code batchWait} at worst), yet it stops
 * when the streams stop, and the ratio caps the share of the cores it takes from the services
 * beside it. If steps are slower than the frames come, the consumer falls behind (it pauses
 * rather than buffering): lower the ratio then.
 *
 * @param maxStreams streams whose last frames are kept to assemble clips (least recently seen
 *     evicted beyond it)
 * @param holdOutEvery about one clip in this many is held out for the version's metrics
 * @param heldOutClips newest held-out clips kept and scored at each export
 * @param replayCapacity recent training clips kept for replay
 * @param batchWait longest wait for a full batch of fresh clips before stepping on fewer
 * @param replayStepsPerBatch replay-only steps after each fresh batch, 0..64
 * @param rolloutFrames predicted frames per row of a version's rollout strip
 */
public record VideoOptions(int maxStreams, int holdOutEvery, int heldOutClips, int replayCapacity,
    Duration batchWait, int replayStepsPerBatch, int rolloutFrames) {

  public VideoOptions {
    Objects.requireNonNull(batchWait, "batchWait");
    require(maxStreams >= 1 && maxStreams <= 1_000_000, "maxStreams", maxStreams, "1..1000000");
    require(holdOutEvery >= 2 && holdOutEvery <= 1000, "holdOutEvery", holdOutEvery, "2..1000");
    require(heldOutClips >= 1 && heldOutClips <= 10_000, "heldOutClips", heldOutClips,
        "1..10000");
    require(replayCapacity >= 1 && replayCapacity <= 1_000_000, "replayCapacity",
        replayCapacity, "1..1000000");
    require(!batchWait.isNegative() && !batchWait.isZero()
        && batchWait.compareTo(Duration.ofMinutes(1)) <= 0, "batchWait", batchWait, "1ms..1min");
    require(replayStepsPerBatch >= 0 && replayStepsPerBatch <= 64, "replayStepsPerBatch",
        replayStepsPerBatch, "0..64");
    require(rolloutFrames >= 1 && rolloutFrames <= 32, "rolloutFrames", rolloutFrames, "1..32");
  }

  /**
   * 1024 streams, 1 in 10 clips held out, 64 held-out and 512 replay clips, fresh batches after at
   * most 250 ms, 3 replay-only steps per fresh batch, rollouts of 6 frames.
   */
  public static VideoOptions defaults() {
    return new VideoOptions(1024, 10, 64, 512, Duration.ofMillis(250), 3, 6);
  }

  private static void require(boolean ok, String name, Object value, String range) {
    if (!ok) {
      throw new IllegalArgumentException(name + " must be " + range + ", got " + value);
    }
  }
}
