package io.genstream.generator.video;

import io.genstream.core.image.FrameScore;
import io.genstream.core.image.FrameScores;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.Json;
import io.genstream.core.messages.VideoFrame;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * The predictor's running scores and counters. Written by the inference thread, read by
 * anyone through {@link #snapshot}: every method is synchronized (each is a few field updates).
 *
 * <p>Next-frame (step 1) predictions are scored per version and per stream; every step of a
 * rollout (1..horizon) is scored per version, each step beside copy-last of the frame the
 * rollout started from.
 *
 * <p>Bounded: scores for the newest {@code maxVersions} versions (at most
 * {@value VideoFrame#MAX_HORIZON} steps each) and the most recently scored {@code maxStreams}
 * streams.
 */
final class Evaluation {

  /** The {@code ce_kind} of the evaluation event on the training topic. */
  static final String KIND = "videoeval";

  private final String model;
  private final int maxVersions;
  private final int maxStreams;
  private final TreeMap<Long, PredictionScores.Scores> versions = new TreeMap<>();
  private final TreeMap<Long, TreeMap<Integer, PredictionScores.Scores>> steps = new TreeMap<>();
  private final LinkedHashMap<String, PredictionScores.Scores> streams =
      new LinkedHashMap<>(16, 0.75f, true);
  private long framesIn;
  private long predictions;
  private long duplicates;
  private long gaps;
  private long withoutModel;
  private long deadLettered;
  private long failedInferences;

  Evaluation(String model, int maxVersions, int maxStreams) {
    this.model = model;
    this.maxVersions = maxVersions;
    this.maxStreams = maxStreams;
  }

  /**
   * A prediction {@code step} frames ahead, made by {@code version}, and copy-last of the frame
   * it was made from, both scored against the frame that came.
   */
  synchronized void scored(String streamId, long version, int step, FrameScore modelScore,
      FrameScore copyLast) {
    steps.computeIfAbsent(version, v -> new TreeMap<>())
        .merge(step, PredictionScores.Scores.NONE.plus(modelScore, copyLast),
            (old, one) -> old.plus(modelScore, copyLast));
    while (steps.size() > maxVersions) {
      steps.pollFirstEntry();
    }
    if (step != 1) {
      return;
    }
    versions.merge(version, PredictionScores.Scores.NONE.plus(modelScore, copyLast),
        (old, one) -> old.plus(modelScore, copyLast));
    while (versions.size() > maxVersions) {
      versions.pollFirstEntry();
    }
    streams.merge(streamId, PredictionScores.Scores.NONE.plus(modelScore, copyLast),
        (old, one) -> old.plus(modelScore, copyLast));
    if (streams.size() > maxStreams) {
      Iterator<String> oldest = streams.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  synchronized void frameIn() {
    framesIn++;
  }

  synchronized void predicted(int count) {
    predictions += count;
  }

  synchronized void duplicate() {
    duplicates++;
  }

  synchronized void gap() {
    gaps++;
  }

  synchronized void withoutModel() {
    withoutModel++;
  }

  synchronized void deadLettered() {
    deadLettered++;
  }

  synchronized void failedInference() {
    failedInferences++;
  }

  synchronized PredictionScores snapshot(int activeStreams, long pendingPredictions,
      long evicted, long expired) {
    return new PredictionScores(model, framesIn, predictions, duplicates, gaps, withoutModel,
        deadLettered, failedInferences, activeStreams, pendingPredictions, evicted, expired,
        Collections.unmodifiableMap(new TreeMap<>(versions)),
        Collections.unmodifiableMap(new LinkedHashMap<>(streams)), copyOfSteps());
  }

  private Map<Long, Map<Integer, PredictionScores.Scores>> copyOfSteps() {
    TreeMap<Long, Map<Integer, PredictionScores.Scores>> copy = new TreeMap<>();
    steps.forEach((version, byStep) ->
        copy.put(version, Collections.unmodifiableMap(new TreeMap<>(byStep))));
    return Collections.unmodifiableMap(copy);
  }

  /**
   * The evaluation event: {@code ce_type} {@value CloudEvents#TYPE_TRAINING} with
   * {@code ce_kind} {@value #KIND} and {@code ce_model}, keyed by model, JSON body (see the
   * README): the newest version's scores at the top level, every kept version and stream below.
   */
  static ProducerRecord<String, byte[]> event(PredictionScores scores, String topic,
      String source, Instant at) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("kind", KIND);
    body.put("model", scores.model());
    body.put("time", at.toString());
    Long newest = scores.versions().isEmpty() ? null
        : scores.versions().keySet().stream().max(Long::compare).orElseThrow();
    body.put("version", newest);
    PredictionScores.Scores latest = scores.latest();
    body.put("framesScored", latest.frames());
    body.put("predicted", figures(latest.model()));
    body.put("copyLast", figures(latest.copyLast()));
    body.put("mseVsCopyLast", finite(latest.mseVsCopyLast()));
    List<Map<String, Object>> versions = new ArrayList<>();
    scores.versions().forEach((version, s) -> {
      Map<String, Object> v = scoresJson(s);
      v.put("version", version);
      v.put("steps", stepsJson(scores.steps().getOrDefault(version, Map.of())));
      versions.add(v);
    });
    body.put("versions", versions);
    List<Map<String, Object>> streams = new ArrayList<>();
    scores.streams().forEach((stream, s) -> {
      Map<String, Object> v = scoresJson(s);
      v.put("streamId", stream);
      streams.add(v);
    });
    body.put("streams", streams);
    Map<String, Object> counters = new LinkedHashMap<>();
    counters.put("framesIn", scores.framesIn());
    counters.put("predictions", scores.predictions());
    counters.put("duplicates", scores.duplicates());
    counters.put("gaps", scores.gaps());
    counters.put("withoutModel", scores.withoutModel());
    counters.put("deadLettered", scores.deadLettered());
    counters.put("failedInferences", scores.failedInferences());
    counters.put("activeStreams", scores.activeStreams());
    counters.put("pendingPredictions", scores.pendingPredictions());
    body.put("counters", counters);
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_TRAINING, source, "application/json");
    CloudEvents.header(headers, "kind", KIND);
    CloudEvents.header(headers, "model", scores.model());
    if (newest != null) {
      CloudEvents.header(headers, "modelversion", newest);
    }
    return new ProducerRecord<>(topic, null, scores.model(),
        Json.write(body).getBytes(StandardCharsets.UTF_8), headers);
  }

  private static Map<String, Object> scoresJson(PredictionScores.Scores s) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("frames", s.frames());
    v.put("predicted", figures(s.model()));
    v.put("copyLast", figures(s.copyLast()));
    v.put("mseVsCopyLast", finite(s.mseVsCopyLast()));
    return v;
  }

  private static List<Map<String, Object>> stepsJson(Map<Integer, PredictionScores.Scores> byStep) {
    List<Map<String, Object>> steps = new ArrayList<>();
    byStep.forEach((step, s) -> {
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("step", step);
      v.putAll(scoresJson(s));
      steps.add(v);
    });
    return steps;
  }

  private static Map<String, Object> figures(FrameScores s) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("mse", s.mse());
    v.put("psnr", s.psnr());
    v.put("ssim", s.ssim());
    return v;
  }

  /** JSON has no NaN: an undefined ratio (nothing scored, a perfect baseline) is null. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }
}
