package io.genstream.trainer.video;

import io.genstream.core.image.ImageTensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the frames of many interleaved streams into clips of {@code k} consecutive context frames
 * plus the next frame. Per stream it keeps the last {@code k} frames:
 * <ul>
 *   <li>a frame whose index is the previous one's + 1 extends the window and, once {@code k}
 *       context frames are there, yields a {@link Clip} ({@link Kind#CLIP});</li>
 *   <li>a duplicate or older frame (redelivery, a producer retry) is skipped ({@link
 *       Kind#SKIPPED}), the window unchanged;</li>
 *   <li>a gap (frames lost or not sent) resets the stream's window to the new frame, which then
 *       warms up again ({@link Kind#RESET}): a clip across a gap would teach the wrong motion.</li>
 * </ul>
 * At most {@code maxStreams} windows are kept; a new stream beyond that evicts the stream seen
 * least recently (which, if it comes back, warms up again), so memory is bounded by {@code
 * maxStreams · k} frames however many streams pass.
 *
 * <p>Not thread-safe: one assembler per pipeline, fed by its one delivery thread.
 */
public final class ClipAssembler {

  /** What became of an offered frame. */
  public enum Kind {
    /** The stream's window is still filling (a new stream, or after a reset); no clip yet. */
    WARMING,
    /** The frame completed a clip. */
    CLIP,
    /** A duplicate or older frame; ignored. */
    SKIPPED,
    /** A gap before this frame: the window restarted from it. */
    RESET
  }

  /** The outcome of {@link #offer}: {@code clip} is set for {@link Kind#CLIP} only. */
  public record Offer(Kind kind, Clip clip) {}

  private final int k;
  private final int maxStreams;
  private final Map<String, Window> windows;
  private long clips;
  private long skipped;
  private long resets;
  private long evicted;

  /**
   * @param contextFrames {@code k}, 1..16
   * @param maxStreams streams whose windows are kept, 1..1,000,000
   */
  public ClipAssembler(int contextFrames, int maxStreams) {
    if (contextFrames < 1 || contextFrames > 16) {
      throw new IllegalArgumentException("contextFrames must be 1..16, got " + contextFrames);
    }
    if (maxStreams < 1 || maxStreams > 1_000_000) {
      throw new IllegalArgumentException("maxStreams must be 1..1000000, got " + maxStreams);
    }
    this.k = contextFrames;
    this.maxStreams = maxStreams;
    // Access order: the eldest entry is the stream seen least recently.
    this.windows = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
        boolean evict = size() > ClipAssembler.this.maxStreams;
        if (evict) {
          evicted++;
        }
        return evict;
      }
    };
  }

  /** Offers frame {@code index} of {@code streamId}. */
  public Offer offer(String streamId, long index, ImageTensor frame) {
    Window window = windows.get(streamId);
    if (window == null) {
      window = new Window();
      window.push(frame, index, k);
      windows.put(streamId, window);
      return new Offer(Kind.WARMING, null);
    }
    if (index <= window.last) {
      skipped++;
      return new Offer(Kind.SKIPPED, null);
    }
    if (index > window.last + 1) {
      resets++;
      window.frames.clear();
      window.push(frame, index, k);
      return new Offer(Kind.RESET, null);
    }
    Clip clip = null;
    if (window.frames.size() == k) {
      ArrayList<ImageTensor> frames = new ArrayList<>(window.frames);
      frames.add(frame);
      clip = new Clip(streamId, index, frames);
      clips++;
    }
    window.push(frame, index, k);
    return clip == null ? new Offer(Kind.WARMING, null) : new Offer(Kind.CLIP, clip);
  }

  /** Streams whose windows are held now (at most {@code maxStreams}). */
  public int streams() {
    return windows.size();
  }

  public long clips() {
    return clips;
  }

  /** Duplicate or older frames skipped. */
  public long skipped() {
    return skipped;
  }

  /** Windows restarted after a gap. */
  public long resets() {
    return resets;
  }

  /** Streams dropped to stay within {@code maxStreams}. */
  public long evicted() {
    return evicted;
  }

  /** The last {@code k} frames of a stream and the index of the newest. */
  private static final class Window {
    final ArrayDeque<ImageTensor> frames = new ArrayDeque<>();
    long last = -1;

    void push(ImageTensor frame, long index, int k) {
      frames.addLast(frame);
      if (frames.size() > k) {
        frames.removeFirst();
      }
      last = index;
    }
  }
}
