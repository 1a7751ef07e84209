package io.genstream.trainer;

import java.util.Map;

/**
 * Progress after one training step, as a listener sees it.
 *
 * @param step steps taken
 * @param imagesSeen real images trained on so far
 * @param imagesPerSecond recent throughput of the training step (a moving window, excluding time
 *     spent waiting for data)
 * @param dutyCycle share of wall time since the first step of this run spent inside steps
 * @param metrics this step's figures (e.g. {@code dLoss, gLoss, D(x), D(G(z))})
 */
public record TrainingProgress(long step, long imagesSeen, double imagesPerSecond,
    double dutyCycle, Map<String, Float> metrics) {

  /** The named metric, NaN if the family does not report it. */
  public float metric(String name) {
    Float value = metrics.get(name);
    return value == null ? Float.NaN : value;
  }

  /** The metrics as {@code name value} pairs with three decimals, for log and progress lines. */
  public String metricsText() {
    return metricsText(metrics);
  }

  /** {@code name value} pairs with three decimals, for log, progress and summary lines. */
  public static String metricsText(Map<String, Float> metrics) {
    StringBuilder text = new StringBuilder();
    metrics.forEach((name, value) -> text.append(text.length() == 0 ? "" : "  ").append(name)
        .append(' ').append(String.format("%.3f", value)));
    return text.toString();
  }
}
