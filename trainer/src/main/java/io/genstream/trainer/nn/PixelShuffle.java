package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Sub-pixel upsampling {@code [N, C·r², H, W] → [N, C, H·r, W·r]}, PyTorch's
 * {@code pixel_shuffle}; ONNX {@code DepthToSpace} in CRD mode (the default DCR orders the
 * channels differently).
 */
public record PixelShuffle(int factor) implements Layer {

  public PixelShuffle {
    Layers.requirePositive("pixel shuffle", "factor", factor);
  }

  @Override
  public void declare(ParameterDeclarations declarations) {}

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    Shape s = x.getShape();
    long n = s.get(0);
    long c = s.get(1) / ((long) factor * factor);
    long h = s.get(2);
    long w = s.get(3);
    return x.reshape(n, c, factor, factor, h, w) // [N, C, r, r, H, W]
        .transpose(0, 1, 4, 2, 5, 3) // [N, C, H, r, W, r]
        .reshape(n, c, h * factor, w * factor);
  }

  @Override
  public String export(OnnxExport export, String x) {
    return export.node("DepthToSpace", "pixel_shuffle", new String[] {x},
        Layers.attribute("blocksize", (long) factor), Layers.attribute("mode", "CRD"));
  }
}
