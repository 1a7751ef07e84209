package io.genstream.generator.http;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.generator.ModelRegistry.VersionInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code GET /v1/models} (every model, its versions and their status) and
 * {@code GET /v1/models/{name}} (every version with its manifest). Reads registry snapshots on
 * the event loop: they are in memory and small.
 *
 * <p>A version's {@code status} is whether it can serve (loaded, available, ...); its
 * {@code promotion} is what its trainer judged it ({@code best}, {@code candidate},
 * {@code rejected}, null if not judged), with {@code promotionReason}. Both exist because they
 * answer different questions: a rejected version may be loaded, a best one evicted.
 */
final class ModelRoutes {

  private final ModelDirectory models;

  ModelRoutes(ModelDirectory models) {
    this.models = models;
  }

  void list(RoutingContext ctx) {
    JsonArray list = new JsonArray();
    for (String name : models.names()) {
      List<VersionInfo> versions = models.registry().describe(name);
      if (versions.isEmpty()) {
        continue; // removed since names() was read
      }
      ModelStatus promotion = models.status(name);
      JsonArray summaries = new JsonArray();
      versions.forEach(v -> summaries.add(promotion(new JsonObject()
          .put("version", v.manifest().version())
          .put("status", status(v)), promotion, v)));
      list.add(summary(name, versions, promotion).put("versions", summaries));
    }
    Responses.json(ctx, 200, new JsonObject()
        .put("caughtUp", models.caughtUp())
        .put("models", list));
  }

  void describe(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    List<VersionInfo> versions = models.versions(name);
    ModelStatus promotion = models.status(name);
    JsonArray details = new JsonArray();
    versions.forEach(v -> details.add(version(v, promotion)));
    Responses.json(ctx, 200, summary(name, versions, promotion).put("versions", details));
  }

  /**
   * Name, family, the version {@code latest} serves, the one its trainer promoted to
   * {@code best} (null for none), execution provider.
   */
  private JsonObject summary(String name, List<VersionInfo> versions, ModelStatus promotion) {
    VersionInfo latest = ModelDirectory.latest(versions);
    return new JsonObject()
        .put("name", name)
        .put("family", versions.get(versions.size() - 1).manifest().family())
        .put("latestVersion", latest == null ? null : latest.manifest().version())
        .put("best", promotion != null && promotion.hasBest() ? promotion.best() : null)
        .put("executionProvider", models.registry().executionProvider().label());
  }

  /** Adds what the trainer judged {@code info}: {@code promotion} and its reason, if any. */
  private static JsonObject promotion(JsonObject json, ModelStatus promotion, VersionInfo info) {
    long version = info.manifest().version();
    String judged = promotion == null ? null : promotion.statusOf(version);
    String reason = judged == null ? "" : promotion.reasonOf(version);
    return json.put("promotion", judged).put("promotionReason", reason.isEmpty() ? null : reason);
  }

  private static JsonObject version(VersionInfo info, ModelStatus promotion) {
    ModelManifest m = info.manifest();
    return promotion(new JsonObject()
        .put("version", m.version())
        .put("status", status(info))
        .put("reason", info.reason()), promotion, info)
        .put("parentVersion", m.parentVersion())
        .put("family", m.family())
        .put("channels", m.channels())
        .put("height", m.height())
        .put("width", m.width())
        .put("latentDim", m.latentDim())
        .put("numClasses", m.numClasses())
        .put("labelNames", new JsonArray(new java.util.ArrayList<Object>(m.labelNames())))
        .put("inputs", tensors(m.inputs()))
        .put("outputs", tensors(m.outputs()))
        .put("metrics", new JsonObject(new TreeMap<String, Object>(m.metrics())))
        .put("sha256", m.sha256())
        .put("specSha256", m.specSha256())
        .put("createdAt", Instant.ofEpochMilli(m.createdAtMillis()).toString());
  }

  private static JsonObject tensors(Map<String, TensorSpec> specs) {
    JsonObject tensors = new JsonObject();
    new TreeMap<>(specs).forEach((name, spec) -> {
      JsonArray shape = new JsonArray();
      for (long dim : spec.shape()) {
        shape.add(dim);
      }
      tensors.put(name, new JsonObject().put("type", spec.type()).put("shape", shape));
    });
    return tensors;
  }

  static String status(VersionInfo info) {
    return info.status().name().toLowerCase(Locale.ROOT);
  }
}
