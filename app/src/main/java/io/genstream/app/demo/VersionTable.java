package io.genstream.app.demo;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.generator.ModelRegistry;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The trainer's judgement of a model's versions as text: a short "best" figure for the progress
 * line, and for the summary a table of the retained versions' figures with the per-class
 * Gaussian baseline beneath, so every figure is read against a model that needs no GAN.
 */
final class VersionTable {

  private static final String ROW = "  %-9s %6s %-9s %8s %9s %7s %9s %8s%n";

  private VersionTable() {}

  /** E.g. {@code best v7 (fd 3.21, class 97%)}, or {@code best: none yet}. */
  static String bestText(ModelStatus promotion) {
    if (!promotion.hasBest()) {
      return "best: none yet";
    }
    StringBuilder text = new StringBuilder("best v").append(promotion.best());
    if (promotion.bestValue() != null) {
      text.append(String.format(Locale.ROOT, " (%s %.3g)", promotion.metric(),
          promotion.bestValue()));
    }
    return text.toString();
  }

  /** The table of every retained version that was judged, then the baseline's figures. */
  static void print(PrintStream out, List<ModelRegistry.VersionInfo> versions,
      ModelStatus promotion) {
    List<ModelManifest> judged = versions.stream().map(ModelRegistry.VersionInfo::manifest)
        .filter(manifest -> manifest.metrics().containsKey("fd")).toList();
    if (judged.isEmpty()) {
      return;
    }
    out.println("  judged versions (fd: Fréchet distance in the evaluator's feature space, not "
        + "the Inception FID; lower is better):");
    out.printf(ROW, "version", "step", "status", "fd", "precision", "recall", "diversity",
        "class");
    for (ModelManifest manifest : judged) {
      Map<String, Double> m = manifest.metrics();
      String status = promotion.statusOf(manifest.version());
      out.printf(ROW, "v" + manifest.version(), number(m.get("step"), "%.0f"),
          status == null ? "?" : status, number(m.get("fd"), "%.3g"),
          number(m.get("precision"), "%.2f"), number(m.get("recall"), "%.2f"),
          number(m.get("diversity"), "%.2f"), percent(m.get("classConsistency")));
    }
    Map<String, Double> last = judged.get(judged.size() - 1).metrics();
    if (last.containsKey("baselineFd")) {
      out.printf(ROW, "Gaussian", "", "baseline", number(last.get("baselineFd"), "%.3g"),
          number(last.get("baselinePrecision"), "%.2f"), number(last.get("baselineRecall"), "%.2f"),
          number(last.get("baselineDiversity"), "%.2f"),
          percent(last.get("baselineClassConsistency")));
    }
  }

  private static String number(Double value, String format) {
    return value == null ? "-" : String.format(Locale.ROOT, format, value);
  }

  private static String percent(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * value);
  }
}
