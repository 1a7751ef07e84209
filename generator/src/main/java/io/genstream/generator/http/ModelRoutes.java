package io.genstream.generator.http;

import io.genstream.core.messages.ModelManifest;
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
      JsonArray summaries = new JsonArray();
      versions.forEach(v -> summaries.add(new JsonObject()
          .put("version", v.manifest().version())
          .put("status", status(v))));
      list.add(summary(name, versions).put("versions", summaries));
    }
    Responses.json(ctx, 200, new JsonObject()
        .put("caughtUp", models.caughtUp())
        .put("models", list));
  }

  void describe(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    List<VersionInfo> versions = models.versions(name);
    JsonArray details = new JsonArray();
    versions.forEach(v -> details.add(version(v)));
    Responses.json(ctx, 200, summary(name, versions).put("versions", details));
  }

  /** Name, family, the version {@code latest} serves, execution provider. */
  private JsonObject summary(String name, List<VersionInfo> versions) {
    VersionInfo latest = ModelDirectory.latest(versions);
    return new JsonObject()
        .put("name", name)
        .put("family", versions.get(versions.size() - 1).manifest().family())
        .put("latestVersion", latest == null ? null : latest.manifest().version())
        .put("executionProvider", models.registry().executionProvider().label());
  }

  private static JsonObject version(VersionInfo info) {
    ModelManifest m = info.manifest();
    return new JsonObject()
        .put("version", m.version())
        .put("status", status(info))
        .put("reason", info.reason())
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
