package io.genstream.generator;

/**
 * A request that cannot be served; the message is the dead-letter reason. Thrown where the
 * {@link GeneratorService} parses a request and where {@link ResultPublisher} writes its results.
 */
final class RejectedRequest extends RuntimeException {
  RejectedRequest(String reason) {
    super(reason, null, false, false);
  }
}
