package io.genstream.generator;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.LogSafe;
import io.genstream.core.messages.ModelManifest;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The engine's last stage: turns the outputs of a batch's inferred requests into PNG or raw
 * {@link GeneratedImage}s on the encode threads, and completes each request with its
 * {@link Generation}. The scheduler belongs to the {@link GenerationEngine}, which stops it.
 */
final class ResultEncoder {

  private static final Logger log = LoggerFactory.getLogger(ResultEncoder.class);

  private final Scheduler encoding;
  private final int encodeThreads;
  private final EngineMetrics metrics;

  ResultEncoder(Scheduler encoding, int encodeThreads, EngineMetrics metrics) {
    this.encoding = encoding;
    this.encodeThreads = encodeThreads;
    this.metrics = metrics;
  }

  /**
   * Encodes the images of the batch's finished requests on the encode threads: the images, in
   * request and index order, are cut into one run per encode thread (fewer for a small batch),
   * each run one task. A request completes on the thread that encodes its last image. One task
   * per run rather than per image: a scheduler task and a Reactor pipeline per image
   * (subscribeOn, flatMapSequential, collectList) were a large part of the encode thread's
   * profile under single-image requests.
   */
  void encode(List<EngineJob> jobs, ModelManifest manifest, long version, String provider) {
    int total = 0;
    for (EngineJob job : jobs) {
      total += job.request.count();
    }
    if (total == 0) {
      return;
    }
    EncodeRuns.Image[] images = new EncodeRuns.Image[total];
    int at = 0;
    for (EngineJob job : jobs) {
      job.startEncoding();
      for (int i = 0; i < job.request.count(); i++) {
        images[at++] = new EncodeRuns.Image(job, i);
      }
    }
    for (EncodeRuns.Run run : EncodeRuns.split(images, encodeThreads)) {
      try {
        encoding.schedule(() -> encode(run, manifest, version, provider));
      } catch (RuntimeException e) { // RejectedExecutionException: the engine is closing
        run.forEach(image -> image.job().fail(e, metrics));
      }
    }
  }

  /** One run of images, on an encode thread. */
  private void encode(EncodeRuns.Run run, ModelManifest manifest, long version,
      String provider) {
    int pixels = manifest.channels() * manifest.height() * manifest.width();
    run.forEach(image -> {
      EngineJob job = image.job();
      if (job.failed()) {
        return;
      }
      GenerationRequest request = job.request;
      int i = image.index();
      GeneratedImage result;
      try {
        ImageTensor tensor = ImageTensor.fromSymmetricUnit(job.output, i * pixels,
            manifest.channels(), manifest.height(), manifest.width());
        boolean raw = request.format() == GenerationRequest.Format.RAW;
        result = new GeneratedImage(request.requestId(), request.model(), version,
            request.seed(), i, request.count(), (int) job.conditioning.labels()[i],
            raw ? tensor.chw() : tensor.toPng(),
            raw ? GeneratedImage.RAW_CONTENT_TYPE : GeneratedImage.CONTENT_TYPE,
            tensor.shape(), provider);
      } catch (RuntimeException e) {
        job.fail(e, metrics);
        return;
      }
      if (job.encoded(i, result)) {
        metrics.served(request.count(), System.nanoTime() - job.queuedAtNanos);
        try {
          job.sink.success(new Generation(request, version, provider, job.images()));
        } catch (RuntimeException e) {
          // The subscriber's own failure: the rest of the run belongs to other requests.
          log.warn("request {} completed with a failing subscriber: {}",
              LogSafe.text(request.requestId()), e.toString());
        }
      }
    });
  }
}
