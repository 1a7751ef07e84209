package io.genstream.trainer.family;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.genstream.trainer.nn.Ema;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.Network;
import io.genstream.trainer.nn.Optimizer;
import io.genstream.trainer.nn.ParameterStore;
import java.util.Map;
import java.util.Random;

/**
 * A {@link Network} with what training it takes: its parameters, their optimiser and, if asked,
 * an EMA of the weights. The unit families save into and restore from a {@link TrainingState}
 * under one part name. Lives in its family's manager; training thread only.
 */
public final class TrainedNetwork {

  private final String part;
  private final Network network;
  private final ParameterStore parameters;
  private final Optimizer optimizer;
  private final Ema ema;

  /**
   * @param part name of this network in checkpoints ({@code generator}, {@code discriminator})
   * @param learningRate the optimiser's rate
   * @param emaDecay 0 for no EMA
   */
  public TrainedNetwork(String part, Network network, NDManager manager, Random init,
      ModelSpec spec, float learningRate, float emaDecay) {
    this.part = part;
    this.network = network;
    this.parameters = new ParameterStore(manager, network.parameters(), init, true);
    this.optimizer = switch (spec.optimizer()) {
      case ADAM -> Optimizer.adam(parameters, manager, learningRate, spec.beta1(), spec.beta2());
      case RMSPROP -> Optimizer.rmsprop(parameters, manager, learningRate, spec.beta2());
    };
    this.ema = emaDecay > 0 ? new Ema(parameters, manager, emaDecay) : null;
  }

  public Network network() {
    return network;
  }

  public ParameterStore parameters() {
    return parameters;
  }

  /** The weights a version exports: the EMA copy if there is one, else the trained ones. */
  public ParameterStore exportedWeights() {
    return ema != null ? ema.weights() : parameters;
  }

  /** A training-mode pass over the trained weights. */
  public Forward training(Map<String, NDArray> sideInputs) {
    return Forward.training(parameters::get, sideInputs);
  }

  /** Optimiser step (zeroes the gradients), then the EMA update if any. */
  public void update() {
    optimizer.step();
    if (ema != null) {
      ema.update();
    }
  }

  /**
   * Clips every trainable weight to [-limit, limit] in place (WGAN's Lipschitz constraint on
   * the critic, after its update).
   */
  public void clipWeights(float limit) {
    boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    try {
      for (NDArray weight : parameters.trainable().values()) {
        try (NDArray clipped = weight.clip(-limit, limit)) {
          weight.set(clipped.toFloatArray());
        }
      }
    } finally {
      ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
    }
  }

  public void setFrozen(boolean frozen) {
    parameters.setFrozen(frozen);
  }

  /** Adds this network's weights, EMA weights and optimiser state to a state under construction. */
  public void save(Map<String, float[]> tensors, Map<String, Long> counters) {
    parameters.snapshot().forEach((name, values) -> tensors.put(part + "/" + name, values));
    if (ema != null) {
      ema.weights().snapshot().forEach((name, v) -> tensors.put(part + ".ema/" + name, v));
    }
    optimizer.snapshot().forEach((name, v) -> tensors.put(part + ".optimizer/" + name, v));
    counters.put(part + ".optimizer", optimizer.updates());
  }

  /**
   * Loads this network's part of {@code state}.
   *
   * @throws IllegalArgumentException naming the parameter if the state does not fit
   */
  public void restore(TrainingState state) {
    boolean grad = ai.djl.pytorch.jni.JniUtils.isGradMode();
    ai.djl.pytorch.jni.JniUtils.setGradMode(false);
    try {
      parameters.load(state.part(part));
      if (ema != null) {
        Map<String, float[]> saved = state.part(part + ".ema");
        ema.weights().load(saved.isEmpty() ? state.part(part) : saved);
      }
      optimizer.load(state.part(part + ".optimizer"),
          state.counters().getOrDefault(part + ".optimizer", 0L));
    } finally {
      ai.djl.pytorch.jni.JniUtils.setGradMode(grad);
    }
  }
}
