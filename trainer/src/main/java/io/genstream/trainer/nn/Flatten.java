package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/** {@code [N, ...] → [N, F]}; ONNX {@code Flatten} with axis 1. */
public record Flatten() implements Layer {

  @Override
  public void declare(ParameterDeclarations declarations) {}

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    return x.reshape(x.getShape().get(0), -1);
  }

  @Override
  public String export(OnnxExport export, String x) {
    return export.node("Flatten", "flatten", new String[] {x}, Layers.attribute("axis", 1L));
  }
}
