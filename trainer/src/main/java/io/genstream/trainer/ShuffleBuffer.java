package io.genstream.trainer;

import java.time.Duration;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxOperator;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * The trainer's shuffle buffer: a stage that emits a stream's elements in a random order, so
 * that a producer's order (a service sending class after class) does not become the batches'.
 * Reactor has no such operator ({@code tf.data}'s {@code shuffle(buffer_size)} is the model).
 *
 * <p><b>Order.</b> The first {@code capacity} elements fill the buffer; from then on each
 * arriving element takes the slot of a random occupant, which is emitted ({@link
 * ShuffleSlots}: the oldest goes first once 3 × capacity later elements arrived). When the
 * source pauses (nothing arrived for {@code pause} although more was requested) or completes,
 * the buffer drains in random order as downstream demands, so leftovers are not stranded; an
 * arrival ends the draining and the buffer fills again. The mix spans about {@code capacity}
 * elements of the stream: a class-sorted stream whose classes each run longer than that gives
 * batches of the few classes in the window, so a finite dataset is best also sent shuffled. A
 * source slower than one element per {@code pause} but not paused waits to fill the buffer
 * before its first element comes out: choose a smaller capacity for such streams.
 *
 * <p><b>Demand and memory.</b> Requests at most {@code capacity} elements from the source
 * beyond downstream demand: it keeps {@code held + requested from the source} at {@code
 * capacity + downstream demand}, so it fills without demand, then takes one in for each one
 * out. So it holds at most {@code capacity} elements in its slots, and at most {@code capacity +
 * downstream demand} counting arrivals on their way through (an arrival when full and without
 * demand would break the source's contract and is signalled as an overflow error).
 *
 * <p><b>Threading.</b> Elements, requests, cancellation and the pause timer may come from
 * different threads; one drain loop at a time (whichever thread's signal started it) owns the
 * buffer and emits, so downstream sees serial signals, on the source's thread, the requesting
 * thread or {@code timer}'s. Nothing blocks. The timer runs one task per pause, not per element.
 *
 * <p><b>Termination and discard.</b> Completion is passed on once the buffer is drained; an
 * error at once, after the buffer is discarded. Cancellation discards the buffer. Discarded
 * elements go to the {@link Operators#onDiscard} hook, never downstream.
 */
final class ShuffleBuffer {

  private ShuffleBuffer() {}

  /**
   * {@code source} in shuffled order.
   *
   * @param capacity elements held; 0 or 1 returns {@code source} unchanged
   * @param pause how long the source may send nothing, while elements were requested, before
   *     the buffer drains
   * @param seed seeds the order (each subscription starts from it)
   * @param timer where the pause is timed (Reactor's parallel scheduler in the trainer, a
   *     virtual-time one in tests); tasks on it only route elements
   */
  static <T> Flux<T> shuffle(Flux<T> source, int capacity, Duration pause, long seed,
      Scheduler timer) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(pause, "pause");
    Objects.requireNonNull(timer, "timer");
    if (capacity < 0) {
      throw new IllegalArgumentException("shuffle capacity must be >= 0, got " + capacity);
    }
    if (pause.isNegative() || pause.isZero()) {
      throw new IllegalArgumentException("shuffle pause must be positive, got " + pause);
    }
    if (capacity <= 1) {
      return source;
    }
    return new FluxOperator<T, T>(source) {
      @Override
      public void subscribe(CoreSubscriber<? super T> actual) {
        source.subscribe(new Shuffler<>(actual, new ShuffleSlots<>(capacity, seed),
            pause.toNanos(), timer));
      }
    };
  }

  /** One subscription: the slots, the demand both ways and the pause timer. */
  private static final class Shuffler<T> implements CoreSubscriber<T>, Subscription {

    private final CoreSubscriber<? super T> actual;
    private final long pauseNanos;
    private final Scheduler timer;
    private final Queue<T> arrived = new ConcurrentLinkedQueue<>();
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile Subscription upstream;
    private volatile boolean done;
    private volatile boolean cancelled;
    private volatile boolean timerFired;
    private Throwable error; // published by the volatile write of done

    // Drain loop only.
    private final ShuffleSlots<T> slots;
    private long outstanding; // requested from the source, not yet taken from `arrived`
    private long waitingSince; // timer nanos: last arrival, or first request since none was due
    private boolean paused;
    private Disposable pendingTimer;

    Shuffler(CoreSubscriber<? super T> actual, ShuffleSlots<T> slots, long pauseNanos,
        Scheduler timer) {
      this.actual = actual;
      this.slots = slots;
      this.pauseNanos = pauseNanos;
      this.timer = timer;
    }

    @Override
    public reactor.util.context.Context currentContext() {
      return actual.currentContext();
    }

    @Override
    public void onSubscribe(Subscription s) {
      if (Operators.validate(upstream, s)) {
        upstream = s;
        actual.onSubscribe(this);
        drain(); // starts filling before any demand
      }
    }

    @Override
    public void onNext(T element) {
      if (done || cancelled) {
        Operators.onDiscard(element, currentContext());
        return;
      }
      arrived.offer(element);
      drain();
    }

    @Override
    public void onError(Throwable t) {
      if (done) {
        Operators.onErrorDropped(t, currentContext());
        return;
      }
      error = t;
      done = true;
      drain();
    }

    @Override
    public void onComplete() {
      done = true;
      drain();
    }

    @Override
    public void request(long n) {
      if (Operators.validate(n)) {
        requested.getAndAccumulate(n, Operators::addCap);
        drain();
      }
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        upstream.cancel();
        drain(); // discards, unless a running loop sees the flag first and does
      }
    }

    private void onTimer() {
      timerFired = true;
      drain();
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      while (true) {
        if (cancelled) {
          discardAll();
          return;
        }
        long now = timer.now(TimeUnit.NANOSECONDS);
        for (T element; (element = arrived.poll()) != null; ) {
          if (outstanding != Long.MAX_VALUE) {
            outstanding--;
          }
          paused = false;
          waitingSince = now;
          T left = slots.add(element);
          if (left != null && !emit(left)) {
            return;
          }
        }
        if (timerFired) {
          timerFired = false;
          pendingTimer = null;
        }
        boolean finished = done;
        if (finished && error != null) {
          discardAll();
          actual.onError(error);
          return;
        }
        if (!finished && !paused && outstanding > 0 && now - waitingSince >= pauseNanos) {
          paused = true;
        }
        if (finished || paused) {
          while (requested.get() > 0 && !slots.isEmpty()) {
            if (!emit(slots.take())) {
              return;
            }
          }
          if (finished && slots.isEmpty() && arrived.isEmpty()) {
            discardAll(); // nothing left but the timer task
            actual.onComplete();
            return;
          }
        }
        if (!finished) {
          requestMore(now);
          armTimer(now);
        }
        missed = wip.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    /**
     * Emits {@code element} against downstream demand; false if the stream ended here (an
     * overflow, or downstream cancelled in its onNext).
     */
    private boolean emit(T element) {
      long demand = requested.get();
      if (demand == 0) {
        upstream.cancel();
        Operators.onDiscard(element, currentContext());
        discardAll();
        actual.onError(Exceptions.failWithOverflow(
            "shuffle buffer: the source sent more than was requested"));
        return false;
      }
      actual.onNext(element);
      if (demand != Long.MAX_VALUE) {
        requested.decrementAndGet();
      }
      if (cancelled) {
        discardAll();
        return false;
      }
      return true;
    }

    /** Tops up the source's demand to {@code room + downstream demand}. */
    private void requestMore(long now) {
      if (outstanding == Long.MAX_VALUE) {
        return;
      }
      long target = Operators.addCap(slots.capacity() - slots.size(), requested.get());
      long want = target - outstanding;
      if (want > 0) {
        if (outstanding == 0) {
          waitingSince = now; // the source was not idle before: nothing was due from it
        }
        outstanding = target == Long.MAX_VALUE ? Long.MAX_VALUE : target;
        upstream.request(want);
      }
    }

    /** One timer task at a time, while the source owes elements and the buffer holds some. */
    private void armTimer(long now) {
      if (paused || pendingTimer != null || outstanding <= 0 || slots.isEmpty()) {
        return;
      }
      long delay = Math.max(0, waitingSince + pauseNanos - now);
      pendingTimer = timer.schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
    }

    private void discardAll() {
      Disposable task = pendingTimer;
      if (task != null) {
        task.dispose();
        pendingTimer = null;
      }
      reactor.util.context.Context context = currentContext();
      slots.clear().forEach(element -> Operators.onDiscard(element, context));
      for (T element; (element = arrived.poll()) != null; ) {
        Operators.onDiscard(element, context);
      }
    }
  }
}
