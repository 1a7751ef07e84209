package io.genstream.trainer;

import io.genstream.core.failure.Failures;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.ModelStatus;
import io.genstream.trainer.promotion.Promotion;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.nn.Engine;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Trains one model of any family (see {@link ModelFamily}) and publishes its versions: the image
 * families from the images topic, {@code framepred} from the frames topic.
 *
 * <p>The pipeline ({@link TrainingPipeline}, one named stage each): receive the input topic →
 * skip other models' data → decode and batch ({@link TrainingFeed}; bad records dead-lettered)
 * → train one batch → acknowledge it → every {@code exportEveryNSteps} export a version
 * ({@link VersionExporter}) and publish it ({@link VersionPublisher}) before the next batch.
 * Before the first step the service resumes from the latest checkpoint ({@link ResumePoint}).
 *
 * <p><b>Threads.</b> Every DJL call (training, export, sampling) runs on one thread
 * {@code genstream-trainer-<model>} owned by this service, never on Reactor's shared
 * schedulers. {@link #summary()} and {@link #close()} may be called from any thread.
 *
 * <p><b>Delivery.</b> A batch's records are acknowledged once the step that used them has run,
 * dead-lettered records once the dead letter is on the broker; the feed acknowledges records it
 * handles without training (see {@link ClipFeed}). With each version the trainer
 * publishes a {@link TrainerCheckpoint} (both networks) to the checkpoints topic, and a restart
 * continues from the latest one: a crash loses the training since the last published version
 * but never a record that was not yet trained on or dead-lettered. Version numbers continue
 * after the highest version of this model already on the models topic, so published versions
 * are never overwritten.
 *
 * <p><b>Ownership.</b> The service owns its Kafka sender, the training thread and the model;
 * {@link #close()} releases them in that dependency order. Create, {@link #start()}, then close.
 */
public final class TrainerService implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TrainerService.class);
  static final String SOURCE = "genstream-trainer";
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(60);

  private final TrainerOptions options;
  private final ModelSpec spec;
  private final TrainingFeed feed;
  private final KafkaReceiver<String, byte[]> receiver;
  private final KafkaSender<String, byte[]> sender;
  private final Scheduler trainingThread;
  // Replaced once by a restored model in prepare(), on the training thread before the first
  // step; otherwise only the training thread and close() (after that thread stopped) use it.
  private volatile ModelFamily model;
  private final VersionRetention retention;
  private final VersionPublisher publisher;
  private final Promotion promotion;
  private final ProgressMeter meter = new ProgressMeter();
  private final TrainingPipeline pipeline;
  private final Sinks.Empty<Void> done = Sinks.empty();

  private final RunLedger ledger = new RunLedger();
  private Disposable subscription;
  private boolean closed;

  public TrainerService(TrainerOptions options) {
    this(options, TrainingListener.none());
  }

  /**
   * Creates the sender, the training thread and the model; nothing is consumed before
   * {@link #start()}.
   *
   * @param listener called on the training thread after every step (e.g. a CLI progress line)
   */
  public TrainerService(TrainerOptions options, TrainingListener listener) {
    this.options = options;
    this.spec = options.spec();
    // The model first: a spec it refuses must fail before any client or thread exists.
    this.model = ModelFamily.create(spec, null);
    try {
      this.feed = TrainingFeed.forModel(options, model);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    String metric = options.promotion().metricFor(spec.family());
    this.promotion = new Promotion(options.promotion(), metric,
        ModelStatus.none(options.modelName(), metric));
    VersionExporter exporter = new VersionExporter(options, feed, promotion);
    try {
      this.receiver = KafkaReceiver.create(ReceiverOptions.forGroup(
          options.kafka(), options.groupId(), options.inputTopic()));
      this.sender = KafkaSender.create(SenderOptions.defaults(options.kafka()));
    } catch (RuntimeException e) {
      feed.close();
      model.close();
      throw e;
    }
    // Retention never deletes the version generators serve as best.
    this.retention = new VersionRetention(sender, options.topics().models(), options.modelName(),
        options.keepVersions(), options.pinnedVersions(), promotion::best);
    this.publisher = new VersionPublisher(options, sender, retention, promotion);
    this.trainingThread = Schedulers.newSingle("genstream-trainer-" + options.modelName());
    this.pipeline = new TrainingPipeline(options, feed, listener, receiver, sender, trainingThread,
        () -> model, exporter, publisher, meter, ledger);
  }

  /**
   * Looks up the next version number on the models topic, then starts consuming.
   *
   * @throws IllegalStateException if already started or closed
   */
  public synchronized TrainerService start() {
    if (closed || subscription != null) {
      throw new IllegalStateException(closed ? "TrainerService is closed" : "already started");
    }
    subscription = Mono.fromRunnable(this::prepare)
        .subscribeOn(trainingThread)
        .thenMany(Flux.defer(pipeline::run).retryWhen(restartOnKafkaFailure()))
        .subscribe(
            outcome -> {},
            error -> {
              log.error("trainer {} stopped: {}", options.modelName(), error.toString(), error);
              done.tryEmitError(error);
            },
            () -> {
              log.info("trainer {} finished after {} steps", options.modelName(), summary().steps());
              done.tryEmitEmpty();
            });
    return this;
  }

  /**
   * Completes when {@code maxSteps} are done and the last version is published, or on
   * {@link #close()}; errors if the pipeline failed (the error is also logged).
   */
  public Mono<Void> completion() {
    return done.asMono();
  }

  /** A consistent snapshot of what the service has done; thread-safe. */
  public TrainerSummary summary() {
    return ledger.summary(promotion.status());
  }

  /**
   * A transient failure ({@link Failures}: a broker outage, a rebalance, memory pressure)
   * restarts the pipeline after a back-off: records not yet acknowledged are delivered again,
   * and the model keeps its weights. Anything else (a version the models topic refuses, no
   * right to a topic, a bug, a native failure) stops the trainer with the error, since repeating
   * it would fail the same way.
   */
  private Retry restartOnKafkaFailure() {
    return Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1))
        .maxBackoff(Duration.ofSeconds(30))
        .filter(error -> Failures.isTransient(error) && !isClosed())
        .doBeforeRetry(signal -> log.warn("trainer {}: Kafka failed ({}), restarting the pipeline",
            options.modelName(), signal.failure().toString()));
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  /** On the training thread, before the first step: resume, learn the versions to retain. */
  private void prepare() {
    if (options.intraOpThreads() > 0) {
      Engine.setIntraOpThreads(options.intraOpThreads());
    }
    ResumePoint resume = ResumePoint.find(options, CLOSE_TIMEOUT);
    if (resume.model() != null) {
      model.close();
      model = resume.model();
      TrainerCheckpoint checkpoint = resume.checkpoint();
      meter.resumeAfter(checkpoint.imagesSeen());
      ledger.resumeFrom(checkpoint);
    }
    boolean sameJudge = resume.checkpoint() != null && feed.restore(resume.checkpoint().state());
    promotion.resume(resume.status(), sameJudge);
    ledger.numberFrom(resume.nextVersion());
    List<Long> kept = retention.learnExisting(options.kafka(), CLOSE_TIMEOUT);
    log.info("trainer {}: family {} (spec {}…), parameters {}, {} intra-op threads, {}, next "
            + "version v{}, {} versions on {} (keeping {}), consuming {}{} as {}{}",
        options.modelName(), spec.family().id(), spec.sha256().substring(0, 12),
        model.parameterCounts(), Engine.intraOpThreads(),
        resume.checkpoint() == null ? "fresh weights (no checkpoint)"
            : "resumed from v" + resume.checkpoint().version() + " at step " + model.steps(),
        resume.nextVersion(), kept.size(), options.topics().models(), options.keepVersions(),
        options.inputTopic(),
        options.data().attributes().isEmpty() ? "" : " (" + options.data().describe() + ")",
        options.groupId(), feed.describe().isEmpty() ? "" : ": " + feed.describe());
  }

  /**
   * Stops consuming, publishes the weights trained since the last version as one final version
   * (if any step was taken since), then {@link #close() closes}. Blocks up to a minute; do not
   * call it from a Reactor thread.
   */
  public void finish() {
    Disposable running;
    synchronized (this) {
      if (closed) {
        return;
      }
      running = subscription;
    }
    if (running != null) {
      running.dispose();
    }
    // Read on the training thread: an export running there when the pipeline was disposed
    // starts its publish in the same task, so the publish seen after it is the latest one.
    publisher.awaitLatest(trainingThread, FINISH_TIMEOUT);
    try {
      // Queued behind a step in progress on the (single) training thread.
      pipeline.publishUnpublished().block(FINISH_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("final version of {} not published: {}", options.modelName(), e.toString());
    }
    close();
  }

  /**
   * Stops consuming, waits for a step in progress to finish, then frees the model and flushes
   * and closes the producer. Records not yet trained on stay unacknowledged and go to the next
   * consumer of the group. Idempotent.
   */
  @Override
  public void close() {
    Disposable running;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      running = subscription;
    }
    // 1. Cancel the pipeline: no new step is scheduled; the consumer commits and closes.
    if (running != null) {
      running.dispose();
    }
    try {
      receiver.whenClosed().block(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      log.warn("consumer of {} not closed within {}", options.modelName(), CLOSE_TIMEOUT);
    }
    // 2. The training thread may be inside a step or an export: let it finish before the model
    //    it uses is freed.
    boolean idle = true;
    try {
      trainingThread.disposeGracefully().block(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      idle = false;
      trainingThread.dispose();
    }
    // 3. Native memory, then the producer (flushes what is in flight).
    if (idle) {
      model.close();
      feed.close();
    } else {
      // Freeing tensors a running step still uses would crash the JVM; leaking them is the lesser harm.
      log.error("training thread of {} did not stop within {}; its model memory is not freed",
          options.modelName(), CLOSE_TIMEOUT);
    }
    sender.close();
    done.tryEmitEmpty();
  }
}
