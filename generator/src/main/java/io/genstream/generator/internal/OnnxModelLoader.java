package io.genstream.generator.internal;

import ai.onnxruntime.OrtEnvironment;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.FramePredictor;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ImageEncoder;
import io.genstream.generator.ModelLoader;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads models and their encoders into ONNX Runtime sessions. The runtime's process-wide {@link OrtEnvironment} is
 * obtained here and nowhere else in the generator; ONNX Runtime owns it and it is never closed
 * by us (closing it would break every other session in the JVM).
 *
 * <p><b>CUDA fallback.</b> Asked for {@link ExecutionProvider#CUDA}, the first load that cannot
 * add the CUDA provider (the CPU build of the runtime, no GPU, driver, CUDA or cuDNN) logs one
 * warning naming the cause and switches this loader to the CPU for that session and every later
 * one: CUDA is not tried again per version. Thread-safe.
 */
public final class OnnxModelLoader implements ModelLoader {

  private static final Logger log = LoggerFactory.getLogger(OnnxModelLoader.class);

  private final OrtEnvironment environment;
  private final int intraOpThreads;
  private final int deviceId;
  private final AtomicReference<ExecutionProvider> provider;
  private final Consumer<String> fallbackWarning;

  /** A loader on the CPU. */
  public OnnxModelLoader(int intraOpThreads) {
    this(intraOpThreads, ExecutionProvider.CPU, 0);
  }

  /**
   * @param intraOpThreads threads one inference may use, at least 1
   * @param provider where sessions should run; CUDA falls back to the CPU (see the class doc)
   * @param deviceId the CUDA device, at least 0; ignored on the CPU
   */
  public OnnxModelLoader(int intraOpThreads, ExecutionProvider provider, int deviceId) {
    this(intraOpThreads, provider, deviceId, log::warn);
  }

  /** As above, with the fallback's one warning sent to {@code fallbackWarning} (tests). */
  OnnxModelLoader(int intraOpThreads, ExecutionProvider provider, int deviceId,
      Consumer<String> fallbackWarning) {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
    }
    if (deviceId < 0) {
      throw new IllegalArgumentException("deviceId must be >= 0, got " + deviceId);
    }
    this.environment = OrtEnvironment.getEnvironment();
    this.intraOpThreads = intraOpThreads;
    this.deviceId = deviceId;
    this.provider = new AtomicReference<>(Objects.requireNonNull(provider, "provider"));
    this.fallbackWarning = fallbackWarning;
  }

  @Override
  public GenerativeModel load(PublishedModel model) {
    if (FramePredictor.isFramePredictor(model.manifest())) {
      // No latent input: a framepred graph would fail OnnxGenerativeModel's contract for good.
      return onProvider(provider -> OnnxFramePredictor.load(environment, model, intraOpThreads,
          provider, deviceId));
    }
    return onProvider(provider -> OnnxGenerativeModel.load(environment, model, intraOpThreads,
        provider, deviceId));
  }

  @Override
  public ImageEncoder loadEncoder(ModelManifest manifest, byte[] onnx) {
    return onProvider(provider -> OnnxImageEncoder.load(environment, manifest, onnx,
        intraOpThreads, provider, deviceId));
  }

  /** Loads on the current provider, falling back to the CPU (see the class doc). */
  private <T> T onProvider(Function<ExecutionProvider, T> load) {
    if (provider.get() == ExecutionProvider.CUDA) {
      try {
        return load.apply(ExecutionProvider.CUDA);
      } catch (OnnxSessions.ProviderUnavailableException e) {
        // Only the load that flips it warns; concurrent ones that also failed just fall back.
        if (provider.compareAndSet(ExecutionProvider.CUDA, ExecutionProvider.CPU)) {
          fallbackWarning.accept("CUDA execution provider unavailable on device " + deviceId + " ("
              + e.getMessage() + "); running this and every later session on the CPU");
        }
      }
    }
    return load.apply(ExecutionProvider.CPU);
  }

  @Override
  public ExecutionProvider executionProvider() {
    return provider.get();
  }
}
