package io.genstream.generator.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.genstream.core.messages.ModelManifest;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * How the generator builds an ONNX Runtime session (the same options for every graph it loads)
 * and the one place that tells an invalid graph from a runtime failure when it cannot.
 */
final class OnnxSessions {

  private OnnxSessions() {}

  /**
   * A session and the options it was built with; ONNX Runtime requires the options to outlive
   * the session, so {@link #close()} closes the session first.
   */
  record Opened(OrtSession session, OrtSession.SessionOptions options) implements AutoCloseable {
    @Override
    public void close() {
      closeQuietly(session);
      options.close();
    }
  }

  /**
   * Builds a session from {@code onnx} on {@code provider}; the caller owns the result.
   *
   * @param subject how messages name the graph, e.g. {@code model digits/3}
   * @throws ProviderUnavailableException if the provider cannot be added to the session's
   *     options (nothing was loaded; the caller may fall back to the CPU)
   * @throws IllegalArgumentException if ONNX Runtime rejects the bytes as an invalid model:
   *     loading them again will fail again
   * @throws IllegalStateException if ONNX Runtime failed for another reason (out of memory, a
   *     provider or engine error): a later attempt may succeed
   */
  static Opened open(OrtEnvironment environment, byte[] onnx, String subject, int intraOpThreads,
      ExecutionProvider provider, int deviceId) {
    OrtSession.SessionOptions options = new OrtSession.SessionOptions();
    if (provider == ExecutionProvider.CUDA) {
      try {
        options.addCUDA(deviceId);
      } catch (OrtException | RuntimeException | LinkageError e) {
        options.close();
        throw new ProviderUnavailableException(e.toString(), e);
      }
    }
    try {
      options.setIntraOpNumThreads(intraOpThreads);
      // Requests run concurrently on our own scheduler; parallel graph branches buy nothing here.
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      // Spinning idle threads would steal the cores that training shares with us.
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      return new Opened(environment.createSession(onnx, options), options);
    } catch (OrtException | RuntimeException e) {
      options.close();
      throw loadFailure(subject, e);
    }
  }

  /**
   * What a failure while building or checking a session means: an {@link IllegalArgumentException}
   * (passed through: the graph does not match its manifest) and an invalid-model error code are
   * permanent, any other runtime error an {@link IllegalStateException}.
   */
  static RuntimeException loadFailure(String subject, Exception e) {
    if (e instanceof IllegalArgumentException iae) {
      return iae;
    }
    if (e instanceof OrtException ort && !isInvalidModel(ort.getCode())) {
      return new IllegalStateException(subject + ": ONNX Runtime failed to load it ("
          + ort.getCode() + "): " + e.getMessage(), e);
    }
    return new IllegalArgumentException(subject + ": ONNX Runtime cannot load it: "
        + e.getMessage(), e);
  }

  /** Error codes that say the model itself is bad, as opposed to the runtime failing. */
  private static boolean isInvalidModel(OrtException.OrtErrorCode code) {
    return switch (code) {
      case ORT_INVALID_ARGUMENT, ORT_NO_MODEL, ORT_INVALID_PROTOBUF, ORT_INVALID_GRAPH,
          ORT_NOT_IMPLEMENTED, ORT_MODEL_REQUIRES_COMPILATION -> true;
      default -> false;
    };
  }

  /**
   * One label per image, each a class of the model ({@code graph}: how the message names the
   * graph, e.g. {@code " for a class-conditional encoder"}, or empty): Gather with an out-of-range index is
   * undefined behaviour in some runtimes, so it is refused before running.
   */
  static void checkLabels(long[] labels, int n, ModelManifest manifest, String graph) {
    if (labels == null || labels.length != n) {
      throw new IllegalArgumentException("expected " + n + " labels" + graph + ", got "
          + (labels == null ? "none" : labels.length));
    }
    for (long label : labels) {
      if (label < 0 || label >= manifest.numClasses()) {
        throw new IllegalArgumentException("label " + label + " out of range, valid labels are 0.."
            + (manifest.numClasses() - 1));
      }
    }
  }

  /** The nodes as {@code name: type} strings, for mismatch messages. */
  static String describe(Map<String, NodeInfo> nodes) {
    List<String> parts = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      parts.add(node.getName() + ": " + node.getInfo());
    }
    return parts.toString();
  }

  static void closeQuietly(OrtSession session) {
    if (session == null) {
      return;
    }
    try {
      session.close();
    } catch (OrtException e) {
      // Nothing to recover: the native memory is as freed as it will get.
      LoggerFactory.getLogger(OnnxSessions.class)
          .warn("closing an ONNX Runtime session failed: {}", e.getMessage());
    }
  }

  /** The requested execution provider cannot be added: the runtime or the machine lacks it. */
  static final class ProviderUnavailableException extends RuntimeException {
    ProviderUnavailableException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
