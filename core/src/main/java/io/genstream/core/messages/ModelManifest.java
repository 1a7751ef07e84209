package io.genstream.core.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a generator needs to know about a published model version besides its ONNX bytes.
 *
 * <p>The ONNX graph's contract for family {@code cgan}: inputs {@code z} float
 * {@code [N, latentDim]} and {@code label} int64 {@code [N]}; output {@code image} float
 * {@code [N, channels, height, width]} in [-1, 1].
 *
 * @param name model name, the first part of the record key
 * @param version 1, 2, 3, … per model
 * @param parentVersion the version this one was trained on from, 0 for the first
 * @param family model family, e.g. {@code cgan}
 * @param sha256 hex SHA-256 of the ONNX bytes
 * @param metrics training figures at export (losses, images seen, …)
 * @param spec the model spec it was trained with (family, shapes, objective, …), for lineage
 * @param specSha256 SHA-256 of the spec's canonical JSON: equal hashes, equal definitions
 * @param graphs the version's other ONNX graphs (a VAE's {@code encoder}), each on the models
 *     topic under {@code <name>/<version>/<graph>}; empty for most families
 * @param labelNames the class name of each label ({@code labelNames[i]} names label i) as the
 *     training data called them ({@code ce_labelname}), so that requests may say
 *     {@code "label": "cat"}; empty when the data had none, an empty string for a label whose
 *     name was never seen
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ModelManifest(
    String name,
    long version,
    long parentVersion,
    String family,
    int channels,
    int height,
    int width,
    int latentDim,
    int numClasses,
    Map<String, TensorSpec> inputs,
    Map<String, TensorSpec> outputs,
    String sha256,
    long createdAtMillis,
    Map<String, Double> metrics,
    Map<String, Object> spec,
    String specSha256,
    Map<String, GraphSpec> graphs,
    List<String> labelNames) {

  public ModelManifest {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(family, "family");
    if (!isValidName(name)) {
      throw new IllegalArgumentException("model name must be [A-Za-z0-9._-]+, got '" + name + "'");
    }
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1, got " + version);
    }
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    outputs = outputs == null ? Map.of() : Map.copyOf(outputs);
    metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
    spec = spec == null ? Map.of() : java.util.Collections.unmodifiableMap(
        new java.util.LinkedHashMap<>(spec));
    graphs = graphs == null ? Map.of() : Map.copyOf(graphs);
    labelNames = labelNames == null ? List.of() : List.copyOf(labelNames);
  }

  /** A manifest whose training data named no labels. */
  public ModelManifest(String name, long version, long parentVersion, String family,
      int channels, int height, int width, int latentDim, int numClasses,
      Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs, String sha256,
      long createdAtMillis, Map<String, Double> metrics, Map<String, Object> spec,
      String specSha256, Map<String, GraphSpec> graphs) {
    this(name, version, parentVersion, family, channels, height, width, latentDim, numClasses,
        inputs, outputs, sha256, createdAtMillis, metrics, spec, specSha256, graphs, null);
  }

  /** A manifest without spec or extra graphs (hand-made models, tests). */
  public ModelManifest(String name, long version, long parentVersion, String family,
      int channels, int height, int width, int latentDim, int numClasses,
      Map<String, TensorSpec> inputs, Map<String, TensorSpec> outputs, String sha256,
      long createdAtMillis, Map<String, Double> metrics) {
    this(name, version, parentVersion, family, channels, height, width, latentDim, numClasses,
        inputs, outputs, sha256, createdAtMillis, metrics, null, null, null, null);
  }

  /** Another graph of a version: its hash and its input and output contract. */
  public record GraphSpec(String sha256, Map<String, TensorSpec> inputs,
      Map<String, TensorSpec> outputs) {}

  /**
   * Whether {@code name} can name a model: letters, digits, '.', '_' and '-' only, since it is the
   * first part of the models-topic key and a folder name in the file sink.
   */
  public static boolean isValidName(String name) {
    return name != null && name.matches("[A-Za-z0-9._-]+");
  }

  /** Element type and shape of one graph input or output; -1 marks the batch dimension. */
  public record TensorSpec(String type, long[] shape) {}

  /**
   * The label the training data called {@code name}.
   *
   * @throws InvalidRequestException naming the known names if there is none
   */
  public int labelOf(String name) {
    int label = labelNames.indexOf(name);
    if (label < 0 || name.isEmpty()) {
      throw new InvalidRequestException("model '" + this.name + "' version " + version
          + (labelNames.isEmpty() ? " has no label names (its training data had none); give "
              + "label as a number 0.." + Math.max(0, numClasses - 1)
              : " has no label named '" + LogSafe.text(name) + "'; its labels are "
                  + String.join(", ", labelNames.stream().filter(n -> !n.isEmpty()).toList())));
    }
    return label;
  }

  /** Whether the model takes a class label. */
  public boolean conditional() {
    return numClasses > 0;
  }

  public String toJson() {
    return Json.write(this);
  }

  public static ModelManifest fromJson(String json) {
    return Json.read(json, ModelManifest.class);
  }
}
