package io.genstream.generator.internal;

import ai.onnxruntime.OrtEnvironment;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader;

/**
 * Loads models into ONNX Runtime sessions. The runtime's process-wide {@link OrtEnvironment} is
 * obtained here and nowhere else in the generator; ONNX Runtime owns it and it is never closed
 * by us (closing it would break every other session in the JVM).
 */
public final class OnnxModelLoader implements ModelLoader {

  private final OrtEnvironment environment;
  private final int intraOpThreads;

  public OnnxModelLoader(int intraOpThreads) {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("intraOpThreads must be >= 1, got " + intraOpThreads);
    }
    this.environment = OrtEnvironment.getEnvironment();
    this.intraOpThreads = intraOpThreads;
  }

  @Override
  public GenerativeModel load(PublishedModel model) {
    return OnnxGenerativeModel.load(environment, model, intraOpThreads);
  }
}
