package io.genstream.trainer.nn;

import ai.onnx.proto.OnnxMl.AttributeProto;
import io.genstream.trainer.onnx.OnnxGraphBuilder;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What {@link Layer#export} writes into: the graph being built and the parameter values to bake
 * in as initializers (a plain-Java snapshot, so exporting never touches native training memory).
 * Gives every node a unique output name derived from a hint. One per export; not thread-safe.
 */
public final class OnnxExport {

  private final OnnxGraphBuilder graph;
  private final Map<String, ParameterSpec> specs;
  private final Map<String, float[]> weights;
  private final Map<String, String> sideInputs;
  private final Set<String> initializers = new HashSet<>();
  private final Map<String, float[]> overrides = new HashMap<>();
  private final Map<String, Integer> counters = new HashMap<>();

  /**
   * @param weights parameter values by full name
   * @param sideInputs graph input names by side-input name (e.g. {@code label → label})
   */
  public OnnxExport(OnnxGraphBuilder graph, Iterable<ParameterSpec> specs,
      Map<String, float[]> weights, Map<String, String> sideInputs) {
    this.graph = graph;
    this.specs = new HashMap<>();
    specs.forEach(spec -> this.specs.put(spec.name(), spec));
    this.weights = weights;
    this.sideInputs = Map.copyOf(sideInputs);
  }

  /** The parameter's values as an initializer named after it (added once, reused after). */
  public String parameter(String name) {
    if (initializers.add(name)) {
      graph.initializer(name, values(name), spec(name).shape());
    }
    return name;
  }

  /**
   * Exports {@code name} with {@code values} instead of its stored ones: a derived tensor such as
   * a spectrally normalised weight W/σ. Call before the layer that reads it is exported.
   */
  public void override(String name, float[] values) {
    if (initializers.contains(name)) {
      throw new IllegalStateException("parameter " + name + " is already exported");
    }
    overrides.put(name, values);
  }

  /** The parameter's values as exported (overridden, or as stored). */
  public float[] values(String name) {
    float[] values = overrides.containsKey(name) ? overrides.get(name) : weights.get(name);
    if (values == null) {
      throw new IllegalArgumentException("no value for parameter " + name + " in the export");
    }
    if (values.length != spec(name).size()) {
      throw new IllegalArgumentException("parameter " + name + " has " + values.length
          + " values, its shape needs " + spec(name).size());
    }
    return values;
  }

  /** A new float constant named after {@code hint}. */
  public String constant(String hint, float[] values, long... shape) {
    return graph.initializer(unique(hint), values, shape);
  }

  /** A new int64 constant named after {@code hint}. */
  public String constant(String hint, long[] values, long... shape) {
    return graph.initializer(unique(hint), values, shape);
  }

  /** Adds a node; its output is named after {@code hint}. */
  public String node(String opType, String hint, String[] inputs, AttributeProto... attributes) {
    return graph.node(opType, unique(hint), inputs, attributes);
  }

  /** Adds a node with several outputs named after {@code hints}. */
  public String[] node(String opType, String[] hints, String[] inputs,
      AttributeProto... attributes) {
    String[] outputs = new String[hints.length];
    for (int i = 0; i < hints.length; i++) {
      outputs[i] = unique(hints[i]);
    }
    graph.node(opType, outputs, inputs, attributes);
    return outputs;
  }

  /** @throws IllegalArgumentException if the network declares no such side input */
  public String sideInput(String name) {
    String input = sideInputs.get(name);
    if (input == null) {
      throw new IllegalArgumentException(
          "the network needs side input '" + name + "', declared " + sideInputs.keySet());
    }
    return input;
  }

  private ParameterSpec spec(String name) {
    ParameterSpec spec = specs.get(name);
    if (spec == null) {
      throw new IllegalArgumentException("parameter " + name + " is not declared");
    }
    return spec;
  }

  private String unique(String hint) {
    int n = counters.merge(hint, 1, Integer::sum);
    return n == 1 ? hint : hint + "_" + n;
  }
}
