package io.genstream.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import java.util.Random;

/**
 * The conditional generator as plain tensor operations over a {@link ParameterSet}, in exactly
 * the order {@link io.genstream.trainer.onnx.CganGeneratorExporter} writes the ONNX graph.
 * Weight names are shared with the exporter through {@link GeneratorWeights}.
 */
final class Generator {

  /** PyTorch's BatchNorm defaults; DJL's momentum is 1 - PyTorch's. */
  static final float BN_EPSILON = 1e-5f;
  private static final float BN_MOMENTUM = 0.9f;

  private final GanConfig config;
  final ParameterSet parameters;
  private final NDArray embedding; // [K, E]
  private final NDArray fcWeight; // [C0*s*s, L+E]
  private final NDArray fcBias; // [C0*s*s]
  private final NDArray bn0Gamma;
  private final NDArray bn0Beta;
  private final NDArray bn0Mean;
  private final NDArray bn0Var;
  private final NDArray conv1Weight; // [C1, C0, 3, 3]
  private final NDArray conv1Bias;
  private final NDArray bn1Gamma;
  private final NDArray bn1Beta;
  private final NDArray bn1Mean;
  private final NDArray bn1Var;
  private final NDArray conv2Weight; // [1, C1, 3, 3]
  private final NDArray conv2Bias;

  Generator(GanConfig config, ParameterSet parameters, Random init) {
    this.config = config;
    this.parameters = parameters;
    int k = config.numClasses();
    int c0 = config.generatorWidth0();
    int c1 = config.generatorWidth1();
    int s = config.baseSize();
    // DCGAN initialisation: weights N(0, 0.02), BatchNorm scale N(1, 0.02).
    embedding = parameters.normal(GeneratorWeights.EMBEDDING, init, 0f, 1f, k, config.embeddingDim());
    fcWeight = parameters.normal(GeneratorWeights.FC_WEIGHT, init, 0f, 0.02f,
        (long) c0 * s * s, config.latentDim() + config.embeddingDim());
    fcBias = parameters.constant(GeneratorWeights.FC_BIAS, 0f, (long) c0 * s * s);
    bn0Gamma = parameters.normal(GeneratorWeights.BN0_GAMMA, init, 1f, 0.02f, c0);
    bn0Beta = parameters.constant(GeneratorWeights.BN0_BETA, 0f, c0);
    bn0Mean = parameters.buffer(GeneratorWeights.BN0_MEAN, 0f, c0);
    bn0Var = parameters.buffer(GeneratorWeights.BN0_VAR, 1f, c0);
    conv1Weight = parameters.normal(GeneratorWeights.CONV1_WEIGHT, init, 0f, 0.02f, c1, c0, 3, 3);
    conv1Bias = parameters.constant(GeneratorWeights.CONV1_BIAS, 0f, c1);
    bn1Gamma = parameters.normal(GeneratorWeights.BN1_GAMMA, init, 1f, 0.02f, c1);
    bn1Beta = parameters.constant(GeneratorWeights.BN1_BETA, 0f, c1);
    bn1Mean = parameters.buffer(GeneratorWeights.BN1_MEAN, 0f, c1);
    bn1Var = parameters.buffer(GeneratorWeights.BN1_VAR, 1f, c1);
    conv2Weight = parameters.normal(GeneratorWeights.CONV2_WEIGHT, init, 0f, 0.02f, 1, c1, 3, 3);
    conv2Bias = parameters.constant(GeneratorWeights.CONV2_BIAS, 0f, 1);
  }

  /**
   * Images in [-1, 1]. Results live in {@code z}'s manager, so a per-step sub-manager frees them.
   *
   * @param z {@code [N, latentDim]}
   * @param labelsOneHot {@code [N, numClasses]}
   * @param training BatchNorm on batch statistics (and update the running averages with
   *     {@code bnMomentum}, DJL's convention: the weight of the old value) or on running ones
   * @return {@code [N, 1, imageSize, imageSize]}
   */
  NDArray forward(NDArray z, NDArray labelsOneHot, boolean training, float bnMomentum) {
    long n = z.getShape().get(0);
    int s = config.baseSize();
    // One-hot × table = Gather(table, label) in ONNX; the product keeps the result in the
    // caller's (per-step) manager rather than the weights'.
    NDArray embedded = labelsOneHot.matMul(embedding); // [N, E]
    NDArray x = NDArrays.concat(new ai.djl.ndarray.NDList(z, embedded), 1); // [N, L+E]
    x = Linear.linear(x, fcWeight, fcBias).singletonOrThrow(); // [N, C0*s*s]
    x = x.reshape(n, config.generatorWidth0(), s, s); // [N, C0, s, s]
    x = batchNorm(x, bn0Mean, bn0Var, bn0Gamma, bn0Beta, training, bnMomentum);
    x = Activation.relu(x);
    x = upsample2(x); // [N, C0, 2s, 2s]
    x = conv3x3(x, conv1Weight, conv1Bias); // [N, C1, 2s, 2s]
    x = batchNorm(x, bn1Mean, bn1Var, bn1Gamma, bn1Beta, training, bnMomentum);
    x = Activation.relu(x);
    x = upsample2(x); // [N, C1, 4s, 4s]
    x = conv3x3(x, conv2Weight, conv2Bias); // [N, 1, 4s, 4s]
    return Activation.tanh(x);
  }

  NDArray forward(NDArray z, NDArray labelsOneHot, boolean training) {
    return forward(z, labelsOneHot, training, BN_MOMENTUM);
  }

  private static NDArray batchNorm(NDArray x, NDArray mean, NDArray var, NDArray gamma,
      NDArray beta, boolean training, float momentum) {
    // axis -1 hands the NCHW tensor to torch.batch_norm as is (channel axis 1); DJL's axis 1
    // would add two swapAxes.
    return BatchNorm.batchNorm(x, mean, var, gamma, beta, -1, momentum, BN_EPSILON, training)
        .singletonOrThrow();
  }

  /** Nearest-neighbour ×2, PyTorch's {@code interpolate(mode="nearest")} (ONNX Resize, floor). */
  private static NDArray upsample2(NDArray x) {
    Shape shape = x.getShape();
    long[] size = {shape.get(2) * 2, shape.get(3) * 2};
    return x.getNDArrayInternal().interpolation(size, 0, false);
  }

  private static NDArray conv3x3(NDArray x, NDArray weight, NDArray bias) {
    return Conv2d.conv2d(x, weight, bias, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1))
        .singletonOrThrow();
  }
}
