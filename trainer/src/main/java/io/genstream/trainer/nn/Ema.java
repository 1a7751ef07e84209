package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Map;
import java.util.Random;

/**
 * An exponential moving average of a network's weights ({@code ema = d·ema + (1-d)·w} after each
 * update), the weights that get exported when it is on: they are smoother than the raw ones, a
 * known GAN stabiliser. Buffers (BatchNorm statistics) are copied, not averaged. The copy lives in
 * the caller's manager and records no gradients. Training thread only.
 */
public final class Ema {

  private final ParameterStore source;
  private final ParameterStore average;
  private final float decay;

  public Ema(ParameterStore source, NDManager manager, float decay) {
    this.source = source;
    this.decay = decay;
    this.average = new ParameterStore(manager, source.specs(), new Random(0), false);
    average.load(source.snapshot());
  }

  /** Moves the average towards the current weights. */
  public void update() {
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      for (Map.Entry<String, NDArray> entry : average.all().entrySet()) {
        NDArray current = source.get(entry.getKey());
        NDArray ema = entry.getValue();
        if (source.trainable().containsKey(entry.getKey())) {
          // ema += (1-d)(w - ema): one temporary, freed at once.
          try (NDArray delta = current.sub(ema)) {
            ema.addi(delta.muli(1 - decay));
          }
        } else {
          current.copyTo(ema);
        }
      }
    } finally {
      JniUtils.setGradMode(grad);
    }
  }

  /** The averaged weights (for inference-mode forward passes, export and checkpoints). */
  public ParameterStore weights() {
    return average;
  }
}
