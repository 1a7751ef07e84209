package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * SAGAN self-attention (Zhang et al. 2019) on {@code [N, C, H, W]}, keeping the shape: every
 * position attends to every other, so a generator or discriminator can relate distant parts of
 * an image that its convolutions alone only connect through many layers.
 *
 * <p>Over the {@code P = H·W} positions, {@code f = conv1x1(x)} and {@code g = conv1x1(x)} map to
 * {@code C' = max(1, C/8)} channels and {@code h = conv1x1(x)} to {@code C}; with
 * {@code s_ij = f(x_i)ᵀ g(x_j)} the attention {@code β_{j,i} = softmax_i(s_ij)} (over the source
 * position {@code i}), {@code o_j = Σ_i β_{j,i} h(x_i)} and {@code y = γ·o + x}. γ starts at 0,
 * so the block starts as the identity and the network learns how much attention to mix in.
 *
 * <p>Parameters: the three {@link Conv2d}s {@code <name>.f}, {@code <name>.g}, {@code <name>.h}
 * (their {@code .weight} and {@code .bias}) and {@code <name>.gamma [1]}, initialised to 0. ONNX:
 * {@code Conv}, {@code Reshape} to {@code [0, C', -1]} (0 copies the batch dimension, -1 is
 * {@code P}), {@code Transpose}, {@code MatMul}, {@code Softmax} (axis 1), {@code MatMul},
 * {@code Reshape} back to {@code Shape(x)}, {@code Mul}, {@code Add}; no size is baked in, so one
 * layer serves every spatial size. Attention is {@code [N, P, P]}: meant for small feature maps.
 */
public record SelfAttention(String name, int channels) implements Layer {

  public SelfAttention {
    Layers.requirePositive(name, "channels", channels);
  }

  /** Channels of the query/key projections {@code f} and {@code g}: {@code max(1, C/8)}. */
  public int keyChannels() {
    return Math.max(1, channels / 8);
  }

  public Conv2d f() {
    return new Conv2d(name + ".f", channels, keyChannels(), 1, 1, 0);
  }

  public Conv2d g() {
    return new Conv2d(name + ".g", channels, keyChannels(), 1, 1, 0);
  }

  public Conv2d h() {
    return new Conv2d(name + ".h", channels, channels, 1, 1, 0);
  }

  public String gamma() {
    return name + ".gamma";
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    f().declare(declarations);
    g().declare(declarations);
    h().declare(declarations);
    declarations.trainable(gamma(), Init.constant(0f), 1);
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    Shape shape = x.getShape();
    long n = shape.get(0);
    long positions = shape.get(2) * shape.get(3);
    int k = keyChannels();
    NDArray f = f().forward(pass, x).reshape(n, k, positions); // [N, C', P]
    NDArray g = g().forward(pass, x).reshape(n, k, positions); // [N, C', P]
    NDArray h = h().forward(pass, x).reshape(n, channels, positions); // [N, C, P]
    NDArray scores = f.transpose(0, 2, 1).matMul(g); // s [N, i, j]
    NDArray attention = scores.softmax(1); // β_{j,i}: softmax over the sources i
    NDArray o = h.matMul(attention).reshape(shape); // o_j = Σ_i h_i β_{j,i}
    return o.mul(pass.parameter(gamma())).add(x);
  }

  @Override
  public String export(OnnxExport export, String x) {
    int k = keyChannels();
    String keyShape = export.constant(name + "_key_shape", new long[] {0, k, -1}, 3);
    String valueShape = export.constant(name + "_value_shape", new long[] {0, channels, -1}, 3);
    String f = export.node("Reshape", name + "_f", new String[] {f().export(export, x), keyShape});
    String g = export.node("Reshape", name + "_g", new String[] {g().export(export, x), keyShape});
    String h = export.node("Reshape", name + "_h",
        new String[] {h().export(export, x), valueShape});
    String fT = export.node("Transpose", name + "_fT", new String[] {f},
        Layers.attribute("perm", 0L, 2L, 1L));
    String scores = export.node("MatMul", name + "_scores", new String[] {fT, g});
    String attention = export.node("Softmax", name + "_attention", new String[] {scores},
        Layers.attribute("axis", 1L));
    String o = export.node("MatMul", name + "_o", new String[] {h, attention});
    String inputShape = export.node("Shape", name + "_shape", new String[] {x});
    String image = export.node("Reshape", name + "_o_image", new String[] {o, inputShape});
    String scaled = export.node("Mul", name + "_scaled",
        new String[] {image, export.parameter(gamma())});
    return export.node("Add", name + "_out", new String[] {scaled, x});
  }
}
