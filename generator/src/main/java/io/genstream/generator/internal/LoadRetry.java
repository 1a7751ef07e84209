package io.genstream.generator.internal;

import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.UnknownModelException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load history of one thing a version loads (its generator session, its encoder): whether it
 * may be tried now, and for how long to wait after a failure.
 *
 * <p>Failures are classified once, by {@link #isPermanent}: an invalid graph is remembered for
 * good ({@link #check} then always refuses, naming it); anything else is transient and may be
 * tried again once a back-off has passed (1 s, doubling to 1 min); a success resets it.
 *
 * <p>Not thread-safe: its owner calls it under the owner's lock.
 */
final class LoadRetry {

  private static final Logger log = LoggerFactory.getLogger(LoadRetry.class);
  static final long FIRST_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  static final long MAX_RETRY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final LongSupplier nanoClock;
  /** Why it can never load (an invalid graph); null while it may. */
  private String permanentFailure;
  /** The last transient failure, how many in a row, and when the next attempt may start. */
  private String lastFailure;
  private int failures;
  private long retryAtNanos;

  /** @param nanoClock {@link System#nanoTime()} or a test's clock */
  LoadRetry(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /**
   * The one place that decides whether a failed load may succeed later: an invalid model
   * ({@link IllegalArgumentException}, the {@link ModelLoader#load} contract) or a loader that
   * cannot load this kind of graph at all ({@link UnsupportedOperationException}, the
   * {@link ModelLoader#loadEncoder} default) never will.
   */
  static boolean isPermanent(Throwable loadFailure) {
    return loadFailure instanceof IllegalArgumentException
        || loadFailure instanceof UnsupportedOperationException;
  }

  /**
   * Refuses an attempt now: for good after a permanent failure, or while the back-off after a
   * transient one runs.
   *
   * @param subject how messages name what is loaded, e.g. {@code model 'digits' version 3}
   * @throws UnknownModelException after a permanent failure
   * @throws ModelNotReadyException within the back-off
   */
  void check(String subject) {
    if (permanentFailure != null) {
      throw new UnknownModelException(subject + " cannot be loaded: " + permanentFailure);
    }
    long wait = retryAtNanos - nanoClock.getAsLong();
    if (failures > 0 && wait > 0) {
      throw new ModelNotReadyException(subject + " failed to load (" + lastFailure
          + "); retrying in " + TimeUnit.NANOSECONDS.toMillis(wait) + " ms");
    }
  }

  /**
   * Records a failed attempt and returns what to throw: an {@link UnknownModelException}
   * (permanent) or a {@link ModelNotReadyException} (transient, retried after the back-off).
   */
  RuntimeException failed(String subject, Throwable e) {
    String reason = String.valueOf(e.getMessage() == null ? e : e.getMessage());
    if (isPermanent(e)) {
      permanentFailure = reason;
      log.warn("{} cannot be loaded: {}", subject, reason);
      return new UnknownModelException(subject + " cannot be loaded: " + reason);
    }
    failures++;
    lastFailure = reason;
    long backOff = Math.min(MAX_RETRY_NANOS, FIRST_RETRY_NANOS << Math.min(failures - 1, 20));
    retryAtNanos = nanoClock.getAsLong() + backOff;
    log.warn("{} failed to load (attempt {}), will retry on a request after {} ms: {}",
        subject, failures, TimeUnit.NANOSECONDS.toMillis(backOff), reason);
    return new ModelNotReadyException(subject + " failed to load (" + reason + "); retrying in "
        + TimeUnit.NANOSECONDS.toMillis(backOff) + " ms");
  }

  /** Records a successful attempt: the failures before it are forgotten. */
  void succeeded(String subject) {
    if (failures > 0) {
      log.info("{} loaded after {} failed attempt(s)", subject, failures);
      failures = 0;
      lastFailure = null;
    }
  }

  /** Whether it failed for good. */
  boolean failedForGood() {
    return permanentFailure != null;
  }

  /** Whether its last attempt failed transiently (it is retried after the back-off). */
  boolean retrying() {
    return failures > 0;
  }

  /** Why it failed for good, else why its last attempt failed, else null. */
  String reason() {
    return permanentFailure != null ? permanentFailure : lastFailure;
  }
}
