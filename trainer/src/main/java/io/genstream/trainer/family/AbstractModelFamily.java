package io.genstream.trainer.family;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

/**
 * The lifecycle every {@link ModelFamily} shares: its spec, the one long-lived {@link NDManager}
 * that owns all of its native memory, the step count and closing. Subclasses create their
 * networks in {@link #manager} and close it themselves if their constructor fails.
 */
public abstract class AbstractModelFamily implements ModelFamily {

  protected final ModelSpec spec;
  protected final NDManager manager;
  protected long steps;
  private boolean closed;

  protected AbstractModelFamily(ModelSpec spec) {
    this.spec = spec;
    this.manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
  }

  @Override
  public ModelSpec spec() {
    return spec;
  }

  /** {@code batchSize} examples (images, or clips for frame prediction). */
  @Override
  public int imagesPerStep() {
    return spec.batchSize();
  }

  @Override
  public long steps() {
    return steps;
  }

  @Override
  public int nativeArrayCount() {
    ensureOpen();
    return manager.getManagedArrays().size();
  }

  /** Frees every native array of the model; later calls throw {@link IllegalStateException}. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
    }
  }

  /** @throws IllegalStateException if the model is closed */
  protected final void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("model is closed");
    }
  }
}
