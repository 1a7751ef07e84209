package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * 2-D convolution on {@code [N, in, H, W]} with a square kernel, stride and zero padding:
 * parameters {@code <name>.weight [out, in, k, k]} and {@code <name>.bias [out]}; ONNX
 * {@code Conv}. Strided convolutions replace pooling (DCGAN).
 */
public record Conv2d(String name, int in, int out, int kernel, int stride, int padding)
    implements Layer {

  public Conv2d {
    Layers.requirePositive(name, "in", in);
    Layers.requirePositive(name, "out", out);
    Layers.requirePositive(name, "kernel", kernel);
    Layers.requirePositive(name, "stride", stride);
    if (padding < 0) {
      throw new IllegalArgumentException(name + ": padding must be >= 0, got " + padding);
    }
  }

  /** A 3×3 convolution that keeps the size (stride 1, padding 1). */
  public static Conv2d same3x3(String name, int in, int out) {
    return new Conv2d(name, in, out, 3, 1, 1);
  }

  /** A 4×4 convolution with stride 2 and padding 1: halves an even size. */
  public static Conv2d down4x4(String name, int in, int out) {
    return new Conv2d(name, in, out, 4, 2, 1);
  }

  public String weight() {
    return name + ".weight";
  }

  public String bias() {
    return name + ".bias";
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    declarations.trainable(weight(), Init.normal(0f, 0.02f), out, in, kernel, kernel);
    declarations.trainable(bias(), Init.constant(0f), out);
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    return ai.djl.nn.convolutional.Conv2d.conv2d(x, pass.parameter(weight()),
        pass.parameter(bias()), new Shape(stride, stride), new Shape(padding, padding),
        new Shape(1, 1)).singletonOrThrow();
  }

  @Override
  public String export(OnnxExport export, String x) {
    return export.node("Conv", name, new String[] {x, export.parameter(weight()),
            export.parameter(bias())},
        Layers.attribute("kernel_shape", kernel, kernel),
        Layers.attribute("pads", padding, padding, padding, padding),
        Layers.attribute("strides", stride, stride));
  }
}
