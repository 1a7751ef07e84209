package io.genstream.app.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.genstream.core.messages.ModelManifest;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ceiling: {@code OrtSession.run} in a loop on one thread, on batches of a fixed size, with
 * inputs and the output in direct buffers made once (no copies, no allocation per call). The
 * session is configured as the generator's loader configures its sessions (intra-op threads,
 * one inter-op thread, all graph optimisations, no spinning), so the only difference from the
 * served path is everything around the call.
 *
 * <p>Not thread-safe; owns its session and options, closed by {@link #close()} in that order.
 */
final class OrtLoop implements AutoCloseable {

  private final OrtSession.SessionOptions options;
  private final OrtSession session;
  private final Map<String, OnnxTensor> feed = new HashMap<>();
  private final Map<String, OnnxTensor> output;
  private final List<OnnxTensor> tensors;
  private final int batch;

  /**
   * A session over {@code onnx} with inputs for one batch of {@code inputs.n()} images.
   *
   * @throws IllegalStateException if ONNX Runtime refuses the model
   */
  OrtLoop(byte[] onnx, ModelManifest manifest, BenchModel.Inputs inputs, int intraOpThreads) {
    // The process-wide environment: ONNX Runtime owns it and it is never closed.
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    int n = inputs.n();
    List<AutoCloseable> made = new ArrayList<>();
    try {
      OrtSession.SessionOptions opts = keep(made, new OrtSession.SessionOptions());
      opts.setIntraOpNumThreads(intraOpThreads);
      opts.setInterOpNumThreads(1);
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      opts.addConfigEntry("session.intra_op.allow_spinning", "0");
      OrtSession s = keep(made, env.createSession(onnx, opts));
      OnnxTensor z = keep(made, OnnxTensor.createTensor(env, floats(inputs.latents()),
          new long[] {n, manifest.latentDim()}));
      OnnxTensor label = manifest.conditional()
          ? keep(made, OnnxTensor.createTensor(env, longs(inputs.labels()), new long[] {n}))
          : null;
      // [N, C, H, W], written in place by every call.
      OnnxTensor image = keep(made, OnnxTensor.createTensor(env,
          ByteBuffer.allocateDirect(Float.BYTES * n * manifest.channels() * manifest.height()
              * manifest.width()).order(ByteOrder.nativeOrder()).asFloatBuffer(),
          new long[] {n, manifest.channels(), manifest.height(), manifest.width()}));
      for (Map.Entry<String, NodeInfo> input : s.getInputInfo().entrySet()) {
        TensorInfo info = (TensorInfo) input.getValue().getInfo();
        feed.put(input.getKey(), info.type == OnnxJavaType.INT64 ? label : z);
      }
      this.output = Map.of(s.getOutputNames().iterator().next(), image);
      this.options = opts;
      this.session = s;
      this.batch = n;
      this.tensors = label == null ? List.of(z, image) : List.of(z, label, image);
    } catch (OrtException | RuntimeException e) {
      for (int i = made.size() - 1; i >= 0; i--) {
        try {
          made.get(i).close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new IllegalStateException("ONNX Runtime cannot run the bench model: " + e, e);
    }
  }

  private static <T extends AutoCloseable> T keep(List<AutoCloseable> made, T resource) {
    made.add(resource);
    return resource;
  }

  /** One call on the batch; returns its duration in nanoseconds. */
  long runOnce() {
    long start = System.nanoTime();
    try (OrtSession.Result result = session.run(feed, output)) {
      return System.nanoTime() - start;
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime call failed: " + e.getMessage(), e);
    }
  }

  /**
   * Runs for {@code duration} after {@code warmup}.
   *
   * @return images per second, and the duration of every timed call
   */
  Result run(Duration warmup, Duration duration) {
    long warmEnd = System.nanoTime() + warmup.toNanos();
    while (System.nanoTime() < warmEnd) {
      runOnce();
    }
    long[] calls = new long[1024];
    int n = 0;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    long now = start;
    while (now < end || n == 0) {
      if (n == calls.length) {
        calls = java.util.Arrays.copyOf(calls, 2 * n);
      }
      calls[n++] = runOnce();
      now = System.nanoTime();
    }
    double seconds = (now - start) / 1e9;
    double onCpu = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e9 / seconds;
    return new Result((double) n * batch / seconds, n, Percentiles.ofNanos(calls, n), onCpu);
  }

  /**
   * @param call the duration of one batch call
   * @param onCpu the share of the time this thread was running (rather than waiting for a core)
   */
  record Result(double imagesPerSecond, int calls, Percentiles call, double onCpu) {}

  @Override
  public void close() {
    for (OnnxTensor tensor : tensors) {
      tensor.close();
    }
    try {
      session.close();
    } catch (OrtException e) {
      // Nothing to recover; the options are closed after it regardless.
    }
    options.close();
  }

  private static FloatBuffer floats(float[] values) {
    FloatBuffer buffer = ByteBuffer.allocateDirect(Float.BYTES * values.length)
        .order(ByteOrder.nativeOrder()).asFloatBuffer();
    return buffer.put(values).flip();
  }

  private static LongBuffer longs(long[] values) {
    LongBuffer buffer = ByteBuffer.allocateDirect(Long.BYTES * values.length)
        .order(ByteOrder.nativeOrder()).asLongBuffer();
    return buffer.put(values).flip();
  }
}
