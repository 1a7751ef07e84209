package io.genstream.app.demo;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.generator.ModelRegistry;
import io.genstream.trainer.evaluation.PixelSpread;
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

  private static final String ROW = "  %-9s %6s %-9s %6s %8s %9s %7s %9s %8s%n";

  private VersionTable() {}

  /** E.g. {@code best v7 (fd 3.21, class 97%)}, or {@code best: none yet}. */
  static String bestText(ModelStatus promotion) {
    if (!promotion.hasBest()) {
      long rejected = promotion.versions().values().stream()
          .filter(v -> v.status().equals(ModelStatus.REJECTED)).count();
      return "best: none yet" + (rejected > 0 ? " (" + rejected + " rejected)" : "");
    }
    StringBuilder text = new StringBuilder("best v").append(promotion.best());
    if (promotion.bestValue() != null) {
      text.append(String.format(Locale.ROOT, " (%s %.3g)", promotion.metric(),
          promotion.bestValue()));
    }
    return text.toString();
  }

  /**
   * The table of every retained version that was judged (by its pixel spread, or also in the
   * evaluator's features), then the baseline's figures, then why each rejected one was.
   */
  static void print(PrintStream out, List<ModelRegistry.VersionInfo> versions,
      ModelStatus promotion) {
    List<ModelManifest> judged = versions.stream().map(ModelRegistry.VersionInfo::manifest)
        .filter(manifest -> manifest.metrics().containsKey("fd")
            || manifest.metrics().containsKey(PixelSpread.WORST)).toList();
    if (judged.isEmpty()) {
      return;
    }
    out.println("  judged versions (spread: pixel spread of the worst class over real images', "
        + "collapsed below the gate's ratio; fd: Fréchet distance in the evaluator's feature "
        + "space, not the Inception FID, lower is better; '-': evaluator not ready yet):");
    out.printf(ROW, "version", "step", "status", "spread", "fd", "precision", "recall",
        "diversity", "class");
    List<String> rejections = new java.util.ArrayList<>();
    for (ModelManifest manifest : judged) {
      Map<String, Double> m = manifest.metrics();
      String status = promotion.statusOf(manifest.version());
      out.printf(ROW, "v" + manifest.version(), number(m.get("step"), "%.0f"),
          status == null ? "?" : status, number(m.get(PixelSpread.WORST), "%.2f"),
          number(m.get("fd"), "%.3g"), number(m.get("precision"), "%.2f"),
          number(m.get("recall"), "%.2f"), number(m.get("diversity"), "%.2f"),
          percent(m.get("classConsistency")));
      if (ModelStatus.REJECTED.equals(status)) {
        rejections.add("  v" + manifest.version() + " rejected: "
            + promotion.reasonOf(manifest.version()));
      }
    }
    Map<String, Double> last = judged.get(judged.size() - 1).metrics();
    if (last.containsKey("baselineFd")) {
      out.printf(ROW, "Gaussian", "", "baseline", "", number(last.get("baselineFd"), "%.3g"),
          number(last.get("baselinePrecision"), "%.2f"), number(last.get("baselineRecall"), "%.2f"),
          number(last.get("baselineDiversity"), "%.2f"),
          percent(last.get("baselineClassConsistency")));
    }
    rejections.forEach(out::println);
  }

  private static String number(Double value, String format) {
    return value == null ? "-" : String.format(Locale.ROOT, format, value);
  }

  private static String percent(Double value) {
    return value == null ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * value);
  }
}
