package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Layers applied in order, the output of each the input of the next. */
public record Sequential(List<Layer> layers) implements Layer {

  public Sequential {
    layers = List.copyOf(layers);
  }

  public static Sequential of(Layer... layers) {
    return new Sequential(List.of(layers));
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    layers.forEach(layer -> layer.declare(declarations));
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    for (Layer layer : layers) {
      x = layer.forward(pass, x);
    }
    return x;
  }

  @Override
  public String export(OnnxExport export, String x) {
    for (Layer layer : layers) {
      x = layer.export(export, x);
    }
    return x;
  }
}
