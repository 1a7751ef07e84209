package io.genstream.app.bench;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The generation engine's own meters over an interval: {@code genstream.generator.batch.images}
 * (images per ONNX Runtime call), {@code genstream.generator.inference} (time in those calls) and
 * {@code genstream.generator.request} (a request's time in the engine, queued to encoded) and
 * {@code genstream.generator.queue.wait} (its part before its batch started).
 * Micrometer's summaries are cumulative, so an interval is the difference of two snapshots.
 *
 * @param calls ONNX Runtime calls in the interval
 * @param meanBatch mean images per call
 * @param inferenceSeconds time spent inside the calls
 * @param meanRequestMs mean time of a request in the engine (queue, batch, inference, encoding)
 * @param meanQueueWaitMs mean time a request waited before its batch started
 */
record EngineMeters(long calls, double meanBatch, double inferenceSeconds, double meanRequestMs,
    double meanQueueWaitMs) {

  /** Mean duration of one ONNX Runtime call. */
  double meanCallMs() {
    return calls == 0 ? 0 : 1000 * inferenceSeconds / calls;
  }

  /** A snapshot of the cumulative meters. */
  record Mark(long calls, double images, double inferenceNanos, long requests,
      double requestNanos, long waits, double waitNanos) {}

  static Mark mark(MeterRegistry meters) {
    DistributionSummary batch = meters.get("genstream.generator.batch.images").summary();
    Timer inference = meters.get("genstream.generator.inference").timer();
    Timer request = meters.get("genstream.generator.request").timer();
    Timer wait = meters.get("genstream.generator.queue.wait").timer();
    return new Mark(batch.count(), batch.totalAmount(), inference.totalTime(TimeUnit.NANOSECONDS),
        request.count(), request.totalTime(TimeUnit.NANOSECONDS), wait.count(),
        wait.totalTime(TimeUnit.NANOSECONDS));
  }

  static EngineMeters since(MeterRegistry meters, Mark start) {
    Mark end = mark(meters);
    long calls = end.calls() - start.calls();
    long requests = end.requests() - start.requests();
    long waits = end.waits() - start.waits();
    return new EngineMeters(calls, calls == 0 ? 0 : (end.images() - start.images()) / calls,
        (end.inferenceNanos() - start.inferenceNanos()) / 1e9,
        requests == 0 ? 0 : (end.requestNanos() - start.requestNanos()) / requests / 1e6,
        waits == 0 ? 0 : (end.waitNanos() - start.waitNanos()) / waits / 1e6);
  }
}
