package io.genstream.trainer.fleet;

import io.genstream.trainer.TrainerOptions;
import io.genstream.trainer.TrainerService;
import io.genstream.trainer.TrainerSummary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Trains the models of a models file, each by exactly one of the processes given that file: a
 * {@link TrainerService} per model this process holds the lease of, each with its own training
 * thread, consumer group and checkpoints.
 *
 * <p><b>Leases.</b> A model's lease is partition i of the lease topic (models sorted by name →
 * partition i), and the lease holders are the members of the lease group ({@link Leases}), so
 * Kafka's group protocol does the bookkeeping: it gives each partition to exactly one member,
 * spreads them evenly, and moves a member's partitions when it leaves or stops heartbeating.
 * Nothing is ever written to the topic. When a lease is assigned, the fleet starts the model's
 * service (it resumes from its checkpoint); when it is revoked, the fleet
 * {@link TrainerService#finish() finishes} the service, publishing what it trained, before the
 * partition goes, so the next holder resumes from that version. A lease lost without a
 * revocation (this process missed its session timeout: another member may already train the
 * model) closes the service without publishing. Models that keep their lease keep training
 * through a rebalance.
 *
 * <p><b>Threads.</b> Services start and stop on the lease thread; a model's training runs on its
 * service's own thread. Every method may be called from any thread except Reactor's
 * ({@link #finish()} and {@link #close()} block).
 *
 * <p><b>Failure.</b> A model whose service stops for good, or that cannot be created, makes
 * {@link #completion()} error; the process is then expected to stop (the CLI exits 1), which
 * hands all its leases to the others.
 *
 * <p><b>Ownership.</b> The fleet owns the lease consumer and the services it started. Create,
 * {@link #start()}, then {@link #finish()} or {@link #close()}.
 */
public final class TrainerFleet implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TrainerFleet.class);
  /** Room for the models' finish (a minute each, side by side) and the group's goodbye. */
  private static final Duration STOP_TIMEOUT = Duration.ofMinutes(3);

  private final FleetOptions options;
  private final Leases leases;
  // Changed on the lease thread only (and by stop() once that thread ended); read anywhere.
  private final Map<String, TrainerService> running = new ConcurrentHashMap<>();
  private final Map<String, Disposable> watching = new ConcurrentHashMap<>();
  // The last summary of each model this process trained and let go.
  private final Map<String, TrainerSummary> released = new ConcurrentHashMap<>();
  private final Sinks.Empty<Void> done = Sinks.empty();
  private boolean started;

  /** Nothing is created before {@link #start()}. */
  public TrainerFleet(FleetOptions options) {
    this.options = options;
    this.leases = new Leases(options, new Holder());
  }

  /**
   * Creates the lease topic if missing, then joins the lease group; models start as their leases
   * are assigned.
   *
   * @throws IllegalStateException if already started, or the lease topic cannot be set up
   */
  public synchronized TrainerFleet start() {
    if (started) {
      throw new IllegalStateException("already started");
    }
    started = true;
    LeaseTopic.ensure(options.kafka(), options.leaseTopic(), options.models().size());
    log.info("trainer fleet: models {}; leases shared with group {} on topic {}",
        options.names(), options.leaseGroup(), options.leaseTopic());
    leases.start();
    return this;
  }

  /**
   * Completes when the fleet is closed; errors if a model stopped for good or could not be
   * created, or the lease consumer failed.
   */
  public Mono<Void> completion() {
    return done.asMono();
  }

  /** The models this process holds the lease of and trains now, sorted. */
  public Set<String> training() {
    return new TreeSet<>(running.keySet());
  }

  /**
   * What each model trained by this process has done, by name: those it trains now, and the
   * last summary of those it let go (after {@link #finish()}: all, final versions included).
   */
  public Map<String, TrainerSummary> summaries() {
    Map<String, TrainerSummary> summaries = new TreeMap<>(released);
    running.forEach((name, service) -> summaries.put(name, service.summary()));
    return summaries;
  }

  /**
   * Publishes each model's final version (see {@link TrainerService#finish()}), then leaves the
   * group, so that the other processes resume from those versions. Blocks; idempotent.
   */
  public void finish() {
    stop(true);
  }

  /**
   * Closes each model without publishing (training since its last version is lost), then leaves
   * the group. Blocks; idempotent.
   */
  @Override
  public void close() {
    stop(false);
  }

  private void stop(boolean publish) {
    leases.stop(publish, STOP_TIMEOUT);
    // Models left by a lease thread that failed or did not stop in time.
    release(List.copyOf(running.keySet()), false);
    emitDone(null);
  }

  /** What leases do to models; on the lease thread. */
  private final class Holder implements Leases.Holder {

    @Override
    public void gained(List<String> models) {
      models.forEach(TrainerFleet.this::begin);
      log.info("trainer fleet: now training {} of {} (leases of group {})", training(),
          options.names(), options.leaseGroup());
    }

    @Override
    public void released(List<String> models, boolean publish) {
      release(models, publish);
    }

    @Override
    public void leaving(boolean publish) {
      release(List.copyOf(running.keySet()), publish);
    }

    @Override
    public void failed(RuntimeException error) {
      emitDone(error);
    }
  }

  private void begin(String name) {
    if (running.containsKey(name)) {
      return;
    }
    TrainerOptions model = options.models().stream()
        .filter(candidate -> candidate.modelName().equals(name)).findFirst().orElseThrow();
    TrainerService service;
    try {
      service = new TrainerService(model).start();
    } catch (RuntimeException e) {
      // A model that cannot even be created fails the process like one that fails training.
      log.error("trainer fleet: model {} cannot start: {}", name, e.toString(), e);
      emitDone(new IllegalStateException("model " + name + " cannot start: " + e.getMessage(), e));
      return;
    }
    running.put(name, service);
    watching.put(name, service.completion().subscribe(null, error -> emitDone(
        new IllegalStateException("model " + name + " stopped: " + error.getMessage(), error))));
  }

  /**
   * Finishes (publish, then close) or closes the models' services, side by side: each may take
   * up to a minute, and a rebalance waits for the slowest.
   */
  private void release(List<String> names, boolean publish) {
    List<Thread> releasing = new ArrayList<>();
    List<String> releasedNow = new ArrayList<>();
    for (String name : names) {
      TrainerService service = running.get(name);
      if (service == null) {
        continue;
      }
      // What a released model signals from now on is not the fleet's failure.
      Disposable watch = watching.remove(name);
      if (watch != null) {
        watch.dispose();
      }
      Thread thread = new Thread(publish ? service::finish : service::close,
          "genstream-trainer-release-" + name);
      thread.start();
      releasing.add(thread);
      releasedNow.add(name);
    }
    for (Thread thread : releasing) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (String name : releasedNow) {
      TrainerService service = running.remove(name); // null if stop() raced the lease thread
      if (service != null) {
        released.put(name, service.summary());
      }
    }
    if (!releasedNow.isEmpty()) {
      log.info("trainer fleet: released {} ({}); now training {}", releasedNow,
          publish ? "final versions published" : "closed", training());
    }
  }

  private synchronized void emitDone(Throwable error) {
    if (error == null) {
      done.tryEmitEmpty();
    } else {
      done.tryEmitError(error);
    }
  }
}
