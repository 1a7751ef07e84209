package io.genstream.trainer;

import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.messages.DeadLetter;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.StepResult;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The stages of a {@link TrainerService}, one named method each:
 * <pre>
 * receive {@link TrainerOptions#inputTopic()} (group genstream-trainer-&lt;model&gt;)
 *   → {@link #isOurs}                 records of other models' data (see
 *                                     {@link TrainerOptions.DataBinding}) acknowledged, skipped
 *   → {@link TrainingFeed#batches}  decode (bad record → {@link #deadLetter}, acknowledged),
 *                                     batch: {@link ImageFeed} images (through a
 *                                     {@link ShuffleBuffer}), {@link ClipFeed} clips of a
 *                                     video stream, fresh and replayed
 *   → {@link #step}, one batch at a time:
 *       {@link #train}                  on the dedicated training thread
 *       {@link #acknowledge}            the batch's records, after the step
 *       {@link #exportAndPublishIfDue}  every exportEveryNSteps (and at maxSteps):
 *         {@link VersionExporter}      ONNX graphs, manifest (with the feed's
 *                                       held-out figures), sample image, checkpoint, on the
 *                                       training thread
 *         {@link #publish}              model version to the models topic, event to the
 *                                       training topic
 * </pre>
 *
 * <p>A step is one stage, so the next batch is trained on only once the previous version is on
 * the broker: Reactor subscribes a {@code concatMap}'s next inner as soon as the previous one is
 * done, whatever the downstream demand, so separate stages let training and exports run ahead
 * of publishing (an export would carry later weights than its step says, a step limit would be
 * overrun, and two exports could share a version number).
 *
 * <p><b>Threads.</b> Records arrive on the receiver's delivery thread, where they are decoded
 * (a 28×28 PNG is tens of microseconds). Every DJL call (training, export, sampling) runs on the
 * service's training thread, never on Reactor's shared schedulers.
 *
 * <p>Owns nothing: the service creates and closes the receiver, sender, thread and model it
 * is given.
 */
final class TrainingPipeline {

  private static final Logger log = LoggerFactory.getLogger(TrainingPipeline.class);

  private final TrainerOptions options;
  private final TrainingFeed feed;
  private final TrainingListener listener;
  private final KafkaReceiver<String, byte[]> receiver;
  private final KafkaSender<String, byte[]> sender;
  private final Scheduler trainingThread;
  private final Supplier<ModelFamily> model;
  private final VersionExporter exporter;
  private final VersionPublisher publisher;
  private final ProgressMeter meter;
  private final DeadLetterLog deadLetterLog = new DeadLetterLog();
  private final RunLedger ledger;

  /**
   * @param model the model being trained: replaced once by a restored one before the first step
   * @param listener called on the training thread after every step
   */
  TrainingPipeline(TrainerOptions options, TrainingFeed feed, TrainingListener listener,
      KafkaReceiver<String, byte[]> receiver, KafkaSender<String, byte[]> sender,
      Scheduler trainingThread, Supplier<ModelFamily> model, VersionExporter exporter,
      VersionPublisher publisher, ProgressMeter meter, RunLedger ledger) {
    this.options = options;
    this.feed = feed;
    this.listener = listener;
    this.receiver = receiver;
    this.sender = sender;
    this.trainingThread = trainingThread;
    this.model = model;
    this.exporter = exporter;
    this.publisher = publisher;
    this.meter = meter;
    this.ledger = ledger;
  }

  /**
   * One run of the pipeline, from the receiver's next record until {@code maxSteps} (never, if
   * 0). Each subscription is a new run: a restart after a Kafka failure subscribes again.
   */
  Flux<StepOutcome> run() {
    // A restart (after a Kafka failure) first lets the previous run's publish end, so that the
    // next version's parent is the one that was really published.
    Flux<StepOutcome> outcomes = Mono.fromFuture(publisher.latest(), true).onErrorComplete()
        .thenMany(feed.batches(receiver.receive().filter(this::isOurs), this::deadLetter))
        // Prefetch 1: read ahead one batch, not 32; the receiver pauses beyond demand.
        .concatMap(this::step, 1);
    long last = lastStep();
    // By step number, not count: a pipeline restarted after a Kafka failure stops at the same step.
    return last > 0 ? outcomes.takeUntil(outcome -> outcome.progress().step() >= last) : outcomes;
  }

  /**
   * Exports the weights trained since the last version (on the training thread, queued behind a
   * step in progress) and publishes them; empty if nothing is new.
   */
  Mono<StepOutcome> publishUnpublished() {
    return Mono.fromCallable(this::exportUnpublished)
        .subscribeOn(trainingThread)
        .flatMap(this::publish);
  }

  /** The step this run stops at (maxSteps after the step it started from), 0 for none. */
  private long lastStep() {
    return ledger.lastStep(options.maxSteps());
  }

  // ---- stages ----

  /**
   * Whether the record is this model's data; if not, it is acknowledged here, since it belongs
   * to another model sharing the topic rather than being bad (no dead letter).
   */
  private boolean isOurs(ReceivedRecord<String, byte[]> received) {
    if (options.data().accepts(received.record().headers())) {
      return true;
    }
    received.acknowledge();
    return false;
  }

  /** The bad record to the dead-letter topic with its reason, then acknowledged. */
  private Mono<Void> deadLetter(ReceivedRecord<String, byte[]> received, String reason) {
    ProducerRecord<String, byte[]> letter = DeadLetter.of(received.record(), reason,
        options.topics().deadLetter(), TrainerService.SOURCE);
    return sender.send(letter)
        .doOnSuccess(metadata -> {
          received.acknowledge();
          ledger.deadLettered();
          deadLetterLog.deadLettered(received.record().topic() + "-"
              + received.record().partition() + "@" + received.record().offset(), reason);
        })
        .then(Mono.empty());
  }

  private Mono<StepOutcome> step(TrainingFeed.Step batch) {
    return train(batch)
        .flatMap(this::acknowledge)
        .flatMap(this::exportAndPublishIfDue);
  }

  /** One training step on the training thread. */
  private Mono<StepOutcome> train(TrainingFeed.Step batch) {
    return Mono.fromCallable(() -> {
      long start = System.nanoTime();
      StepResult result = model.get().step(batch.batch());
      feed.afterStep(batch);
      TrainingProgress progress = meter.record(result, start, System.nanoTime() - start);
      ledger.stepped(progress);
      notifyListener(progress);
      if (progress.step() % options.logEveryNSteps() == 0) {
        log.info("{} step {}: {} images, {} img/s, duty cycle {}%, {}", options.modelName(),
            progress.step(), progress.imagesSeen(), Math.round(progress.imagesPerSecond()),
            Math.round(progress.dutyCycle() * 100), progress.metricsText());
      }
      return new StepOutcome(batch, progress, null);
    }).subscribeOn(trainingThread);
  }

  private void notifyListener(TrainingProgress progress) {
    try {
      listener.onStep(progress);
    } catch (RuntimeException e) {
      log.warn("training listener failed at step {}: {}", progress.step(), e.toString());
    }
  }

  private Mono<StepOutcome> acknowledge(StepOutcome outcome) {
    outcome.batch().done().forEach(ReceivedRecord::acknowledge);
    return Mono.just(outcome);
  }

  private Mono<StepOutcome> exportAndPublishIfDue(StepOutcome outcome) {
    long step = outcome.progress().step();
    boolean due =
        step % options.spec().exportEvery() == 0 || (lastStep() > 0 && step >= lastStep());
    if (!due) {
      return Mono.just(outcome);
    }
    return Mono.fromCallable(() -> export(outcome))
        .subscribeOn(trainingThread)
        .flatMap(this::publish);
  }

  /** On the training thread: the version of the current weights, under a reserved number. */
  private StepOutcome export(StepOutcome outcome) {
    RunLedger.Reservation reserved = ledger.reserveVersion();
    return new StepOutcome(outcome.batch(), outcome.progress(), exporter.export(model.get(),
        outcome.progress(), reserved.version(), reserved.parentVersion()));
  }

  /** On the training thread: an export of the current weights, or null if nothing is new. */
  private StepOutcome exportUnpublished() {
    TrainingProgress progress = ledger.unpublished();
    if (progress == null) {
      return null;
    }
    return export(new StepOutcome(null, progress, null));
  }

  /**
   * Publishes the version (see {@link VersionPublisher#start}) and waits for the broker's acks.
   * The sends run to their end even if the pipeline is cancelled meanwhile, since a record handed
   * to the producer may land anyway; {@link TrainerService#finish()} waits for them, so the
   * summary and the next version's parent always match what is on the topic.
   */
  private Mono<StepOutcome> publish(StepOutcome outcome) {
    VersionExport export = outcome.export();
    if (export == null) {
      return Mono.just(outcome);
    }
    return Mono.fromFuture(publisher.start(export, ledger::published), true).thenReturn(outcome);
  }

  /** What one step produced; {@code export} is null between exports, {@code batch} at finish. */
  record StepOutcome(TrainingFeed.Step batch, TrainingProgress progress, VersionExport export) {}
}
