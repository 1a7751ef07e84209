package io.genstream.generator.video;

import io.genstream.core.image.ImageTensor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The last frames of every stream, bounded: at most {@code maxStreams} streams (the least
 * recently seen is dropped beyond it), at most {@code capacity} frames and {@value #MAX_PENDING}
 * pending predictions per stream; a stream
 * not seen for {@code idleTimeout} is dropped by {@link #expireIdle()}. A dropped stream warms
 * up again from its next frames.
 *
 * <p><b>Order rules</b> (per stream, by frame index):
 * <ul>
 *   <li>the next index ({@code last + 1}) extends the window;
 *   <li>an index at or below the last one (a duplicate, a redelivery, a late frame) is skipped;
 *   <li>a jump ({@code > last + 1}) or a frame of another size is a gap: the window restarts
 *       from this frame and its pending predictions are discarded, so that nothing is ever
 *       predicted or scored across a gap.
 * </ul>
 *
 * <p>Not thread-safe: the predictor's single inference thread owns it; only {@link #size()},
 * {@link #pendingHeld()}, {@link #evicted()} and {@link #expired()} may be read from other
 * threads.
 */
final class StreamWindows {

  /** What {@link #accept} did with a frame. */
  enum Outcome {
    /** First frame of a stream (new, or dropped earlier). */
    STARTED,
    /** The next frame: appended. */
    APPENDED,
    /** An index at or below the last one: skipped. */
    DUPLICATE,
    /** A jump in indices or size: the window restarted from this frame. */
    GAP
  }

  /**
   * A prediction waiting for the frame it predicts: made {@code step} frames ahead of frame
   * {@code frame - step}, whose image ({@code base}, the last real frame the model saw) is the
   * copy-last-frame baseline it is scored beside.
   */
  record Pending(long frame, int step, long version, ImageTensor image, ImageTensor base) {}

  /**
   * Pending predictions a stream keeps at most; the oldest goes beyond it. The predictor keeps
   * at most a horizon's worth plus one (see {@code PredictionStep}), so this only guards.
   */
  static final int MAX_PENDING = 2 * PredictorOptions.MAX_HORIZON;

  /** One stream's window. */
  static final class Stream {
    final String id;
    private final ArrayDeque<ImageTensor> frames = new ArrayDeque<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    long lastFrame;
    Instant lastCapture;
    long lastSeenNanos;

    Stream(String id) {
      this.id = id;
    }

    /** The newest frames, oldest first, at most {@code k}. */
    List<ImageTensor> last(int k) {
      List<ImageTensor> all = List.copyOf(frames);
      return all.subList(Math.max(0, all.size() - k), all.size());
    }

    int size() {
      return frames.size();
    }

    ImageTensor newest() {
      return frames.peekLast();
    }

    int pendingCount() {
      return pending.size();
    }


  }

  /**
   * The result of one {@link #accept}: the outcome, the stream, for APPENDED the frame before
   * and the predictions made for this frame (at most one per step; empty otherwise).
   */
  record Arrival(Outcome outcome, Stream stream, ImageTensor previous, List<Pending> due) {}

  private final int maxStreams;
  private final long idleNanos;
  private final LongSupplier nanoClock;
  /** Access order: the head is the stream seen least recently. */
  private final LinkedHashMap<String, Stream> streams = new LinkedHashMap<>(16, 0.75f, true);
  // Written by the owning thread only; volatile so that a snapshot from another thread reads
  // current values.
  private volatile int size;
  private volatile long evicted;
  private volatile long expired;
  private volatile long pendingHeld;

  StreamWindows(int maxStreams, Duration idleTimeout, LongSupplier nanoClock) {
    this.maxStreams = maxStreams;
    this.idleNanos = idleTimeout.toNanos();
    this.nanoClock = nanoClock;
  }

  /**
   * Applies the order rules to frame {@code frame} of {@code streamId}, keeping at most
   * {@code capacity} frames of its window.
   */
  Arrival accept(String streamId, long frame, Instant captureTime, ImageTensor image,
      int capacity) {
    Stream stream = streams.get(streamId);
    Outcome outcome;
    ImageTensor previous = null;
    List<Pending> due = List.of();
    if (stream == null) {
      stream = new Stream(streamId);
      streams.put(streamId, stream);
      outcome = Outcome.STARTED;
      if (streams.size() > maxStreams) {
        Iterator<Stream> oldest = streams.values().iterator();
        dropPending(oldest.next());
        oldest.remove();
        evicted++;
      }
      size = streams.size();
    } else if (frame <= stream.lastFrame) {
      stream.lastSeenNanos = nanoClock.getAsLong();
      return new Arrival(Outcome.DUPLICATE, stream, null, List.of());
    } else if (frame == stream.lastFrame + 1 && sameShape(stream.newest(), image)) {
      outcome = Outcome.APPENDED;
      previous = stream.newest();
      due = due(stream, frame);
    } else {
      outcome = Outcome.GAP;
      stream.frames.clear();
      dropPending(stream);
    }
    stream.frames.addLast(image);
    while (stream.frames.size() > capacity) {
      stream.frames.removeFirst();
    }
    stream.lastFrame = frame;
    stream.lastCapture = captureTime;
    stream.lastSeenNanos = nanoClock.getAsLong();
    return new Arrival(outcome, stream, previous, due);
  }

  /** Keeps {@code prediction} in {@code stream} until its frame arrives (or a gap drops it). */
  void expect(Stream stream, Pending prediction) {
    if (stream.pending.size() >= MAX_PENDING) {
      stream.pending.removeFirst();
      pendingHeld--;
    }
    stream.pending.addLast(prediction);
    pendingHeld++;
  }

  /** Removes and returns {@code stream}'s predictions of frame {@code frame}; drops older ones. */
  private List<Pending> due(Stream stream, long frame) {
    List<Pending> due = new ArrayList<>(2);
    for (Iterator<Pending> it = stream.pending.iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (p.frame() <= frame) {
        it.remove();
        pendingHeld--;
        if (p.frame() == frame) {
          due.add(p);
        }
      }
    }
    return due;
  }

  private void dropPending(Stream stream) {
    pendingHeld -= stream.pending.size();
    stream.pending.clear();
  }

  /** Drops the streams not seen for the idle timeout; returns how many. */
  int expireIdle() {
    long now = nanoClock.getAsLong();
    int dropped = 0;
    Iterator<Map.Entry<String, Stream>> oldest = streams.entrySet().iterator();
    while (oldest.hasNext()) {
      Stream stream = oldest.next().getValue();
      if (now - stream.lastSeenNanos < idleNanos) {
        break; // access order: every later stream was seen more recently
      }
      dropPending(stream);
      oldest.remove();
      dropped++;
    }
    expired += dropped;
    size = streams.size();
    return dropped;
  }

  /** Streams held; readable from any thread. */
  int size() {
    return size;
  }

  /** Frames held over all windows. */
  long framesHeld() {
    long total = 0;
    for (Stream stream : streams.values()) {
      total += stream.size();
    }
    return total;
  }

  /** Predictions waiting for their frames, over all streams; readable from any thread. */
  long pendingHeld() {
    return pendingHeld;
  }

  long evicted() {
    return evicted;
  }

  long expired() {
    return expired;
  }

  private static boolean sameShape(ImageTensor a, ImageTensor b) {
    return a != null && a.channels() == b.channels() && a.height() == b.height()
        && a.width() == b.width();
  }
}
