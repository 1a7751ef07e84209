package io.genstream.generator.internal;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One loaded ONNX graph of a model version, as each kind of graph holds it (the generator,
 * {@link OnnxGenerativeModel}; a VAE's encoder, {@link OnnxImageEncoder}; a frame predictor,
 * {@link OnnxFramePredictor}): the session and the options ONNX Runtime requires to outlive it,
 * a lock that keeps {@link #close()} from freeing the session under a running inference (the
 * registry's leases should already guarantee that; the lock turns a misuse into an exception
 * instead of a native crash), and the checks of the graph's inputs and outputs against the
 * manifest, whose failures name the graph and say what differs.
 *
 * <p>{@link #run} is safe from several threads; {@link #close()} waits for running inferences
 * and is idempotent.
 */
final class GuardedSession implements AutoCloseable {

  /** What a graph kind builds over a freshly loaded session: its contract checks, its names. */
  @FunctionalInterface
  interface Binding<T> {
    T bind(GuardedSession session) throws OrtException;
  }

  /** One inference on the session; tensors it creates are its own to close. */
  @FunctionalInterface
  interface Inference<T> {
    T run(OrtSession session) throws OrtException;
  }

  private final String subject;
  private final OnnxSessions.Opened opened;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private GuardedSession(String subject, OnnxSessions.Opened opened) {
    this.subject = subject;
    this.opened = opened;
  }

  /**
   * Builds a session from {@code onnx} on {@code provider} and binds it; if the binding fails
   * (the graph does not match its manifest) the session is closed and the failure classified.
   *
   * @param subject how messages name the graph, e.g. {@code model digits/3}
   * @throws OnnxSessions.ProviderUnavailableException if the provider cannot be added
   * @throws IllegalArgumentException if the bytes are invalid or the graph does not match the
   *     manifest: loading it again will fail again
   * @throws IllegalStateException if ONNX Runtime failed for another reason: a later attempt
   *     may succeed
   */
  static <T> T load(OrtEnvironment environment, byte[] onnx, String subject, int intraOpThreads,
      ExecutionProvider provider, int deviceId, Binding<T> binding) {
    GuardedSession session = new GuardedSession(subject,
        OnnxSessions.open(environment, onnx, subject, intraOpThreads, provider, deviceId));
    try {
      return binding.bind(session);
    } catch (OrtException | RuntimeException e) {
      session.close();
      throw OnnxSessions.loadFailure(subject, e);
    }
  }

  String subject() {
    return subject;
  }

  Map<String, NodeInfo> inputs() throws OrtException {
    return opened.session().getInputInfo();
  }

  Map<String, NodeInfo> outputs() throws OrtException {
    return opened.session().getOutputInfo();
  }

  /**
   * Runs one inference under the read lock.
   *
   * @throws IllegalStateException if the session is closed, or ONNX Runtime failed
   */
  <T> T run(Inference<T> inference) {
    lifecycle.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException(subject + " is closed");
      }
      return inference.run(opened.session());
    } catch (OrtException e) {
      throw new IllegalStateException(subject + ": inference failed: " + e.getMessage(), e);
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Closes the session, then its options; waits for running inferences. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        opened.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  // ---- the graph's contract ----

  /** The name of the one node of {@code type} and {@code rank}, or a mismatch naming them all. */
  String single(Map<String, NodeInfo> nodes, OnnxJavaType type, int rank, String role) {
    List<String> found = new ArrayList<>();
    for (NodeInfo node : nodes.values()) {
      if (node.getInfo() instanceof TensorInfo info && info.type == type
          && info.getShape().length == rank) {
        found.add(node.getName());
      }
    }
    if (found.size() != 1) {
      throw mismatch("expected exactly one " + role + ", graph has "
          + OnnxSessions.describe(nodes));
    }
    return found.get(0);
  }

  /** A fixed dimension must equal the manifest's; a symbolic one (-1) cannot be checked. */
  void checkDim(NodeInfo node, int axis, long expected, String field) {
    if (!(node.getInfo() instanceof TensorInfo info)) {
      throw mismatch(node.getName() + " is not a tensor: " + node.getInfo());
    }
    long[] shape = info.getShape();
    if (shape.length <= axis) {
      throw mismatch(node.getName() + " has rank " + shape.length + ", expected at least "
          + (axis + 1));
    }
    if (shape[axis] >= 0 && shape[axis] != expected) {
      throw mismatch(node.getName() + " has " + field + " " + shape[axis] + " (shape "
          + Arrays.toString(shape) + "), manifest says " + expected);
    }
  }

  /** A permanent load failure: the graph does not match its manifest. */
  IllegalArgumentException mismatch(String detail) {
    return new IllegalArgumentException(subject + " does not match its manifest: " + detail);
  }
}
