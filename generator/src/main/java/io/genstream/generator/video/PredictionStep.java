package io.genstream.generator.video;

import io.genstream.core.image.FrameMetrics;
import io.genstream.core.image.FrameScore;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.LogSafe;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.VideoFrame;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.ModelRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One micro-batch of frame records, start to records to send: decode (bad frames become dead
 * letters), apply each stream's order rules ({@link StreamWindows}), score the predictions
 * made for each arriving frame against it, beside copy-last (the frame each was predicted
 * from), and predict the next {@code horizon} frames of every stream that has its {@code k}
 * frames of context, in one runtime call per step for all those streams. The horizon is the
 * frame's own ({@code ce_horizon}) or the predictor's.
 *
 * <p><b>Threading.</b> Blocks (lease, inference, PNG): run it on the predictor's one inference
 * thread; it owns the windows, so batches must be processed one at a time, in order.
 *
 * <p><b>Model.</b> Each batch leases the model's {@code latest} version for its duration, so a
 * newly published version takes over at the next batch (hot swap). While no version can
 * predict (none yet, a load retrying, not a {@code framepred} model) the frames still fill
 * their windows and nothing is published: the streams are warm when a version arrives.
 */
final class PredictionStep {

  private static final Logger log = LoggerFactory.getLogger(PredictionStep.class);
  /** Frames a window keeps while no version says its k (the trainer allows up to 16). */
  static final int MAX_CONTEXT_FRAMES = 16;

  /** What one batch produced: predictions and dead letters to send, in this order. */
  record Output(List<ProducerRecord<String, byte[]>> predictions,
      List<ProducerRecord<String, byte[]>> deadLetters) {}

  /**
   * A stream ready to predict from its frame {@code frame} ({@code base}, the newest of its
   * window), {@code horizon} frames ahead.
   */
  private record Ready(StreamWindows.Stream stream, long frame, Instant captureTime,
      ImageTensor base, int horizon) {

    /**
     * Whether every step of this rollout waits to be scored, or only step 1: a stream keeps a
     * whole rollout on every {@code horizon}-th frame, so it holds at most {@code horizon + 1}
     * predictions, not {@code horizon²/2}, and every step is still scored on a regular sample.
     */
    boolean scoresEveryStep() {
      return frame % horizon == 0;
    }
  }

  private final PredictorOptions options;
  private final ModelRegistry registry;
  private final StreamWindows windows;
  private final Evaluation evaluation;
  private final PredictionListener listener;
  private final String source;
  private String lastNoModelReason;

  PredictionStep(PredictorOptions options, ModelRegistry registry, StreamWindows windows,
      Evaluation evaluation, PredictionListener listener, String source) {
    this.options = options;
    this.registry = registry;
    this.windows = windows;
    this.evaluation = evaluation;
    this.listener = Objects.requireNonNull(listener, "listener");
    this.source = source;
  }

  Output process(List<ConsumerRecord<String, byte[]>> records) {
    windows.expireIdle();
    ModelLease lease = lease();
    try {
      FramePredictor predictor = lease == null ? null : lease.predictor();
      return process(records, predictor);
    } finally {
      if (lease != null) {
        lease.close();
      }
    }
  }

  private Output process(List<ConsumerRecord<String, byte[]>> records, FramePredictor predictor) {
    List<ProducerRecord<String, byte[]>> predictions = new ArrayList<>();
    List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
    List<Ready> ready = new ArrayList<>();
    Set<String> readyStreams = new HashSet<>();
    int channels = predictor == null ? options.channels() : predictor.manifest().channels();
    int capacity = predictor == null ? MAX_CONTEXT_FRAMES : predictor.contextFrames();
    for (ConsumerRecord<String, byte[]> record : records) {
      evaluation.frameIn();
      VideoFrame.Decoded frame;
      try {
        frame = VideoFrame.decode(record, channels);
        if (predictor != null) {
          checkShape(frame.image(), predictor.manifest());
        }
      } catch (IllegalArgumentException e) {
        // This frame can never be used as it is; its stream's window is left as it was.
        deadLetters.add(DeadLetter.of(record, e.getMessage(), options.topics().deadLetter(),
            source));
        evaluation.deadLettered();
        log.debug("dead-lettering frame {}-{}@{}: {}", record.topic(), record.partition(),
            record.offset(), LogSafe.text(e.getMessage()));
        continue;
      }
      if (readyStreams.contains(frame.streamId())) {
        // Its prediction must exist before this frame, the one it predicts, is scored.
        predict(predictor, ready, predictions);
        readyStreams.clear();
      }
      StreamWindows.Arrival arrival = windows.accept(frame.streamId(), frame.frame(),
          frame.captureTime(), frame.image(), capacity);
      switch (arrival.outcome()) {
        case DUPLICATE -> {
          evaluation.duplicate();
          continue;
        }
        case GAP -> evaluation.gap();
        default -> { }
      }
      for (StreamWindows.Pending prediction : arrival.due()) {
        score(frame, prediction);
      }
      if (predictor == null) {
        evaluation.withoutModel();
        continue;
      }
      if (arrival.stream().size() >= predictor.contextFrames()) {
        int horizon = frame.horizon() == VideoFrame.DEFAULT_HORIZON ? options.horizon()
            : frame.horizon();
        ready.add(new Ready(arrival.stream(), frame.frame(), frame.captureTime(), frame.image(),
            horizon));
        readyStreams.add(frame.streamId());
        if (ready.size() >= options.maxBatchStreams()) {
          predict(predictor, ready, predictions);
          readyStreams.clear();
        }
      }
    }
    predict(predictor, ready, predictions);
    return new Output(predictions, deadLetters);
  }

