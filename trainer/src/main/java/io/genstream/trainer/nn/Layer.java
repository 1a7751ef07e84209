package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/**
 * One building block of a {@link Network}, defined once for both backends: it declares its named
 * parameters, computes its DJL forward pass (training or inference mode) and writes the ONNX
 * nodes that compute the same function in inference mode.
 *
 * <p>A layer holds only its configuration and parameter names, never tensors: the values live in
 * a {@link ParameterStore} (training), an EMA copy of it, or a plain-Java snapshot (export), so
 * one definition serves training, export, checkpoints and tests. Layers are immutable and
 * thread-safe. Adding a layer is one class plus its parity test (DJL inference forward vs ONNX
 * Runtime on the exported nodes).
 */
public interface Layer {

  /** Declares this layer's parameters (and its children's) under their full, stable names. */
  void declare(ParameterDeclarations declarations);

  /**
   * The DJL forward pass. Results live in {@code x}'s manager, so a per-step sub-manager frees
   * them.
   */
  NDArray forward(Forward pass, NDArray x);

  /**
   * Adds the nodes computing this layer in inference mode.
   *
   * @param x the name of the ONNX value this layer reads
   * @return the name of the value it produces
   */
  String export(OnnxExport export, String x);
}
