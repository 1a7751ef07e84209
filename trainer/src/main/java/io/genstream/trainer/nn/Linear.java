package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code y = x Wᵀ + b} on {@code [N, in]}: parameters {@code <name>.weight [out, in]} (PyTorch's
 * layout) and {@code <name>.bias [out]}; ONNX {@code Gemm} with {@code transB=1}.
 */
public record Linear(String name, int in, int out) implements Layer {

  public Linear {
    Layers.requirePositive(name, "in", in);
    Layers.requirePositive(name, "out", out);
  }

  public String weight() {
    return name + ".weight";
  }

  public String bias() {
    return name + ".bias";
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    declarations.trainable(weight(), Init.normal(0f, 0.02f), out, in);
    declarations.trainable(bias(), Init.constant(0f), out);
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    return ai.djl.nn.core.Linear.linear(x, pass.parameter(weight()), pass.parameter(bias()))
        .singletonOrThrow();
  }

  @Override
  public String export(OnnxExport export, String x) {
    return export.node("Gemm", name, new String[] {x, export.parameter(weight()),
        export.parameter(bias())}, Layers.attribute("transB", 1L));
  }
}
