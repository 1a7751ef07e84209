package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/**
 * Batch normalisation over the channel axis 1 of {@code [N, C]} or {@code [N, C, H, W]}:
 * parameters {@code <name>.weight} (γ, N(1, 0.02) as in DCGAN), {@code <name>.bias} (β), buffers
 * {@code <name>.running_mean} and {@code <name>.running_var}. Training mode normalises with the
 * batch's statistics and updates the running ones; inference mode (and ONNX
 * {@code BatchNormalization}, one output) uses the running ones. PyTorch's epsilon 1e-5.
 */
public record BatchNorm(String name, int channels) implements Layer {

  public static final float EPSILON = 1e-5f;

  public BatchNorm {
    Layers.requirePositive(name, "channels", channels);
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    declarations.trainable(name + ".weight", Init.normal(1f, 0.02f), channels);
    declarations.trainable(name + ".bias", Init.constant(0f), channels);
    declarations.buffer(name + ".running_mean", Init.constant(0f), channels);
    declarations.buffer(name + ".running_var", Init.constant(1f), channels);
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    // Axis -1 hands the tensor to torch.batch_norm as is (its channel axis is 1); DJL's axis 1
    // would add two swapAxes.
    return ai.djl.nn.norm.BatchNorm.batchNorm(x, pass.parameter(name + ".running_mean"),
        pass.parameter(name + ".running_var"), pass.parameter(name + ".weight"),
        pass.parameter(name + ".bias"), -1, pass.batchNormMomentum(), EPSILON, pass.training())
        .head(); // training mode also returns the batch's mean and variance
  }

  @Override
  public String export(OnnxExport export, String x) {
    return export.node("BatchNormalization", name, new String[] {x,
            export.parameter(name + ".weight"), export.parameter(name + ".bias"),
            export.parameter(name + ".running_mean"), export.parameter(name + ".running_var")},
        Layers.attribute("epsilon", EPSILON));
  }
}
