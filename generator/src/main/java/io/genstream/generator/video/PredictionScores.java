package io.genstream.generator.video;

import io.genstream.core.image.FrameScores;
import java.util.Map;

/**
 * A snapshot of a predictor's online evaluation and counters, for logs, the evaluation event
 * and an embedding program (the demo's summary). Immutable.
 *
 * @param model the model predicting
 * @param framesIn frame records read (valid or not)
 * @param predictions predicted frames published (all steps)
 * @param duplicates frames skipped: index at or below their stream's last
 * @param gaps frames that restarted their stream's window (a jump in indices or size)
 * @param withoutModel valid frames that arrived while no version could predict (kept in their
 *     windows, nothing published)
 * @param deadLettered frames sent to the dead-letter topic
 * @param failedInferences runtime calls that failed (their frames got no prediction)
 * @param activeStreams streams whose windows are held now
 * @param pendingPredictions predictions held until the frame each predicts arrives (all streams)
 * @param evictedStreams streams dropped by the streams bound
 * @param expiredStreams streams dropped by the idle timeout
 * @param versions scores per model version, ascending (the newest {@code maxScoredVersions})
 * @param streams scores per stream (the most recently scored {@code maxStreams})
 * @param steps scores per version and rollout step, both ascending: step 1 has every next-frame
 *     prediction, step s > 1 the rollouts sampled for scoring (see the README), each beside
 *     copy-last of the frame the rollout started from
 */
public record PredictionScores(String model, long framesIn, long predictions, long duplicates,
    long gaps, long withoutModel, long deadLettered, long failedInferences, int activeStreams,
    long pendingPredictions, long evictedStreams, long expiredStreams, Map<Long, Scores> versions,
    Map<String, Scores> streams, Map<Long, Map<Integer, Scores>> steps) {

  /**
   * The model's next-frame predictions and the copy-last-frame baseline, scored on the same
   * frames.
   */
  public record Scores(FrameScores model, FrameScores copyLast) {

    public static final Scores NONE = new Scores(FrameScores.NONE, FrameScores.NONE);

    /** The model's MSE over copy-last's: below 1, the model beats repeating the last frame. */
    public double mseVsCopyLast() {
      return model.mseRatio(copyLast);
    }

    public long frames() {
      return model.frames();
    }

    Scores plus(io.genstream.core.image.FrameScore modelScore,
        io.genstream.core.image.FrameScore copyLastScore) {
      return new Scores(model.plus(modelScore), copyLast.plus(copyLastScore));
    }
  }

  /** Frames scored over all versions kept. */
  public long framesScored() {
    return versions.values().stream().mapToLong(Scores::frames).sum();
  }

  /** The newest version's scores, or {@link Scores#NONE}. */
  public Scores latest() {
    return versions.isEmpty() ? Scores.NONE
        : versions.get(versions.keySet().stream().max(Long::compare).orElseThrow());
  }

  /** The newest version's scores per rollout step, ascending; empty if nothing was scored. */
  public Map<Integer, Scores> latestSteps() {
    return versions.isEmpty() ? Map.of()
        : steps.getOrDefault(versions.keySet().stream().max(Long::compare).orElseThrow(),
            Map.of());
  }

  /** One line for the log. */
  public String summary() {
    Scores latest = latest();
    StringBuilder line = new StringBuilder();
    line.append("model ").append(model);
    if (!versions.isEmpty()) {
      long version = versions.keySet().stream().max(Long::compare).orElseThrow();
      line.append(String.format(java.util.Locale.ROOT,
          " v%d: %d frames scored, mse %.5f vs copy-last %.5f (ratio %.3f), psnr %.2f vs %.2f dB,"
              + " ssim %.4f vs %.4f", version, latest.frames(), latest.model().mse(),
          latest.copyLast().mse(), latest.mseVsCopyLast(), latest.model().psnr(),
          latest.copyLast().psnr(), latest.model().ssim(), latest.copyLast().ssim()));
      Map<Integer, Scores> byStep = latestSteps();
      if (byStep.size() > 1) {
        line.append("; mse vs copy-last by step:");
        byStep.forEach((step, s) -> line.append(String.format(java.util.Locale.ROOT,
            " %d: %.3f (%d)", step, s.mseVsCopyLast(), s.frames())));
      }
    } else {
      line.append(": nothing scored yet");
    }
    line.append("; ").append(framesIn).append(" frames in, ").append(predictions)
        .append(" predictions, ").append(activeStreams).append(" streams, ")
        .append(duplicates).append(" duplicates, ").append(gaps).append(" gaps, ")
        .append(withoutModel).append(" without model, ").append(deadLettered)
        .append(" dead-lettered");
    return line.toString();
  }
}
