package io.genstream.trainer.nn;

import ai.djl.pytorch.jni.JniUtils;

/** The PyTorch engine's per-thread settings, in one place. */
public final class Engine {

  private Engine() {}

  /**
   * Sets PyTorch's intra-op parallelism for work started from the calling thread. With PyTorch's
   * OpenMP backend the setting belongs to the calling thread, so call it on the thread that
   * trains, before the first step.
   *
   * @param threads 1 or more
   */
  public static void setIntraOpThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    ai.djl.engine.Engine.getEngine("PyTorch"); // loads the native library if nothing has yet
    JniUtils.setNumThreads(threads);
  }

  /** PyTorch's intra-op threads as seen from the calling thread. */
  public static int intraOpThreads() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    return JniUtils.getNumThreads();
  }

  /** Engine name and version, for logs. */
  public static String version() {
    ai.djl.engine.Engine engine = ai.djl.engine.Engine.getEngine("PyTorch");
    return engine.getEngineName() + " " + engine.getVersion();
  }
}
