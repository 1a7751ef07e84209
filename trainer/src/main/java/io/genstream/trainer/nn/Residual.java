package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/** {@code x + body(x)}: a residual block; {@code body} must keep the shape. ONNX {@code Add}. */
public record Residual(Layer body) implements Layer {

  @Override
  public void declare(ParameterDeclarations declarations) {
    body.declare(declarations);
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    return x.add(body.forward(pass, x));
  }

  @Override
  public String export(OnnxExport export, String x) {
    String y = body.export(export, x);
    return export.node("Add", "residual", new String[] {x, y});
  }
}
