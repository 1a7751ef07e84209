package io.genstream.app.demo;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.generator.ModelRegistry;
import io.genstream.trainer.evaluation.PixelSpread;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The demo's closing word on its model, for a person reading the summary: which version passed
 * the trainer's quality gate as {@code best} and whether it passed the collapse check, or, when
 * none did, a loud line saying so and why (so that nobody mistakes {@code latest} for a vetted
 * model).
 */
final class GateVerdict {

  private GateVerdict() {}

  /**
   * The summary's lines about {@code best}, each starting with two spaces.
   *
   * @param versions the versions the generator knows (for the best one's figures)
   * @param judging whether the trainer judged versions at all ({@code --no-evaluation} not set)
   */
  static List<String> lines(ModelStatus promotion, List<ModelRegistry.VersionInfo> versions,
      boolean judging) {
    List<String> lines = new ArrayList<>();
    if (promotion.hasBest()) {
      lines.add("  collapse check     : " + collapseCheck(promotion.best(), versions));
      return lines;
    }
    lines.add("  best version       : NONE");
    if (!judging) {
      lines.add("  !! no version passed the quality gate: versions are not judged "
          + "(--no-evaluation); requests were served from 'latest', unchecked");
      return lines;
    }
    lines.add("  !! no version passed the quality gate: " + why(promotion));
    lines.add("  !! requests were served from 'latest', which the gate did not approve");
    return lines;
  }

  /** Whether the best version's pixel spread passed, with its figures. */
  private static String collapseCheck(long best, List<ModelRegistry.VersionInfo> versions) {
    Map<String, Double> metrics = versions.stream().map(ModelRegistry.VersionInfo::manifest)
        .filter(manifest -> manifest.version() == best).findFirst()
        .map(ModelManifest::metrics).orElse(Map.of());
    Double worst = metrics.get(PixelSpread.WORST);
    if (worst == null) {
      return "not measured for v" + best + " (judged by a trainer without it, or not retained)";
    }
    // best is never a version the check rejected, so it passed: say by how much.
    Double worstClass = metrics.get(PixelSpread.WORST_CLASS);
    return String.format(Locale.ROOT, "passed by v%d: pixel spread %.2f of real images' on "
            + "average, %.2f in its worst %s (%.3f vs %.3f real)", best,
        metrics.getOrDefault(PixelSpread.MEAN, Double.NaN), worst,
        worstClass == null ? "set" : "class, " + worstClass.longValue(),
        metrics.getOrDefault(PixelSpread.WORST_GENERATED, Double.NaN),
        metrics.getOrDefault(PixelSpread.WORST_REAL, Double.NaN));
  }

  /** E.g. {@code 11 of 13 versions rejected (v13: collapsed: …), 2 not judged (v2: …)}. */
  private static String why(ModelStatus promotion) {
    if (promotion.versions().isEmpty()) {
      return "no version was judged (none published, or too few held-out images yet)";
    }
    long rejected = 0;
    long newestRejected = 0;
    long others = 0;
    long newestOther = 0;
    for (var entry : promotion.versions().entrySet()) {
      if (entry.getValue().status().equals(ModelStatus.REJECTED)) {
        rejected++;
        newestRejected = entry.getKey();
      } else {
        others++;
        newestOther = entry.getKey();
      }
    }
    List<String> parts = new ArrayList<>();
    if (rejected > 0) {
      parts.add(rejected + " of " + promotion.versions().size() + " versions rejected (newest, v"
          + newestRejected + ": " + promotion.reasonOf(newestRejected) + ")");
    }
    if (others > 0) {
      parts.add(others + " not judged (newest, v" + newestOther + ": "
          + promotion.reasonOf(newestOther) + ")");
    }
    return String.join("; ", parts);
  }
}
