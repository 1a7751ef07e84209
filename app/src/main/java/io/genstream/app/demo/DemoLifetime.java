package io.genstream.app.demo;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How long a demo runs: until its planned end or until Ctrl-C (SIGTERM), whichever comes first.
 * A signal asks the demo to stop and holds the JVM until {@link #close()} says the demo shut
 * everything down in order (up to 90 s). Open it before starting anything, close it last.
 */
public final class DemoLifetime implements AutoCloseable {

  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(90);

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook = new Thread(this::stopAndWait, "genstream-demo-stop");

  private DemoLifetime() {}

  /** Installs the shutdown hook. */
  public static DemoLifetime open() {
    DemoLifetime lifetime = new DemoLifetime();
    Runtime.getRuntime().addShutdownHook(lifetime.hook);
    return lifetime;
  }

  /** Waits for the planned end; true if a signal came first. */
  public boolean interruptedWithin(Duration duration) throws InterruptedException {
    return stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The demo has shut down: a waiting signal lets the JVM exit. */
  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // Ctrl-C: the JVM is already on its way out; nothing to remove.
    }
  }

  private void stopAndWait() {
    stop.countDown();
    try {
      if (!finished.await(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        System.err.println("GenStream demo: clean shutdown took over " + SHUTDOWN_TIMEOUT
            + ", exiting anyway");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** {@code 45s}, {@code 2:05}: how the demos print durations. */
  public static String human(Duration d) {
    long seconds = d.toSeconds();
    return seconds >= 60 ? String.format("%d:%02d", seconds / 60, seconds % 60) : seconds + "s";
  }
}
