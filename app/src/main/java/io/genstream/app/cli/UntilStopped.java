package io.genstream.app.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * Runs a long-lived service until the process is asked to stop (Ctrl-C, SIGTERM) or the service
 * stops by itself, then closes it before the JVM exits: the shutdown hook waits for the close,
 * so in-flight work is acknowledged and the consumer's final commit is made.
 *
 * <p>A service that stopped for good on a failure makes the command return 1 after printing the
 * cause on one line, so that a container's restart policy or a supervisor sees it die instead of
 * a process that stays up doing nothing.
 */
final class UntilStopped {

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

  /**
   * A started service: how to close it, and a signal that completes (the service finished its
   * work) or errors (it stopped for good) without being asked to.
   */
  record Running(AutoCloseable closer, Mono<Void> stopped) {

    /** A service that only stops when asked. */
    static Running of(AutoCloseable closer) {
      return new Running(closer, Mono.never());
    }
  }

  private UntilStopped() {}

  static int run(String name, Callable<AutoCloseable> start) throws Exception {
    return runService(name, () -> Running.of(start.call()));
  }

  static int runService(String name, Callable<Running> start) throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        closed.await(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "genstream-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      Running running = start.call();
      Disposable watching = running.stopped().subscribe(null, error -> {
        failure.set(error);
        stop.countDown();
      }, stop::countDown);
      try {
        System.out.println(name + " running; Ctrl-C to stop.");
        stop.await();
        System.out.println("Stopping " + name + "...");
      } finally {
        // Stop watching first: what closing the service signals is not a failure.
        watching.dispose();
        running.closer().close();
      }
    } finally {
      closed.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C: the hook is running.
      }
    }
    Throwable cause = failure.get();
    if (cause != null) {
      System.err.println("genstream: " + name + " stopped: " + oneLine(cause));
      return 1;
    }
    return 0;
  }

  /** The failure and its root cause, on one line. */
  static String oneLine(Throwable failure) {
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = describe(failure);
    return root == failure ? text : text + " (cause: " + describe(root) + ")";
  }

  private static String describe(Throwable t) {
    String message = t.getMessage() == null ? "" : ": " + t.getMessage();
    return (t.getClass().getSimpleName() + message).replaceAll("\\s+", " ");
  }
}
