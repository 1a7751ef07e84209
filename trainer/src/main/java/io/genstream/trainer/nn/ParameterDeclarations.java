package io.genstream.trainer.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects the parameters layers declare, in declaration order; names must be unique. */
public final class ParameterDeclarations {

  private final Map<String, ParameterSpec> specs = new LinkedHashMap<>();

  /** A parameter the optimiser trains. */
  public void trainable(String name, Init init, long... shape) {
    add(new ParameterSpec(name, shape, init, true));
  }

  /** A buffer the forward pass maintains (running statistics, power-iteration vectors). */
  public void buffer(String name, Init init, long... shape) {
    add(new ParameterSpec(name, shape, init, false));
  }

  private void add(ParameterSpec spec) {
    if (specs.putIfAbsent(spec.name(), spec) != null) {
      throw new IllegalArgumentException("parameter " + spec.name() + " is declared twice");
    }
  }

  /** The declarations so far. */
  public List<ParameterSpec> specs() {
    return List.copyOf(new ArrayList<>(specs.values()));
  }

  /** Declarations of {@code layers}, in order. */
  public static List<ParameterSpec> of(Layer... layers) {
    ParameterDeclarations declarations = new ParameterDeclarations();
    for (Layer layer : layers) {
      layer.declare(declarations);
    }
    return declarations.specs();
  }
}
