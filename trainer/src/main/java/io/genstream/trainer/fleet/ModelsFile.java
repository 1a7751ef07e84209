package io.genstream.trainer.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.genstream.trainer.TrainerOptions.DataBinding;
import io.genstream.trainer.family.ModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Spliterators;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Reads the models a trainer process may train ({@code genstream trainer --models FILE}), YAML
 * or JSON:
 *
 * <pre>
 * models:
 *   - name: pets
 *     specFile: pets.yaml          # optional, relative to this file
 *     spec: {exportEvery: 100}     # optional settings over the spec file or family defaults
 *     dataset: pets                # optional: only records with ce_dataset=pets
 *   - name: frames
 *     spec: {family: framepred}
 *     topic: lab.frames            # optional: another topic than the family's
 *     attributes: {camera: door}   # optional: other ce_* attributes to match
 * </pre>
 *
 * A bare list of models is accepted too. Spec settings take the same values as a spec file;
 * a list such as {@code [128, 64]} may also be written {@code "128,64"}.
 */
public final class ModelsFile {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()); // YAML ⊇ JSON
  private static final Set<String> KEYS =
      Set.of("name", "spec", "specFile", "topic", "dataset", "attributes");

  private ModelsFile() {}

  /**
   * The models of {@code file}, in file order.
   *
   * @throws IllegalArgumentException naming the file, the model and the setting if anything is
   *     not valid (a spec is validated here, so a bad file fails before anything starts)
   */
  public static List<FleetModel> read(Path file) {
    JsonNode tree;
    try {
      tree = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read models file " + file + ": " + e.getMessage());
    }
    JsonNode list = tree != null && tree.isObject() ? tree.get("models") : tree;
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw new IllegalArgumentException(
          "models file " + file + " must list at least one model under 'models:'");
    }
    Path dir = file.toAbsolutePath().getParent();
    List<FleetModel> models = new ArrayList<>();
    for (JsonNode entry : list) {
      String name = entry.path("name").asText("");
      try {
        models.add(model(entry, dir));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("models file " + file
            + (name.isEmpty() ? "" : ", model '" + name + "'") + ": " + e.getMessage(), e);
      }
    }
    return models;
  }

  private static FleetModel model(JsonNode entry, Path dir) {
    if (!entry.isObject()) {
      throw new IllegalArgumentException("each model must be an object with a name, got " + entry);
    }
    List<String> unknown = StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(entry.fieldNames(), 0), false)
        .filter(key -> !KEYS.contains(key)).sorted().toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown keys " + unknown + " (known: "
          + KEYS.stream().sorted().collect(Collectors.joining(", ")) + ")");
    }
    if (!entry.hasNonNull("name")) {
      throw new IllegalArgumentException("a model has no name");
    }
    return new FleetModel(entry.get("name").asText(), spec(entry, dir), binding(entry));
  }

  /** The spec file (or the family's defaults), then the inline settings, as the CLI does. */
  private static ModelSpec spec(JsonNode entry, Path dir) {
    Map<String, String> settings = settings(entry.get("spec"));
    ModelSpec base;
    if (entry.hasNonNull("specFile")) {
      base = ModelSpec.read(dir.resolve(entry.get("specFile").asText()));
    } else {
      // The family's own defaults, not cgan's with another family id.
      base = ModelSpec.defaults(family(settings.getOrDefault("family", "cgan")));
    }
    return settings.isEmpty() ? base : base.with(settings);
  }

  private static ModelSpec.Family family(String id) {
    for (ModelSpec.Family family : ModelSpec.Family.values()) {
      if (family.id().equals(id)) {
        return family;
      }
    }
    throw new IllegalArgumentException("family must be one of " + java.util.Arrays.stream(
        ModelSpec.Family.values()).map(ModelSpec.Family::id).toList() + ", got '" + id + "'");
  }

  private static Map<String, String> settings(JsonNode spec) {
    Map<String, String> settings = new LinkedHashMap<>();
    if (spec == null || spec.isNull()) {
      return settings;
    }
    if (!spec.isObject()) {
      throw new IllegalArgumentException("'spec' must be a map of settings, got " + spec);
    }
    spec.fields().forEachRemaining(field -> settings.put(field.getKey(), text(field.getValue())));
    return settings;
  }

  /** A setting as {@link ModelSpec#with} takes it: lists comma-separated. */
  private static String text(JsonNode value) {
    if (value.isArray()) {
      return StreamSupport.stream(value.spliterator(), false).map(JsonNode::asText)
          .collect(Collectors.joining(","));
    }
    if (value.isContainerNode()) {
      throw new IllegalArgumentException("a setting must be a value or a list, got " + value);
    }
    return value.asText();
  }

  private static DataBinding binding(JsonNode entry) {
    Map<String, String> attributes = new LinkedHashMap<>();
    JsonNode given = entry.get("attributes");
    if (given != null && !given.isNull()) {
      if (!given.isObject()) {
        throw new IllegalArgumentException("'attributes' must be a map, got " + given);
      }
      given.fields().forEachRemaining(field -> attributes.put(field.getKey(), text(field.getValue())));
    }
    if (entry.hasNonNull("dataset")) {
      String dataset = entry.get("dataset").asText();
      String other = attributes.put("dataset", dataset);
      if (other != null && !other.equals(dataset)) {
        throw new IllegalArgumentException(
            "dataset '" + dataset + "' and attributes.dataset '" + other + "' differ");
      }
    }
    String topic = entry.hasNonNull("topic") ? entry.get("topic").asText() : null;
    return topic == null && attributes.isEmpty() ? DataBinding.ALL
        : new DataBinding(topic, attributes);
  }
}
