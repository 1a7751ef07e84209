package io.genstream.ingest.video;

import io.genstream.core.messages.VideoFrame;
import java.util.Objects;

/**
 * What a {@link FrameSource} emits: a frame ready for the frames topic, or a rejected input that
 * held the place of a frame.
 */
public sealed interface FrameItem permits FrameItem.Frame, FrameItem.Rejection {

  /** The stream the item belongs to. */
  String streamId();

  /** Its index in the stream, from 0: a rejection keeps its index, so consumers see a gap. */
  long index();

  /** Where it came from: a file path, {@code stdin#N} (N-th PNG of the pipe), a clip name. */
  String origin();

  /** A valid frame, as it goes on the topic. */
  record Frame(VideoFrame frame, String origin) implements FrameItem {
    public Frame {
      Objects.requireNonNull(frame, "frame");
      Objects.requireNonNull(origin, "origin");
    }

    @Override
    public String streamId() {
      return frame.streamId();
    }

    @Override
    public long index() {
      return frame.frame();
    }
  }

  /**
   * An input that is not a usable frame (corrupt, wrong size or channels, too large), with the
   * reason in words and its bytes (possibly only the first of them; see {@link PngStreamSplitter})
   * for the dead letter.
   */
  record Rejection(String streamId, long index, String origin, String reason, byte[] bytes)
      implements FrameItem {
    public Rejection {
      Objects.requireNonNull(streamId, "streamId");
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(bytes, "bytes");
    }
  }
}
