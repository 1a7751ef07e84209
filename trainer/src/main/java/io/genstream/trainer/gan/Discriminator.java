package io.genstream.trainer.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import java.util.Random;

/**
 * Projection discriminator (Miyato &amp; Koyama 2018): two strided convolutions with
 * LeakyReLU(0.2), no pooling and no normalisation, then {@code out = linear(h) + <embed(y), h>}
 * over the flattened features {@code h}. The inner product with the class embedding is what
 * makes the score class-conditional; the linear term judges realism regardless of class.
 *
 * <p>No BatchNorm, so real and fake images can share one forward pass without their batch
 * statistics mixing.
 */
final class Discriminator {

  private final ParameterSet parameters;
  private final NDArray conv1Weight; // [D0, 1, 4, 4]
  private final NDArray conv1Bias;
  private final NDArray conv2Weight; // [D1, D0, 4, 4]
  private final NDArray conv2Bias;
  private final NDArray outWeight; // [1, F], F = D1 * (imageSize/4)^2
  private final NDArray outBias; // [1]
  private final NDArray projection; // [K, F]

  Discriminator(GanConfig config, ParameterSet parameters, Random init) {
    this.parameters = parameters;
    int d0 = config.discriminatorWidth0();
    int d1 = config.discriminatorWidth1();
    long features = (long) d1 * config.baseSize() * config.baseSize();
    conv1Weight = parameters.normal("conv1.weight", init, 0f, 0.02f, d0, 1, 4, 4);
    conv1Bias = parameters.constant("conv1.bias", 0f, d0);
    conv2Weight = parameters.normal("conv2.weight", init, 0f, 0.02f, d1, d0, 4, 4);
    conv2Bias = parameters.constant("conv2.bias", 0f, d1);
    outWeight = parameters.normal("out.weight", init, 0f, 0.02f, 1, features);
    outBias = parameters.constant("out.bias", 0f, 1);
    projection = parameters.normal("projection", init, 0f, 0.02f, config.numClasses(), features);
  }

  ParameterSet parameters() {
    return parameters;
  }

  /**
   * Logits (unbounded realism scores); results live in {@code images}' manager.
   *
   * @param images {@code [N, 1, H, W]} in [-1, 1]
   * @param labelsOneHot {@code [N, numClasses]}
   * @return {@code [N]}
   */
  NDArray forward(NDArray images, NDArray labelsOneHot) {
    NDArray h = conv4x4s2(images, conv1Weight, conv1Bias); // [N, D0, H/2, W/2]
    h = Activation.leakyRelu(h, 0.2f);
    h = conv4x4s2(h, conv2Weight, conv2Bias); // [N, D1, H/4, W/4]
    h = Activation.leakyRelu(h, 0.2f);
    h = h.reshape(h.getShape().get(0), -1); // [N, F]
    NDArray unconditional = Linear.linear(h, outWeight, outBias).singletonOrThrow(); // [N, 1]
    NDArray classEmbedding = labelsOneHot.matMul(projection); // [N, F]
    NDArray conditional = classEmbedding.mul(h).sum(new int[] {1}); // [N]
    return unconditional.reshape(-1).add(conditional); // [N]
  }

  private static NDArray conv4x4s2(NDArray x, NDArray weight, NDArray bias) {
    return Conv2d.conv2d(x, weight, bias, new Shape(2, 2), new Shape(1, 1), new Shape(1, 1))
        .singletonOrThrow();
  }
}
