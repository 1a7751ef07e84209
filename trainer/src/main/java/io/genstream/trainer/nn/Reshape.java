package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/** Reshapes each item of the batch to {@code dims} ({@code [N, F] → [N, C, H, W]}, say). */
public record Reshape(long... dims) implements Layer {

  public Reshape {
    dims = dims.clone();
  }

  @Override
  public void declare(ParameterDeclarations declarations) {}

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    long[] shape = new long[dims.length + 1];
    shape[0] = x.getShape().get(0);
    System.arraycopy(dims, 0, shape, 1, dims.length);
    return x.reshape(shape);
  }

  @Override
  public String export(OnnxExport export, String x) {
    long[] shape = new long[dims.length + 1];
    shape[0] = -1;
    System.arraycopy(dims, 0, shape, 1, dims.length);
    String target = export.constant("reshape_shape", shape, shape.length);
    return export.node("Reshape", "reshape", new String[] {x, target});
  }
}
