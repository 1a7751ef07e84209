package io.genstream.ingest.video;

import io.genstream.ingest.FileDeadLetter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import reactor.core.publisher.Flux;

/**
 * One stream of frames from a pipe of concatenated PNGs, typically standard input fed by
 * ffmpeg: {@code ffmpeg -i in.mp4 -vf scale=64:64,format=gray -f image2pipe -vcodec png -}.
 * No video codec runs in the JVM.
 *
 * <p>Frame indices are positions in the pipe: the n-th PNG (or corrupt stretch) is frame n.
 * A corrupt stretch takes one index, however many frames it destroyed, and becomes one
 * rejection; a PNG over {@code maxPngBytes} is refused without being buffered (see
 * {@link PngStreamSplitter}). The capture time is when the PNG was read.
 *
 * <p>The input stream belongs to the caller, who closes it; it can be subscribed once.
 */
public final class PngStreamSource implements FrameSource {

  private final String streamId;
  private final InputStream in;
  private final FrameSpec spec;
  private final int maxPngBytes;
  private final long maxFrames;
  private final Clock clock;

  /**
   * @param maxPngBytes largest PNG accepted, e.g. {@link PngStreamSplitter#DEFAULT_MAX_PNG_BYTES}
   * @param maxFrames stop after this many indices; 0 for the whole stream
   */
  public PngStreamSource(String streamId, InputStream in, FrameSpec spec, int maxPngBytes,
      long maxFrames, Clock clock) {
    if (streamId == null || streamId.isBlank() || streamId.length() > 200) {
      throw new IllegalArgumentException("stream id must be 1 to 200 characters, got '" + streamId + "'");
    }
    if (maxFrames < 0) {
      throw new IllegalArgumentException("maxFrames must be >= 0, got " + maxFrames);
    }
    this.streamId = streamId;
    this.in = Objects.requireNonNull(in, "in");
    this.spec = Objects.requireNonNull(spec, "spec");
    this.maxPngBytes = maxPngBytes;
    this.maxFrames = maxFrames;
    this.clock = Objects.requireNonNull(clock, "clock");
    new PngStreamSplitter(InputStream.nullInputStream(), maxPngBytes, 0); // validates the limit
  }

  @Override
  public String name() {
    return "png-stream";
  }

  @Override
  public List<String> streams() {
    return List.of(streamId);
  }

  @Override
  public boolean finite() {
    return true;
  }

  /** Reads and checks one PNG per request, blocking on the stream; completes at its end. */
  @Override
  public Flux<FrameItem> frames() {
    Flux<FrameItem> frames = Flux.generate(
        () -> new State(new PngStreamSplitter(new BufferedInputStream(in, 64 * 1024), maxPngBytes,
            FileDeadLetter.MAX_VALUE_BYTES)),
        (state, sink) -> {
          PngStreamSplitter splitter = state.splitter;
          long index = state.next++;
          PngStreamSplitter.Piece piece;
          try {
            piece = splitter.next();
          } catch (IOException e) {
            sink.error(new UncheckedIOException("cannot read the PNG stream of " + streamId + ": "
                + e.getMessage(), e));
            return state;
          }
          if (piece == null) {
            sink.complete();
          } else if (piece instanceof PngStreamSplitter.Piece.Png png) {
            sink.next(spec.check(streamId, index, origin(index), png.bytes(), clock.instant()));
          } else {
            PngStreamSplitter.Piece.Garbage garbage = (PngStreamSplitter.Piece.Garbage) piece;
            String reason = garbage.reason() + " (" + garbage.length() + " bytes skipped to the next"
                + " PNG signature" + (garbage.head().length < garbage.length()
                    ? "; the first " + garbage.head().length + " kept" : "") + ")";
            sink.next(new FrameItem.Rejection(streamId, index, origin(index), reason, garbage.head()));
          }
          return state;
        });
    return maxFrames == 0 ? frames : frames.take(maxFrames);
  }

  /** The splitter of the subscription and the index of the next piece. */
  private static final class State {
    final PngStreamSplitter splitter;
    long next;

    State(PngStreamSplitter splitter) {
      this.splitter = splitter;
    }
  }

  private String origin(long index) {
    return "stdin:" + streamId + "#" + index;
  }
}
