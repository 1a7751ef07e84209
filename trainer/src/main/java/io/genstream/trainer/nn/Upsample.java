package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * ×{@code factor} spatial upsampling of {@code [N, C, H, W]}, PyTorch's {@code interpolate}:
 * nearest (ONNX {@code Resize}, asymmetric + floor) or bilinear with {@code align_corners=False}
 * (ONNX {@code Resize} linear, half_pixel). With a convolution after it, this replaces the
 * transposed convolution DJL's PyTorch engine lacks.
 */
public record Upsample(int factor, boolean bilinear) implements Layer {

  public Upsample {
    Layers.requirePositive("upsample", "factor", factor);
  }

  public static Upsample nearest(int factor) {
    return new Upsample(factor, false);
  }

  public static Upsample bilinear(int factor) {
    return new Upsample(factor, true);
  }

  @Override
  public void declare(ParameterDeclarations declarations) {}

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    Shape shape = x.getShape();
    long[] size = {shape.get(2) * factor, shape.get(3) * factor};
    // DJL's PyTorch interpolation modes: 0 nearest, 1 bilinear.
    return x.getNDArrayInternal().interpolation(size, bilinear ? 1 : 0, false);
  }

  @Override
  public String export(OnnxExport export, String x) {
    String scales = export.constant("upsample_scales", new float[] {1f, 1f, factor, factor}, 4);
    if (bilinear) {
      return export.node("Resize", "upsample", new String[] {x, "", scales},
          Layers.attribute("mode", "linear"),
          Layers.attribute("coordinate_transformation_mode", "half_pixel"));
    }
    return export.node("Resize", "upsample", new String[] {x, "", scales},
        Layers.attribute("mode", "nearest"),
        Layers.attribute("coordinate_transformation_mode", "asymmetric"),
        Layers.attribute("nearest_mode", "floor"));
  }
}
