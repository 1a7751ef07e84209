package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/** An element-wise activation without parameters. */
public record Activation(Kind kind, float slope) implements Layer {

  /** The activations there are. */
  public enum Kind { RELU, LEAKY_RELU, TANH, SIGMOID }

  public static Activation relu() {
    return new Activation(Kind.RELU, 0f);
  }

  /** LeakyReLU with negative slope {@code slope} (0.2 in DCGAN's discriminator). */
  public static Activation leakyRelu(float slope) {
    return new Activation(Kind.LEAKY_RELU, slope);
  }

  public static Activation tanh() {
    return new Activation(Kind.TANH, 0f);
  }

  public static Activation sigmoid() {
    return new Activation(Kind.SIGMOID, 0f);
  }

  @Override
  public void declare(ParameterDeclarations declarations) {}

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    return switch (kind) {
      case RELU -> ai.djl.nn.Activation.relu(x);
      case LEAKY_RELU -> ai.djl.nn.Activation.leakyRelu(x, slope);
      case TANH -> ai.djl.nn.Activation.tanh(x);
      case SIGMOID -> ai.djl.nn.Activation.sigmoid(x);
    };
  }

  @Override
  public String export(OnnxExport export, String x) {
    return switch (kind) {
      case RELU -> export.node("Relu", "relu", new String[] {x});
      case LEAKY_RELU -> export.node("LeakyRelu", "leaky_relu", new String[] {x},
          Layers.attribute("alpha", slope));
      case TANH -> export.node("Tanh", "tanh", new String[] {x});
      case SIGMOID -> export.node("Sigmoid", "sigmoid", new String[] {x});
    };
  }
}
