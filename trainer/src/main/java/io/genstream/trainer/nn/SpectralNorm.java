package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Spectral normalisation (Miyato et al. 2018) of a {@link Linear} or {@link Conv2d}: the wrapped
 * layer runs with {@code W/σ}, {@code σ} the largest singular value of its weight flattened to
 * {@code [out, in·k·k]}, which keeps a discriminator close to 1-Lipschitz and its training
 * stable. Same input and output as the wrapped layer; its bias is not normalised.
 *
 * <p>{@code σ} is estimated as PyTorch's {@code torch.nn.utils.spectral_norm} does, with two
 * buffers besides the wrapped layer's parameters: {@code <weight>_u [out]} and {@code <weight>_v
 * [in·k·k]} ({@code <weight>} the wrapped weight's full name, e.g. {@code d.c1.weight_u}). Each
 * training-mode forward first runs one power iteration without gradient, {@code v =
 * normalize(Wᵀu)}, {@code u = normalize(W v)} (L2, eps 1e-12), and writes {@code u} and
 * {@code v} back into the buffers in place; then {@code σ = uᵀ W v} is computed with the gradient
 * flowing through {@code W} (as in the paper and PyTorch). Inference mode uses the stored
 * {@code u} and {@code v} without iterating (PyTorch's eval); so does the ONNX export, which
 * computes {@code σ} in Java from the snapshot and bakes {@code W/σ} in as the wrapped layer's
 * weight initializer ({@link OnnxExport#override}): no extra nodes, no buffers in the graph.
 *
 * <p>The buffers start as N(0, 1) draws, neither normalised nor iterated ({@link Init} has no
 * such scheme), so σ is only meaningful after at least one training-mode forward; the power
 * iteration then converges over the first steps of training, as in PyTorch.
 */
public record SpectralNorm(Layer inner) implements Layer {

  /** Floor of the norm when normalising {@code u} and {@code v}, PyTorch's default. */
  public static final float EPSILON = 1e-12f;

  /**
   * @throws IllegalArgumentException unless {@code inner} is a {@link Linear} or {@link Conv2d}
   */
  public SpectralNorm {
    if (!(inner instanceof Linear) && !(inner instanceof Conv2d)) {
      throw new IllegalArgumentException("spectral normalisation wraps a Linear or a Conv2d, got "
          + (inner == null ? "null" : inner.getClass().getSimpleName()));
    }
  }

  /** The full name of the normalised weight. */
  public String weight() {
    return inner instanceof Linear linear ? linear.weight() : ((Conv2d) inner).weight();
  }

  public String u() {
    return weight() + "_u";
  }

  public String v() {
    return weight() + "_v";
  }

  /** Rows of the flattened weight: output features or channels. */
  public int rows() {
    return inner instanceof Linear linear ? linear.out() : ((Conv2d) inner).out();
  }

  /** Columns of the flattened weight: {@code in} or {@code in·k·k}. */
  public int columns() {
    if (inner instanceof Linear linear) {
      return linear.in();
    }
    Conv2d conv = (Conv2d) inner;
    return conv.in() * conv.kernel() * conv.kernel();
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    inner.declare(declarations);
    declarations.buffer(u(), Init.normal(0f, 1f), rows());
    declarations.buffer(v(), Init.normal(0f, 1f), columns());
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    // Every array here starts from a stored one, and DJL puts a result in its first operand's
    // manager: the views are attached to x's (per-step) manager so that nothing derived lands in
    // the store's long-lived one.
    NDManager step = x.getManager();
    NDArray w = pass.parameter(weight());
    NDArray flat = attach(w.reshape(rows(), columns()), step);
    NDArray u = attach(pass.parameter(u()).reshape(1, rows()), step);
    NDArray v = attach(pass.parameter(v()).reshape(columns(), 1), step);
    if (pass.training()) {
      boolean gradMode = JniUtils.isGradMode();
      JniUtils.setGradMode(false);
      try {
        NDArray nextV = normalize(u.matMul(flat)).reshape(columns(), 1); // normalize(Wᵀu)
        NDArray nextU = normalize(flat.matMul(nextV)).reshape(1, rows()); // normalize(W v)
        // In place (index_put_ on the native buffers): the store keeps its arrays.
        pass.parameter(u()).set(new NDIndex(":"), nextU.reshape(rows()));
        pass.parameter(v()).set(new NDIndex(":"), nextV.reshape(columns()));
        u = nextU;
        v = nextV;
      } finally {
        JniUtils.setGradMode(gradMode);
      }
    }
    // σ = uᵀ W v; u and v carry no gradient, W does (when the pass records one).
    NDArray sigma = u.matMul(flat).matMul(v).reshape(1);
    NDArray normalised = flat.div(sigma).reshape(w.getShape());
    return inner.forward(pass.withParameter(weight(), normalised), x);
  }

  @Override
  public String export(OnnxExport export, String x) {
    float[] w = export.values(weight());
    float[] normalised = normalised(w, export.values(u()), export.values(v()), rows(), columns());
    export.override(weight(), normalised);
    return inner.export(export, x);
  }

  /**
   * {@code W/σ} with {@code σ = uᵀ W v}, in Java (double accumulation): what inference mode
   * computes for a weight flattened to {@code [rows, columns]} (row-major).
   */
  static float[] normalised(float[] w, float[] u, float[] v, int rows, int columns) {
    double sigma = 0;
    for (int r = 0; r < rows; r++) {
      double row = 0;
      for (int c = 0; c < columns; c++) {
        row += (double) w[r * columns + c] * v[c];
      }
      sigma += u[r] * row;
    }
    float[] out = new float[w.length];
    for (int i = 0; i < w.length; i++) {
      out[i] = (float) (w[i] / sigma);
    }
    return out;
  }

  private static NDArray attach(NDArray array, NDManager manager) {
    array.attach(manager);
    return array;
  }

  private static NDArray normalize(NDArray vector) {
    return vector.div(vector.norm().maximum(EPSILON));
  }
}
