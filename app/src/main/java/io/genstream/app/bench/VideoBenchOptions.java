package io.genstream.app.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What {@code genstream bench video} measures; validated here, once.
 *
 * @param streams video streams, each a moving-digit camera, 1..1024; also the predictor's
 *     largest batch and the batch of the bare inference phase
 * @param fps frames per second of each stream, 0.5..1000
 * @param seconds the timed part of the latency phase, 1..3600; the bare inference and the round
 *     trip get a third of it each (at least 1 s)
 * @param warmupSeconds the least time frames are sent before the latency phase is timed (it goes
 *     on while the JIT is busy, up to 3 times this), 0..600; the other phases warm up for it, at
 *     least 0.5 s and at most 3 s
 * @param size frame width and height: 32 or 64
 * @param ortThreads ONNX Runtime intra-op threads of the predictor and the bare phase, 1..256
 * @param stagger spread the streams' frames evenly over a frame interval instead of sending
 *     frame i of every stream at the same instant
 * @param maxBatchWait how long the predictor waits for other streams' frames to share a call,
 *     0..1 s (its own default unless told)
 * @param json where to write the results as JSON, or null
 */
public record VideoBenchOptions(int streams, double fps, double seconds, double warmupSeconds,
    int size, int ortThreads, boolean stagger, Duration maxBatchWait, Path json) {

  public static final int DEFAULT_STREAMS = 8;
  public static final double DEFAULT_FPS = 10;
  public static final double DEFAULT_SECONDS = 30;
  public static final double DEFAULT_WARMUP = 10;

  public VideoBenchOptions {
    if (streams < 1 || streams > 1024) {
      throw new IllegalArgumentException("--streams must be 1..1024, got " + streams);
    }
    if (!(fps >= 0.5 && fps <= 1000)) {
      throw new IllegalArgumentException("--fps must be 0.5..1000, got " + fps);
    }
    if (!(seconds >= 1 && seconds <= 3600)) {
      throw new IllegalArgumentException("--seconds must be 1..3600, got " + seconds);
    }
    if (!(warmupSeconds >= 0 && warmupSeconds <= 600)) {
      throw new IllegalArgumentException("--warmup must be 0..600, got " + warmupSeconds);
    }
    if (size != 32 && size != 64) {
      throw new IllegalArgumentException("--size must be 32 or 64, got " + size);
    }
    if (ortThreads < 1 || ortThreads > 256) {
      throw new IllegalArgumentException("--ort-threads must be 1..256, got " + ortThreads);
    }
    if (maxBatchWait.isNegative() || maxBatchWait.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("--max-batch-wait must be 0..1s, got " + maxBatchWait);
    }
  }

  /** A timed phase. */
  Duration phase() {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  Duration warmup() {
    return Duration.ofMillis(Math.round(warmupSeconds * 1000));
  }
}
