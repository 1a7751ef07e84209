package io.genstream.trainer.family;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a {@link ModelFamily} needs to continue exactly where it stopped: the spec it was
 * trained with, its step count, every tensor by {@code <part>/<name>} (networks, EMA weights,
 * optimiser moments) and integer counters (optimiser update counts).
 */
public record TrainingState(ModelSpec spec, long steps, Map<String, float[]> tensors,
    Map<String, Long> counters) {

  public TrainingState {
    Objects.requireNonNull(spec, "spec");
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
    tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    counters = Map.copyOf(counters);
  }

  /** The tensors under {@code part/}, with the prefix removed. */
  public Map<String, float[]> part(String part) {
    Map<String, float[]> values = new LinkedHashMap<>();
    String prefix = part + "/";
    tensors.forEach((name, array) -> {
      if (name.startsWith(prefix)) {
        values.put(name.substring(prefix.length()), array);
      }
    });
    return values;
  }

  /** Scalars in all tensors. */
  public long size() {
    return tensors.values().stream().mapToLong(a -> a.length).sum();
  }
}
