package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/** Placeholder until the minibatch-stddev layer lands. */
public record MinibatchStddev() implements Layer {
  @Override
  public void declare(ParameterDeclarations declarations) {}

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    throw new UnsupportedOperationException("minibatch stddev is not built yet");
  }

  @Override
  public String export(OnnxExport export, String x) {
    throw new UnsupportedOperationException("minibatch stddev is not built yet");
  }
}
