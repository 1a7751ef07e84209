package io.genstream.generator;

import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.internal.OnnxModelLoader;

/**
 * Turns a published version's ONNX bytes into a {@link GenerativeModel}. A seam: the registry
 * takes a loader, so that tests can count loads or make them fail.
 *
 * <p>{@link #load} blocks for as long as the runtime needs to build a session (about 150 ms for
 * a small model): call it from a dedicated thread. The caller owns and closes the returned
 * model. Loaders are thread-safe and hold nothing that needs closing.
 */
public interface ModelLoader {

  /**
   * ONNX Runtime on the CPU (or the GPU build when the {@code gpu} profile swapped it in).
   *
   * @param intraOpThreads threads one inference may use, at least 1; keep it low when the
   *     cores are shared with training
   */
  static ModelLoader onnxRuntime(int intraOpThreads) {
    return new OnnxModelLoader(intraOpThreads);
  }

  /**
   * Loads and checks the graph against the manifest. The type of the exception is the contract
   * the registry relies on to retry or not.
   *
   * @throws IllegalArgumentException if the model is invalid and can never load: the graph does
   *     not match the manifest's contract (message names the expected and actual
   *     inputs/outputs) or cannot be parsed
   * @throws RuntimeException of any other type (and {@link OutOfMemoryError}) for a failure that
   *     a later attempt may not meet: the runtime out of memory, a provider or I/O error
   */
  GenerativeModel load(PublishedModel model);
}
