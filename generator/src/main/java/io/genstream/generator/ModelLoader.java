package io.genstream.generator;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.internal.OnnxModelLoader;

/**
 * Turns a published version's ONNX bytes into a {@link GenerativeModel} (and its encoder graph
 * into an {@link ImageEncoder}). A seam: the registry
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
   * ONNX Runtime on {@code provider}. With {@link ExecutionProvider#CUDA} (device 0), if the
   * runtime has no CUDA provider (the CPU build, or no GPU, driver, CUDA 12 or cuDNN 9) the
   * loader logs one warning naming the cause and loads this and every later session on the CPU.
   *
   * @param intraOpThreads threads one inference may use, at least 1
   */
  static ModelLoader onnxRuntime(int intraOpThreads, ExecutionProvider provider) {
    return new OnnxModelLoader(intraOpThreads, provider, 0);
  }

  /**
   * Where the sessions this loader loads from now on run: the requested provider, or
   * {@link ExecutionProvider#CPU} once it fell back. For metrics and result headers.
   */
  default ExecutionProvider executionProvider() {
    return ExecutionProvider.CPU;
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

  /**
   * Loads a version's encoder graph (published under {@code <model>/<version>/encoder}) and
   * checks it against the manifest's {@link ModelManifest#graphs() graph spec}. Blocks like
   * {@link #load}; the caller owns and closes the result; the exceptions mean what they mean
   * for {@link #load}.
   *
   * <p>The default loads none: it throws {@link UnsupportedOperationException}, which the
   * registry treats as permanent for that version (like an invalid graph).
   *
   * @param manifest the version's manifest, which declares the graph
   * @param onnx the graph's bytes, their SHA-256 already checked against the manifest
   */
  default ImageEncoder loadEncoder(ModelManifest manifest, byte[] onnx) {
    throw new UnsupportedOperationException("this model loader does not load encoder graphs");
  }

  /** Where ONNX Runtime runs a session. */
  enum ExecutionProvider {
    CPU,
    /** ONNX Runtime's CUDA execution provider (the {@code gpu} Maven profile's runtime). */
    CUDA;

    /** {@code cpu} or {@code cuda}: how logs, metrics and result headers name it. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * {@code cpu} or {@code cuda}, any case.
     *
     * @throws IllegalArgumentException naming the valid choices
     */
    public static ExecutionProvider parse(String name) {
      for (ExecutionProvider provider : values()) {
        if (provider.name().equalsIgnoreCase(name)) {
          return provider;
        }
      }
      throw new IllegalArgumentException("executionProvider must be cpu or cuda, got '" + name + "'");
    }
  }
}
