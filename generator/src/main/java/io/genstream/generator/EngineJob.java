package io.genstream.generator;

import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.ModelManifest;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.MonoSink;

/**
 * One request on its way through the {@link GenerationEngine}: queued, conditioned and inferred
 * on an inference thread ({@link BatchPlan} fills its output), then encoded image by image on
 * the encode threads ({@link ResultEncoder}), and completed or failed once.
 */
final class EngineJob {
  final GenerationRequest request;
  final MonoSink<Generation> sink;
  final long queuedAtNanos = System.nanoTime();
  Conditioning conditioning;
  float[] output;
  private final AtomicBoolean failed = new AtomicBoolean();
  /** Its encoded images, by index; written by the encode threads. */
  private GeneratedImage[] images;
  private AtomicInteger imagesLeft;

  EngineJob(GenerationRequest request, MonoSink<Generation> sink) {
    this.request = request;
    this.sink = sink;
  }

  void prepare(Conditioning conditioning, ModelManifest manifest) {
    this.conditioning = conditioning;
    this.output = new float[conditioning.count() * manifest.channels() * manifest.height()
        * manifest.width()];
  }

  boolean failed() {
    return failed.get();
  }

  /** Fails the request once; later calls (another image's failure) do nothing. */
  void fail(Throwable e, EngineMetrics metrics) {
    if (failed.compareAndSet(false, true)) {
      metrics.failed(e);
      sink.error(e);
    }
  }

  /** Before its images are handed to the encode threads (which this publishes to). */
  void startEncoding() {
    images = new GeneratedImage[request.count()];
    imagesLeft = new AtomicInteger(request.count());
  }

  /** Stores image {@code i}; true for the call that stored the last one. */
  boolean encoded(int i, GeneratedImage image) {
    images[i] = image;
    // The decrement publishes this thread's writes to the thread that sees zero.
    return imagesLeft.decrementAndGet() == 0 && !failed();
  }

  List<GeneratedImage> images() {
    return Arrays.asList(images);
  }
}
