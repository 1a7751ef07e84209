package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/** Placeholder until spectral normalisation lands. */
public record SpectralNorm(Layer inner) implements Layer {
  @Override
  public void declare(ParameterDeclarations declarations) {
    throw new UnsupportedOperationException("spectral normalisation is not built yet");
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    throw new UnsupportedOperationException("spectral normalisation is not built yet");
  }

  @Override
  public String export(OnnxExport export, String x) {
    throw new UnsupportedOperationException("spectral normalisation is not built yet");
  }
}
