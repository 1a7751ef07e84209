package io.genstream.app.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a long-lived service until the process is asked to stop (Ctrl-C, SIGTERM), then closes
 * it before the JVM exits: the shutdown hook waits for the close, so in-flight work is
 * acknowledged and the consumer's final commit is made.
 */
final class UntilStopped {

  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(60);

  private UntilStopped() {}

  static int run(String name, Callable<AutoCloseable> start) throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      stop.countDown();
      try {
        closed.await(CLOSE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "genstream-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (AutoCloseable service = start.call()) {
      System.out.println(name + " running; Ctrl-C to stop.");
      stop.await();
      System.out.println("Stopping " + name + "...");
    } finally {
      closed.countDown();
    }
    return 0;
  }
}
