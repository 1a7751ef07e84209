package io.genstream.app.cli;

import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.ModelSpec.Family;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The model options of {@code demo} and {@code trainer}: a family, an optional spec file and
 * {@code --set name=value} overrides, applied in that order. The settings themselves are declared
 * once, in {@link ModelSpec}; {@link #settingsHelp()} lists them for {@code --help}.
 */
public final class ModelSpecOptions {

  @Option(names = "--family", paramLabel = "FAMILY",
      description = "Model family: cgan, dcgan, vae, framepred (trains from the frames topic) (default: cgan, or the spec file's).")
  Family family;

  @Option(names = "--spec", paramLabel = "FILE",
      description = "Model spec file (JSON or YAML): any settings listed below.")
  Path specFile;

  @Option(names = "--export-every", paramLabel = "N",
      description = "Publish a model version every N training steps (default 200; same as "
          + "--set exportEvery=N).")
  Integer exportEvery;

  @Option(names = "--batch-size", paramLabel = "N",
      description = "Training batch size (default 64; same as --set batchSize=N).")
  Integer batchSize;

  @Option(names = "--set", paramLabel = "NAME=VALUE",
      description = "Override one model setting, e.g. --set objective=hinge --set emaDecay=0.999.")
  Map<String, String> settings = new LinkedHashMap<>();

  /**
   * The spec: family defaults (or the file), then the shortcut options ({@code --export-every},
   * {@code --batch-size}, and {@code seed} if not null), then {@code --set}.
   *
   * @param seed the command's seed for the model, or null to keep the spec's
   * @throws IllegalArgumentException naming the setting if anything is invalid
   */
  public ModelSpec resolve(Long seed) {
    Map<String, String> shortcuts = new LinkedHashMap<>();
    shortcuts.put("exportEvery", exportEvery == null ? null : exportEvery.toString());
    shortcuts.put("batchSize", batchSize == null ? null : batchSize.toString());
    shortcuts.put("seed", seed == null ? null : seed.toString());
    ModelSpec spec = specFile != null ? ModelSpec.read(specFile)
        : ModelSpec.defaults(family == null ? Family.CGAN : family);
    if (specFile != null && family != null && spec.family() != family) {
      spec = spec.with(Map.of("family", family.id()));
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    shortcuts.forEach((name, value) -> {
      if (value != null) {
        overrides.put(name, value);
      }
    });
    overrides.putAll(settings);
    return overrides.isEmpty() ? spec : spec.with(overrides);
  }

  /** The model settings with their defaults (cgan) and documentation, for a help footer. */
  public static String[] settingsHelp() {
    java.util.List<String> lines = new java.util.ArrayList<>();
    lines.add("");
    lines.add("Model settings (--set NAME=VALUE or keys of a --spec file; cgan defaults shown):");
    for (String[] row : ModelSpec.defaults(Family.CGAN).describe()) {
      lines.add("  " + row[0] + " = " + row[1]);
      // Wrapped here, indented under the name: picocli would wrap the footer flush left.
      StringBuilder line = new StringBuilder("      ");
      for (String word : row[2].split(" ")) {
        if (line.length() + word.length() > 78) {
          lines.add(line.toString().stripTrailing());
          line = new StringBuilder("      ");
        }
        line.append(word).append(' ');
      }
      lines.add(line.toString().stripTrailing());
    }
    return lines.toArray(String[]::new);
  }
}
