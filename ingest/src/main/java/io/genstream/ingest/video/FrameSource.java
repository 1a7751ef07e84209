package io.genstream.ingest.video;

import java.util.List;
import reactor.core.publisher.Flux;

/**
 * Where video frames come from: synthetic moving digits, folders of frame images, a PNG stream
 * on standard input. A source reads and checks; {@link FrameIngestService} paces and publishes.
 */
public interface FrameSource {

  /** A short name for logs and the {@code ce_source} attribute, e.g. {@code moving-digits}. */
  String name();

  /** The stream ids this source emits, in the order their frames interleave. */
  List<String> streams();

  /** Whether {@link #frames()} completes on its own (a folder, a pipe, a frame limit). */
  boolean finite();

  /**
   * The frames, lazily: nothing is read before subscription, demand is honoured, and the frames
   * of each stream come in index order. The frames of several streams interleave, one of each in
   * turn, so that the streams advance together. Blocking work (files, a pipe) runs on the
   * subscriber's thread: subscribe on one that may block. A bad input is a
   * {@link FrameItem.Rejection}, never an error signal.
   */
  Flux<FrameItem> frames();
}
