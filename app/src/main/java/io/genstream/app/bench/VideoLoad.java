package io.genstream.app.bench;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.VideoFrame;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.video.FramePredictionService;
import io.genstream.generator.video.PredictionListener;
import io.genstream.generator.video.PredictorOptions;
import io.genstream.ingest.video.MovingDigits;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * The video-prediction path on one in-process broker: the {@code framepred} model published on
 * the models topic, a real {@link FramePredictionService} following it, cameras producing
 * moving-digit frames on the frames topic, and a client consuming the predictions.
 *
 * <p>The client is {@link KafkaLoad}'s: a plain {@code KafkaProducer} ({@code acks=all},
 * {@code linger.ms=0}) and a plain {@code KafkaConsumer} assigned to the predictions partition
 * (no group); the same settings measure the raw round trip. Every topic has one partition.
 *
 * <p><b>Threads.</b> Confined to the thread that created it, except the pacing thread that
 * {@link #latency} starts and joins. <b>Ownership.</b> Owns the broker, the service and the
 * clients; {@link #close()} closes the service, then the clients, then the broker.
 */
final class VideoLoad implements AutoCloseable {

  private static final String SOURCE = "genstream-bench";
  private static final String PRIMING_STREAM = "bench-priming";
  /** A phase fails if no prediction arrives for this long. */
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);
  /** After the last frame is sent, predictions still missing this long later are counted lost. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);
  private static final int JIT_WINDOW_SECONDS = 2;

  private final Topics topics = Topics.defaults();
  private final EmbeddedKafka broker;
  private final FramePredictionService service;
  private final MeteredPredictors predictors;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> predictions;
  private final int contextFrames;

  private VideoLoad(EmbeddedKafka broker, FramePredictionService service,
      MeteredPredictors predictors, int contextFrames) {
    this.broker = broker;
    this.service = service;
    this.predictors = predictors;
    this.contextFrames = contextFrames;
    this.producer = KafkaLoad.producer(broker.bootstrapServers());
    this.predictions = KafkaLoad.consumer(broker.bootstrapServers(), topics.predictions());
  }

  /**
   * Starts a broker, creates the topics (one partition each), publishes the model, starts a
   * prediction service batching up to {@code streams} contexts per call (waiting up to
   * {@code maxBatchWait} for them) on {@code ortThreads} threads, and waits until it has predicted once (a priming stream of k frames).
   *
   * @throws IllegalStateException if any of it fails or times out
   */
  static VideoLoad start(BenchModel model, int streams, Duration maxBatchWait, int ortThreads) {
    EmbeddedKafka broker = EmbeddedKafka.start();
    FramePredictionService service = null;
    VideoLoad load = null;
    try {
      String bootstrap = broker.bootstrapServers();
      Topics topics = KafkaLoad.prepare(bootstrap, model);
      stampAppendTime(bootstrap, topics.predictions());
      MeteredPredictors predictors = new MeteredPredictors(ModelLoader.onnxRuntime(ortThreads));
      PredictorOptions options = PredictorOptions.builder(bootstrap, BenchModel.NAME)
          .topics(topics)
          .horizon(1)
          .batching(streams, maxBatchWait)
          .ortIntraOpThreads(ortThreads)
          .build();
      service = FramePredictionService.create(options, predictors, new PredictionListener() {})
          .start();
      service.ready().block(Duration.ofSeconds(60));
      int k = model.spec().contextFrames();
      load = new VideoLoad(broker, service, predictors, k);
      load.prime(model.spec().imageSize());
      return load;
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (load != null) {
        load.close();
      } else {
        if (service != null) {
          service.close();
        }
        broker.close();
      }
      throw new IllegalStateException("cannot start the broker and predictor: " + e, e);
    }
  }

  /**
   * Makes the broker stamp each prediction with the time it appended it ({@code LogAppendTime}),
   * so that the client reads when a prediction was on the broker, the target's end point.
   */
  private static void stampAppendTime(String bootstrap, String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        bootstrap))) {
      admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
          List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG,
              "LogAppendTime"), AlterConfigOp.OpType.SET)))).all().get(30, TimeUnit.SECONDS);
    }
  }

  /** Past frames one prediction takes (the model's k). */
  int contextFrames() {
    return contextFrames;
  }

  /** Sends k frames of a stream of its own and waits for their prediction: the model is loaded. */
  private void prime(int size) {
    byte[][][] frames = render(1, size, contextFrames, 7);
    for (int f = 0; f < contextFrames; f++) {
      producer.send(new VideoFrame(PRIMING_STREAM, f, Instant.now(), frames[f][0])
          .toRecord(topics.frames(), SOURCE));
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> record : predictions.poll(Duration.ofMillis(100))) {
        if (PRIMING_STREAM.equals(record.key())) {
          return;
        }
      }
    }
    throw new IllegalStateException("the predictor made no prediction within 60 s of "
        + contextFrames + " frames; predictor " + service.scores().summary());
  }

  /**
   * PNG bytes of {@code frames} frames of {@code streams} moving-digit cameras
   * ({@link MovingDigits}, 2 pixels a frame, up to 2 digits), as {@code [frame][stream]}:
   * rendered before anything is timed, so that the pacer only sends.
   */
  static byte[][][] render(int streams, int size, int frames, long seed) {
    List<VideoFrame> rendered = new MovingDigits(
        new MovingDigits.Options(streams, size, 2, 2, seed, frames, 0))
        .videoFrames().collectList().block();
    byte[][][] out = new byte[frames][streams][];
    for (int i = 0; i < rendered.size(); i++) {
      out[i / streams][i % streams] = rendered.get(i).png();
    }
    return out;
  }

  /** Round trips of a record of {@code value.length} bytes, one at a time, for {@code duration}. */
  Percentiles roundTrip(byte[] value, Duration duration, int warmup) {
    return KafkaLoad.roundTrip(producer, broker.bootstrapServers(), KafkaLoad.ROUND_TRIP_TOPIC, value,
        duration, warmup);
  }

  /**
   * @param warmupSeconds how long frames were sent before the timed part
   * @param warmupJitCores the JIT compilers' share of a core over the last 2 s of the warm-up
   * @param framesSent frames sent in the timed part (all streams)
   * @param rate frames per second actually sent in the timed part (all streams)
   * @param onBroker frame produce call to its prediction (step 1) appended by the broker, per
   *     prediction: the broker's append time ({@code LogAppendTime}) less the wall-clock time of
   *     the produce call, both {@code System.currentTimeMillis()} on this machine, so whole
   *     milliseconds (each figure within 1 ms of the truth)
   * @param latency frame produce call to its prediction (step 1) consumed, per prediction
   *     ({@code System.nanoTime()} on both sides)
   * @param missing timed frames (with k frames of context) whose prediction never came
   * @param appendedToConsumedMs median from a prediction appended to the client consuming it
   * @param calls the predictor's ONNX Runtime calls in the timed part
   * @param cpu CPU over the timed part
   */
  record Latency(double warmupSeconds, double warmupJitCores, int framesSent, double rate,
      Percentiles onBroker, Percentiles latency, int missing, double appendedToConsumedMs,
      MeteredPredictors.Calls calls, CpuMeter.Usage cpu) {}

  /**
   * Frames of every stream (stream s is {@code streamIds[s]}, frame f is
   * {@code pngs[f % pngs.length][s]}) sent at {@code fps} frames per second per stream (open
   * loop: a pacing thread sends on schedule whatever the predictions do), frame f of every
   * stream at the same instant, or spread evenly over the frame interval with {@code stagger}.
   *
   * <p>The first frames warm up, untimed: for {@code warmup}, and then on until the JIT
   * compilers used under {@value JitWarmUp#SETTLED_JIT_CORES} of a core over the last
   * {@value #JIT_WINDOW_SECONDS} s (they compile the broker's, the clients' and the service's hot
   * code on the very cores being measured), but no longer than {@code maxWarmup} (both checked
   * every {@value #JIT_WINDOW_SECONDS} s, so the warm-up lasts at least that). The frames of
   * the next {@code timed} are timed: the latency of each, from its produce call to its
   * prediction (step 1) on the broker (the broker's append time, whole milliseconds) and to it
   * consumed (both ends read with {@code System.nanoTime()} in this JVM).
   *
   * @throws IllegalStateException if sending fails, or no prediction comes for the stall timeout
   */
  Latency latency(byte[][][] pngs, String[] streamIds, double fps, boolean stagger,
      Duration warmup, Duration maxWarmup, Duration timed) throws InterruptedException {
    int streams = streamIds.length;
    long interval = Math.round(1e9 / fps);
    int timedFrames = (int) Math.max(1, Math.round(timed.toNanos() / 1e9 * fps));
    int maxFrames = (int) Math.ceil(Math.max(warmup.toNanos(), maxWarmup.toNanos()) / 1e9 * fps)
        + (int) Math.ceil((JIT_WINDOW_SECONDS + 1) * fps) + contextFrames + timedFrames;
    int total = maxFrames * streams;
    long[] sent = new long[total];
    long[] sentMillis = new long[total];
    boolean[] seen = new boolean[total];
    Map<String, Integer> streamIndex = new HashMap<>();
    for (int s = 0; s < streams; s++) {
      streamIndex.put(streamIds[s], s);
    }
    // The pacer sends frames 0..end-1; end is cut down once the timed frames are chosen.
    AtomicInteger end = new AtomicInteger(maxFrames);
    AtomicInteger framesDone = new AtomicInteger();
    long start = System.nanoTime() + 50_000_000;
    AtomicReference<Throwable> pacerFailure = new AtomicReference<>();
    Thread pacer = new Thread(() -> {
      try {
        for (int f = 0; f < end.get(); f++) {
          for (int s = 0; s < streams; s++) {
            long due = start + f * interval + (stagger ? s * interval / streams : 0);
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
              LockSupport.parkNanos(wait);
            }
            int i = f * streams + s;
            sentMillis[i] = System.currentTimeMillis();
            sent[i] = System.nanoTime();
            producer.send(new VideoFrame(streamIds[s], f, Instant.ofEpochMilli(sentMillis[i]),
                pngs[f % pngs.length][s]).toRecord(topics.frames(), SOURCE));
          }
          framesDone.set(f + 1);
        }
      } catch (RuntimeException e) {
        pacerFailure.set(e);
      }
    }, "genstream-bench-pacer");
    pacer.start();

    // Until the timed frames are chosen: firstTimed = -1.
    int firstTimed = -1;
    int expected = 0;
    long lastDue = Long.MAX_VALUE;
    double warmupSeconds = 0;
    double warmupJit = 0;
    CpuMeter.Mark cpu = null;
    int callsMark = 0;
    CpuMeter.Mark jitWindow = CpuMeter.start();
    long[] latency = new long[timedFrames * streams];
    long[] onBroker = new long[latency.length];
    long[] appendedToConsumed = new long[latency.length];
    int n = 0;
    long lastProgress = System.nanoTime();
    while (firstTimed < 0 || n < expected) {
      long now = System.nanoTime();
      if (firstTimed < 0 && now - jitWindow.wallNanos() >= JIT_WINDOW_SECONDS * 1_000_000_000L) {
        CpuMeter.Usage window = jitWindow.stop(0);
        warmupJit = window.jitCores();
        jitWindow = CpuMeter.start();
        long warm = now - start;
        if (warm >= warmup.toNanos()
            && (warmupJit < JitWarmUp.SETTLED_JIT_CORES || warm >= maxWarmup.toNanos())) {
          // The next frame not yet begun, and at least k-1 (the first frame with a prediction).
          firstTimed = Math.max(framesDone.get() + 1, contextFrames - 1);
          end.set(Math.min(maxFrames, firstTimed + timedFrames));
          expected = (end.get() - firstTimed) * streams;
          lastDue = start + (long) end.get() * interval;
          warmupSeconds = warm / 1e9;
          cpu = CpuMeter.start();
          callsMark = predictors.mark();
        }
      }
      if (firstTimed >= 0 && now - lastDue > DRAIN_TIMEOUT.toNanos()
          && now - lastProgress > DRAIN_TIMEOUT.toNanos()) {
        break; // the rest is lost, and counted
      }
      if (now - lastProgress > STALL_TIMEOUT.toNanos()) {
        throw new IllegalStateException("no prediction for " + STALL_TIMEOUT + ": " + n + " of "
            + expected + " timed predictions consumed; predictor " + service.scores().summary());
      }
      for (ConsumerRecord<String, byte[]> record : predictions.poll(Duration.ofMillis(20))) {
        long consumed = System.nanoTime();
        Integer s = streamIndex.get(record.key());
        if (s == null
            || !"1".equals(CloudEvents.attribute(record.headers(), "step").orElse("1"))) {
          continue;
        }
        long basedOn = Long.parseLong(CloudEvents.requiredAttribute(record.headers(), "basedon"));
        if (basedOn < 0 || basedOn >= maxFrames) {
          continue;
        }
        int i = (int) basedOn * streams + s;
        lastProgress = consumed;
        if (firstTimed < 0 || basedOn < firstTimed || basedOn >= end.get() || seen[i]) {
          continue;
        }
        seen[i] = true;
        latency[n] = consumed - sent[i];
        onBroker[n] = (record.timestamp() - sentMillis[i]) * 1_000_000L;
        appendedToConsumed[n] = System.currentTimeMillis() - record.timestamp();
        n++;
      }
    }
    pacer.join();
    if (pacerFailure.get() != null) {
      throw new IllegalStateException("sending frames failed: " + pacerFailure.get(),
          pacerFailure.get());
    }
    if (n == 0) {
      throw new IllegalStateException("no timed prediction consumed; predictor "
          + service.scores().summary());
    }
    CpuMeter.Usage usage = cpu.stop(10);
    int timedSent = (end.get() - firstTimed) * streams;
    double sendSeconds = (sent[end.get() * streams - 1] - sent[firstTimed * streams]) / 1e9;
    return new Latency(warmupSeconds, warmupJit, timedSent,
        sendSeconds > 0 ? (timedSent - 1) / sendSeconds : fps * streams,
        Percentiles.ofNanos(onBroker, n), Percentiles.ofNanos(latency, n), expected - n,
        median(appendedToConsumed, n), predictors.since(callsMark), usage);
  }

  private static double median(long[] values, int n) {
    long[] copy = Arrays.copyOf(values, n);
    Arrays.sort(copy);
    return copy[n / 2];
  }

  /** Closes the service (it drains), the client, then the broker. */
  @Override
  public void close() {
    try {
      service.close();
    } finally {
      try {
        producer.close(Duration.ofSeconds(10));
        predictions.close(Duration.ofSeconds(10));
      } finally {
        broker.close();
      }
    }
  }
}
