package io.genstream.app.demo;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The services a pipeline has started so far, so that when a later one fails to start, the
 * ones already running are closed (newest first) before the error propagates.
 */
public final class StartedServices {

  private final Deque<AutoCloseable> started = new ArrayDeque<>();

  /** Remembers {@code service}; returns it. */
  public <T extends AutoCloseable> T add(T service) {
    started.push(service);
    return service;
  }

  /** Closes every service started so far, newest first; returns {@code failure} to rethrow. */
  public RuntimeException closeAll(RuntimeException failure) {
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception closing) {
        failure.addSuppressed(closing);
      }
    }
    return failure;
  }
}
