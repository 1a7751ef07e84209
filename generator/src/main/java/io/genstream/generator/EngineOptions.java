package io.genstream.generator;

import io.genstream.core.messages.GenerationRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link GenerationEngine} batches and where it runs; validated here, once.
 *
 * @param maxCount largest {@code count} one request may ask for, 1..{@value GenerationRequest#MAX_COUNT}
 * @param maxBatchSize most images in one ONNX Runtime call; requests queued together are packed
 *     into calls of at most this many images (a larger request is split)
 * @param maxBatchWait how long the first queued request waits for others to join its batch; a
 *     batch starts as soon as it is full or this passed. Zero disables waiting (requests that
 *     arrive while inference threads are busy are still batched).
 * @param maxQueuedImages images accepted but not yet running; beyond it a request is refused as
 *     overloaded (transient: Kafka retries it later, HTTP answers 503)
 * @param inferenceThreads batches running at once (each one ONNX Runtime call at a time)
 * @param encodeThreads threads encoding PNGs off the inference threads
 */
public record EngineOptions(int maxCount, int maxBatchSize, Duration maxBatchWait,
    int maxQueuedImages, int inferenceThreads, int encodeThreads) {

  public EngineOptions {
    Objects.requireNonNull(maxBatchWait, "maxBatchWait");
    if (maxCount < 1 || maxCount > GenerationRequest.MAX_COUNT) {
      throw new IllegalArgumentException(
          "maxCount must be 1.." + GenerationRequest.MAX_COUNT + ", got " + maxCount);
    }
    if (maxBatchSize < 1 || maxBatchSize > 4096) {
      throw new IllegalArgumentException("maxBatchSize must be 1..4096, got " + maxBatchSize);
    }
    if (maxBatchWait.isNegative() || maxBatchWait.compareTo(Duration.ofSeconds(1)) > 0) {
      throw new IllegalArgumentException("maxBatchWait must be 0..1s, got " + maxBatchWait);
    }
    if (maxQueuedImages < maxCount) {
      throw new IllegalArgumentException("maxQueuedImages must be >= maxCount (" + maxCount
          + "), got " + maxQueuedImages);
    }
    if (inferenceThreads < 1) {
      throw new IllegalArgumentException("inferenceThreads must be >= 1, got " + inferenceThreads);
    }
    if (encodeThreads < 1) {
      throw new IllegalArgumentException("encodeThreads must be >= 1, got " + encodeThreads);
    }
  }

  /**
   * Requests of up to {@value GenerationRequest#MAX_COUNT} images, batches of 64 gathered for up
   * to 2 ms, 4096 images queued, one inference thread, PNG encoding on every other core (at
   * least one), so that encoding does not take the inference thread's core.
   */
  public static EngineOptions defaults() {
    return new EngineOptions(GenerationRequest.MAX_COUNT, 64, Duration.ofMillis(2), 4096, 1,
        Math.max(1, Runtime.getRuntime().availableProcessors() - 1));
  }

  public EngineOptions withMaxCount(int maxCount) {
    return new EngineOptions(maxCount, maxBatchSize, maxBatchWait,
        Math.max(maxQueuedImages, maxCount), inferenceThreads, encodeThreads);
  }

  public EngineOptions withBatching(int maxBatchSize, Duration maxBatchWait) {
    return new EngineOptions(maxCount, maxBatchSize, maxBatchWait, maxQueuedImages,
        inferenceThreads, encodeThreads);
  }

  public EngineOptions withInferenceThreads(int inferenceThreads) {
    return new EngineOptions(maxCount, maxBatchSize, maxBatchWait, maxQueuedImages,
        inferenceThreads, encodeThreads);
  }

  public EngineOptions withMaxQueuedImages(int maxQueuedImages) {
    return new EngineOptions(maxCount, maxBatchSize, maxBatchWait, maxQueuedImages,
        inferenceThreads, encodeThreads);
  }
}
