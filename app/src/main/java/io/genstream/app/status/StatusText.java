package io.genstream.app.status;

import io.genstream.app.status.PipelineReport.GroupRow;
import io.genstream.app.status.PipelineReport.Letter;
import io.genstream.app.status.PipelineReport.ModelRow;
import io.genstream.app.status.PipelineReport.Promotion;
import io.genstream.app.status.PipelineReport.TopicRow;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** A {@link PipelineReport} as the lines {@code genstream status} prints. */
public final class StatusText {

  private static final int METRICS_SHOWN = 6;
  /** The figures that say most about a version, shown first when a manifest has them. */
  private static final java.util.List<String> TELLING_METRICS = java.util.List.of(
      "mseVsCopyLast", "mse", "copyLastMse", "ssim", "loss", "gLoss", "dLoss", "kl",
      "reconstruction");

  private StatusText() {}

  public static String render(PipelineReport report) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Kafka %s (cluster %s, %d broker%s)%n",
        report.bootstrapServers(), report.clusterId(), report.brokers(),
        report.brokers() == 1 ? "" : "s"));
    out.append("\ntopics\n");
    int width = report.topics().stream().mapToInt(t -> t.name().length()).max().orElse(10);
    for (TopicRow topic : report.topics()) {
      out.append(topic.exists()
          ? String.format(Locale.ROOT, "  %-" + width + "s  %2d partition%s  %,10d records"
              + "  (%,d written)%n", topic.name(), topic.partitions(),
              topic.partitions() == 1 ? " " : "s", topic.records(), topic.endOffset())
          : String.format(Locale.ROOT, "  %-" + width + "s  missing%n", topic.name()));
    }
    out.append("\nconsumer groups\n");
    if (report.groups().isEmpty()) {
      out.append("  none has committed on the pipeline's topics yet\n");
    }
    int groupWidth = report.groups().stream().mapToInt(g -> g.group().length()).max().orElse(10);
    for (GroupRow group : report.groups()) {
      out.append(String.format(Locale.ROOT, "  %-" + groupWidth + "s  %-11s %2d member%s  "
              + "lag %,d (%s)%n", group.group(), group.state(), group.members(),
          group.members() == 1 ? " " : "s", group.totalLag(), lagText(group.lag())));
    }
    out.append("\nmodels\n");
    if (report.models().isEmpty()) {
      out.append("  none published yet\n");
    }
    for (ModelRow model : report.models()) {
      List<Long> versions = model.versions();
      out.append(String.format(Locale.ROOT, "  %s (%s): %d version%s retained, v%s; latest "
              + "v%d%s%n", model.name(), model.family(), versions.size(),
          versions.size() == 1 ? "" : "s",
          versions.stream().map(String::valueOf).collect(Collectors.joining(", v")),
          versions.get(versions.size() - 1), metricsText(model.latestMetrics())));
      if (model.best() != null || !model.promotions().isEmpty()) {
        out.append("    ").append(promotionText(model)).append('\n');
      }
    }
    out.append(String.format(Locale.ROOT, "%ndead letters: %,d%n", report.deadLetters().count()));
    for (Letter letter : report.deadLetters().latest()) {
      out.append(String.format(Locale.ROOT, "  %s  %s  from %s: %s%n", letter.time(),
          letter.service(), letter.originTopic(), letter.reason()));
    }
    return out.toString();
  }

  /** {@code best v2; v2 best (fd 30), v3 rejected (fd 41 > 30), v4 not judged}. */
  private static String promotionText(ModelRow model) {
    String best = model.best() == null ? "best: none promoted yet" : "best v" + model.best();
    String versions = model.versions().stream().map(version -> {
      Promotion promotion = model.promotions().get(version);
      if (promotion == null) {
        return "v" + version + " not judged";
      }
      return "v" + version + " " + promotion.status()
          + (promotion.reason().isEmpty() ? "" : " (" + promotion.reason() + ")");
    }).collect(Collectors.joining(", "));
    return best + "; " + versions;
  }

  private static String lagText(Map<String, Long> lag) {
    return lag.entrySet().stream()
        .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%,d", e.getValue()))
        .collect(Collectors.joining(", "));
  }

  private static String metricsText(Map<String, Double> metrics) {
    if (metrics.isEmpty()) {
      return "";
    }
    java.util.Comparator<String> telling = java.util.Comparator.comparingInt(
        name -> TELLING_METRICS.contains(name) ? TELLING_METRICS.indexOf(name)
            : TELLING_METRICS.size());
    return metrics.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(telling.thenComparing(java.util.Comparator.naturalOrder())))
        .limit(METRICS_SHOWN)
        .map(e -> e.getKey() + "=" + String.format(Locale.ROOT, "%.4g", e.getValue()))
        .collect(Collectors.joining(" ", ": ", metrics.size() > METRICS_SHOWN ? " …" : ""));
  }
}
