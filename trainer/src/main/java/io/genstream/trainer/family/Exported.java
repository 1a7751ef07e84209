package io.genstream.trainer.family;

import io.genstream.core.messages.ModelManifest.TensorSpec;
import java.util.List;
import java.util.Map;

/**
 * The ONNX graphs of one version: the generator first (what the generator service loads), then any
 * others (a VAE's encoder).
 */
public record Exported(List<Graph> graphs) {

  public static final String GENERATOR = "generator";

  public Exported {
    graphs = List.copyOf(graphs);
    if (graphs.isEmpty() || !graphs.get(0).name().equals(GENERATOR)) {
      throw new IllegalArgumentException("the first exported graph must be the generator");
    }
  }

  public Graph generator() {
    return graphs.get(0);
  }

  /** Graphs after the generator. */
  public List<Graph> extras() {
    return graphs.subList(1, graphs.size());
  }

  /** One ONNX graph with its input and output contract. */
  public record Graph(String name, byte[] onnx, Map<String, TensorSpec> inputs,
      Map<String, TensorSpec> outputs) {}
}
