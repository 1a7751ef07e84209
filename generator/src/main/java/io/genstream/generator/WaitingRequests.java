package io.genstream.generator;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Requests waiting for a model version that cannot serve yet ({@code best} before any promotion,
 * a version whose load is being retried), kept out of the service's in-flight slots. A request
 * asking for something that may not exist for minutes must not hold a slot meanwhile: a few
 * hundred of them would take every slot, and nothing behind them would be served.
 *
 * <ul>
 *   <li><b>Bounded.</b> At most {@code capacity} wait at once; {@link #hold} refuses one more,
 *       and the caller dead-letters it at once. Each waits at most {@code maxWait} (the waiter
 *       itself enforces it, see {@link GeneratorService}), so it holds back its partition's
 *       commit at most that long.
 *   <li><b>Ownership.</b> One instance per run of the service's pipeline: {@link #close()}
 *       cancels every waiter without acknowledging it, so a restarted pipeline (or another
 *       generator of the group) receives those requests again.
 *   <li><b>Failures.</b> A waiter that fails with anything but its own answer (a broker failure
 *       while publishing) ends {@link #failures()} with that error, which fails the pipeline
 *       run like any such failure, and the run restarts.
 *   <li><b>Threads.</b> Thread-safe; waiters run on Reactor's timer threads between attempts
 *       and on the engine's and producer's threads during one, never blocking.
 * </ul>
 */
final class WaitingRequests implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(WaitingRequests.class);

  private final int capacity;
  private final Duration maxWait;
  private final AtomicInteger waiting = new AtomicInteger();
  private final Disposable.Composite waiters = Disposables.composite();
  private final Sinks.Empty<Void> failure = Sinks.empty();

  WaitingRequests(int capacity, Duration maxWait) {
    this.capacity = capacity;
    this.maxWait = maxWait;
  }

  /**
   * Subscribes to {@code waiter} (a request's whole answer: waiting, serving or dead-lettering,
   * acknowledging) unless {@code capacity} requests wait already.
   *
   * @param why what the request waits for, for the log line when the first starts waiting
   * @return whether it was taken; false: the room is full (or closed)
   */
  boolean hold(Mono<Void> waiter, String why) {
    if (waiters.isDisposed()) {
      return false;
    }
    int now = waiting.incrementAndGet();
    if (now > capacity) {
      waiting.decrementAndGet();
      return false;
    }
    if (now == 1) {
      log.info("requests wait, outside the in-flight slots, for at most {} s (up to {} at once): "
          + "{}", maxWait.toSeconds(), capacity, why);
    }
    Disposable.Swap slot = Disposables.swap();
    waiters.add(slot);
    slot.update(waiter
        .doFinally(signal -> {
          waiting.decrementAndGet();
          waiters.remove(slot);
        })
        .subscribe(null, failure::tryEmitError));
    return true;
  }

  /** Requests waiting now. */
  int size() {
    return waiting.get();
  }

  /** How many may wait at once. */
  int capacity() {
    return capacity;
  }

  /** The longest a request waits. */
  Duration maxWait() {
    return maxWait;
  }

  /** Errors with the first failure of a waiter that is not its request's answer; never completes. */
  Mono<Void> failures() {
    return failure.asMono();
  }

  /** Cancels every waiter, unacknowledged. Idempotent. */
  @Override
  public void close() {
    waiters.dispose();
  }
}
