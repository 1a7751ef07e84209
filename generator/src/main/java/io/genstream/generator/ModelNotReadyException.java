package io.genstream.generator;

import io.genstream.core.failure.TransientFailure;

/**
 * A request asked for a model version that exists but cannot serve yet: its load failed for a
 * reason that may pass (ONNX Runtime out of memory, an I/O error) and is retried after a
 * back-off, or it asked for {@code best} before the trainer promoted a version. Transient: the request waits and is retried, it is not dead-lettered (HTTP: 503).
 */
public class ModelNotReadyException extends TransientFailure {
  public ModelNotReadyException(String message) {
    super(message);
  }
}