  /** The latest version, or null (logged when the reason changes) while none can predict. */
  private ModelLease lease() {
    ModelLease lease = null;
    try {
      lease = registry.acquire(options.model(), "latest");
      lease.predictor(); // refuses a model of another family
      lastNoModelReason = null;
      return lease;
    } catch (InvalidRequestException | ModelNotReadyException e) {
      if (lease != null) {
        lease.close();
      }
      String reason = e.getMessage();
      if (!reason.equals(lastNoModelReason)) {
        lastNoModelReason = reason;
        log.info("no prediction while no version of model {} can predict (streams keep warming):"
            + " {}", options.model(), LogSafe.text(reason));
      }
      return null;
    }
  }

  /**
   * One runtime call per step for every ready stream whose horizon reaches that step; each
   * prediction is fed back as 8-bit, as published, for the next step. A prediction that will be
   * scored waits in its stream for the frame it predicts.
   */
  private void predict(FramePredictor predictor, List<Ready> ready,
      List<ProducerRecord<String, byte[]>> out) {
    if (ready.isEmpty()) {
      return;
    }
    ModelManifest m = predictor.manifest();
    int k = predictor.contextFrames();
    int frameValues = m.channels() * m.height() * m.width();
    int contextValues = k * frameValues;
    List<Ready> rolling = new ArrayList<>(ready);
    // [n, k·C, H, W]: stream i's k frames, oldest first, one after another.
    float[] input = new float[rolling.size() * contextValues];
    for (int i = 0; i < rolling.size(); i++) {
      List<ImageTensor> context = rolling.get(i).stream().last(k);
      for (int j = 0; j < k; j++) {
        System.arraycopy(context.get(j).toSymmetricUnit(), 0, input, i * contextValues
            + j * frameValues, frameValues);
      }
    }
    for (int step = 1; !rolling.isEmpty(); step++) {
      int n = rolling.size();
      float[] values;
      try {
        values = predictor.predict(input, n);
      } catch (RuntimeException e) {
        evaluation.failedInference();
        log.warn("prediction of {} streams by model {} version {} failed: {}", n, m.name(),
            m.version(), e.toString());
        break;
      }
      int continuing = 0;
      for (Ready r : rolling) {
        continuing += r.horizon() > step ? 1 : 0;
      }
      List<Ready> next = new ArrayList<>(continuing);
      float[] nextInput = new float[continuing * contextValues];
      for (int i = 0; i < n; i++) {
        Ready r = rolling.get(i);
        ImageTensor image = ImageTensor.fromSymmetricUnit(values, i * frameValues, m.channels(),
            m.height(), m.width());
        FramePrediction prediction = new FramePrediction(r.stream().id, r.frame() + step,
            r.frame(), step, m.name(), m.version(), r.captureTime(), image);
        out.add(prediction.toRecord(options.topics().predictions(), source));
        if (step == 1 || r.scoresEveryStep()) {
          windows.expect(r.stream(), new StreamWindows.Pending(r.frame() + step, step,
              m.version(), image, r.base()));
        }
        notify(prediction);
        if (step < r.horizon()) {
          // Its context slides by one frame: drop the oldest, append this prediction.
          int from = i * contextValues;
          int to = next.size() * contextValues;
          System.arraycopy(input, from + frameValues, nextInput, to, contextValues - frameValues);
          System.arraycopy(image.toSymmetricUnit(), 0, nextInput, to + contextValues
              - frameValues, frameValues);
          next.add(r);
        }
      }
      evaluation.predicted(n);
      rolling = next;
      input = nextInput;
    }
    ready.clear();
  }

  /**
   * A prediction and copy-last (the frame it was predicted from) against the frame that came,
   * on its 8 bits.
   */
  private void score(VideoFrame.Decoded frame, StreamWindows.Pending prediction) {
    FrameScore model;
    FrameScore copyLast;
    try {
      model = FrameMetrics.score(prediction.image(), frame.image());
      copyLast = FrameMetrics.score(prediction.base(), frame.image());
    } catch (IllegalArgumentException e) {
      log.debug("frame {} of stream {} not scored: {}", frame.frame(),
          LogSafe.text(frame.streamId()), e.getMessage());
      return; // below SSIM's 7x7 window
    }
    evaluation.scored(frame.streamId(), prediction.version(), prediction.step(), model,
        copyLast);
    if (prediction.step() != 1) {
      return;
    }
    try {
      listener.onScored(frame.streamId(), frame.frame(), prediction.version(), frame.image(),
          prediction.image(), prediction.base(), model, copyLast);
    } catch (RuntimeException e) {
      log.warn("prediction listener failed: {}", e.toString());
    }
  }

  private void notify(FramePrediction prediction) {
    try {
      listener.onPrediction(prediction);
    } catch (RuntimeException e) {
      log.warn("prediction listener failed: {}", e.toString());
    }
  }

  private static void checkShape(ImageTensor image, ModelManifest m) {
    if (image.channels() != m.channels() || image.height() != m.height()
        || image.width() != m.width()) {
      throw new IllegalArgumentException("frame is " + image.channels() + "x" + image.height()
          + "x" + image.width() + " (channels x height x width), model '" + m.name()
          + "' version " + m.version() + " takes " + m.channels() + "x" + m.height() + "x"
          + m.width());
    }
  }
}
