package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Gradient recording for the calling thread, in place of DJL's {@code GradientCollector}.
 *
 * <p>DJL's PyTorch collector guards itself with a process-wide flag ("Only one can be collecting
 * at a time"), so two models training on two threads of one JVM would fail. PyTorch's own grad
 * mode is per thread, which is all a training step needs. Opened and closed on the same thread,
 * around one step.
 */
public final class Autograd implements AutoCloseable {

  private final boolean previous;

  public Autograd() {
    previous = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
  }

  /** Accumulates d(loss)/d(w) into every weight that requires a gradient; frees the graph. */
  public void backward(NDArray scalarLoss) {
    try (NDArray seed = scalarLoss.onesLike()) {
      JniUtils.backward((PtNDArray) scalarLoss, (PtNDArray) seed, false, false);
    }
  }

  @Override
  public void close() {
    JniUtils.setGradMode(previous);
  }
}
