package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.function.Function;

/**
 * What a {@link Layer#forward} pass reads besides its input: the parameter values to use (the
 * training store, or its EMA copy), the network's side inputs, and the mode.
 *
 * <p>Side inputs that are class labels reach DJL as one-hot float {@code [N, K]} (a product with
 * an embedding table keeps results in the caller's per-step manager and is differentiable);
 * ONNX receives them as int64 {@code [N]} and gathers.
 *
 * @param parameters values by full parameter name
 * @param sideInputs extra network inputs by name (e.g. {@code label})
 * @param training BatchNorm on batch statistics (and update its running averages), power
 *     iteration for spectral normalisation; otherwise exactly what the exported graph computes
 * @param batchNormMomentum DJL's convention: the weight of the old running value (PyTorch's
 *     0.1 momentum is 0.9 here)
 */
public record Forward(Function<String, NDArray> parameters, Map<String, NDArray> sideInputs,
    boolean training, float batchNormMomentum) {

  /** PyTorch's default BatchNorm momentum, in DJL's convention. */
  public static final float DEFAULT_BN_MOMENTUM = 0.9f;

  public Forward {
    sideInputs = Map.copyOf(sideInputs);
  }

  public static Forward training(Function<String, NDArray> parameters,
      Map<String, NDArray> sideInputs) {
    return new Forward(parameters, sideInputs, true, DEFAULT_BN_MOMENTUM);
  }

  public static Forward inference(Function<String, NDArray> parameters,
      Map<String, NDArray> sideInputs) {
    return new Forward(parameters, sideInputs, false, DEFAULT_BN_MOMENTUM);
  }

  /** The same pass with another BatchNorm momentum (recalibrating running statistics). */
  public Forward withBatchNormMomentum(float momentum) {
    return new Forward(parameters, sideInputs, training, momentum);
  }

  /**
   * The same pass with {@code name} bound to another value, e.g. a spectrally normalised weight
   * for the layer a {@code SpectralNorm} wraps.
   */
  public Forward withParameter(String name, NDArray value) {
    Function<String, NDArray> outer = parameters;
    return new Forward(n -> n.equals(name) ? value : outer.apply(n), sideInputs, training,
        batchNormMomentum);
  }

  /**
   * The named parameter.
   *
   * @throws IllegalArgumentException if there is none (a layer and its store disagree)
   */
  public NDArray parameter(String name) {
    NDArray value = parameters.apply(name);
    if (value == null) {
      throw new IllegalArgumentException("no parameter " + name + " in this forward pass");
    }
    return value;
  }

  /** @throws IllegalArgumentException naming the inputs there are if {@code name} is not one */
  public NDArray sideInput(String name) {
    NDArray value = sideInputs.get(name);
    if (value == null) {
      throw new IllegalArgumentException(
          "the network needs side input '" + name + "', given " + sideInputs.keySet());
    }
    return value;
  }
}
