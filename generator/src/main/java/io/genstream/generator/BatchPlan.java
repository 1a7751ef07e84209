package io.genstream.generator;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Packs the requests of one model version into ONNX Runtime calls of at most
 * {@code maxBatchSize} images, in order; a request larger than the rest of a call continues in
 * the next one. Each call gathers its requests' latents and labels into one input and scatters
 * the output back into each request's buffer.
 */
final class BatchPlan {

  private BatchPlan() {}

  /** A contiguous run of one request's images, {@code from .. from+images}. */
  record Slice(EngineJob job, int from, int images) {}

  /** One ONNX Runtime call. */
  record Call(List<Slice> slices, int images, int latentDim, int pixelsPerImage) {

    float[] latents() {
      float[] latents = new float[images * latentDim];
      int at = 0;
      for (Slice slice : slices) {
        System.arraycopy(slice.job().conditioning.latents(), slice.from() * latentDim, latents,
            at, slice.images() * latentDim);
        at += slice.images() * latentDim;
      }
      return latents;
    }

    long[] labels() {
      long[] labels = new long[images];
      int at = 0;
      for (Slice slice : slices) {
        System.arraycopy(slice.job().conditioning.labels(), slice.from(), labels, at, slice.images());
        at += slice.images();
      }
      return labels;
    }

    /** Copies each slice's images from the call's output into its request's buffer. */
    void scatter(float[] output) {
      int at = 0;
      for (Slice slice : slices) {
        System.arraycopy(output, at, slice.job().output, slice.from() * pixelsPerImage,
            slice.images() * pixelsPerImage);
        at += slice.images() * pixelsPerImage;
      }
    }

    Set<EngineJob> jobs() {
      Set<EngineJob> jobs = new LinkedHashSet<>();
      slices.forEach(slice -> jobs.add(slice.job()));
      return jobs;
    }
  }

  static List<Call> pack(List<EngineJob> jobs, int maxBatchSize) {
    List<Call> calls = new ArrayList<>();
    if (jobs.isEmpty()) {
      return calls;
    }
    EngineJob first = jobs.get(0);
    int latentDim = first.conditioning.latents().length / first.conditioning.count();
    int pixels = first.output.length / first.conditioning.count();
    List<Slice> slices = new ArrayList<>();
    int filled = 0;
    for (EngineJob job : jobs) {
      int count = job.conditioning.count();
      for (int from = 0; from < count; ) {
        int take = Math.min(count - from, maxBatchSize - filled);
        slices.add(new Slice(job, from, take));
        from += take;
        filled += take;
        if (filled == maxBatchSize) {
          calls.add(new Call(List.copyOf(slices), filled, latentDim, pixels));
          slices.clear();
          filled = 0;
        }
      }
    }
    if (filled > 0) {
      calls.add(new Call(List.copyOf(slices), filled, latentDim, pixels));
    }
    return calls;
  }
}
