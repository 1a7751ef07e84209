package io.genstream.trainer;

import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.framepred.FramePredictionFamily;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What turns a topic's records into training batches for one kind of model, and what a version
 * of that model is measured and illustrated with: {@link ImageFeed} (images topic, the image
 * families) or {@link ClipFeed} (frames topic, {@code framepred}). The trainer's pipeline, steps,
 * versions and delivery are the same for both.
 */
interface TrainingFeed extends AutoCloseable {

  /**
   * The steps of a feed that mixes fresh examples with replayed ones: fresh examples buffered
   * up to {@code freshPerStep} or {@code wait} (fair back-pressure: while a step runs the
   * receiver pauses rather than buffering without bound), each such batch followed by {@code
   * replaySteps} replay-only steps, built lazily when the step before them is done so they draw
   * from a buffer that already holds the newest examples.
   *
   * <p>Not a timer of replay-only steps merged with the fresh batches: measured here (Reactor
   * 3.8), that merge stalled the fresh side for seconds while replay steps ran back to back.
   *
   * @param toStep builds a step from fresh examples (an empty list: a replay-only step)
   */
  static <T> Flux<Step> freshThenReplayed(Flux<T> fresh, int freshPerStep,
      java.time.Duration wait, int replaySteps, java.util.function.Function<List<T>, Step> toStep) {
    return fresh
        .bufferTimeout(freshPerStep, wait, true)
        .concatMap(examples -> Flux.range(0, 1 + replaySteps)
            .map(i -> toStep.apply(i == 0 ? examples : List.of())), 1);
  }

  /** The feed {@code model}'s family needs. */
  static TrainingFeed forModel(TrainerOptions options, ModelFamily model) {
    return model instanceof FramePredictionFamily
        ? new ClipFeed(options)
        : new ImageFeed(options, model.imagesPerStep());
  }

  /** Sends a bad record to the dead-letter topic with its reason, then acknowledges it. */
  @FunctionalInterface
  interface DeadLetters {
    Mono<Void> send(ReceivedRecord<String, byte[]> record, String reason);
  }

  /**
   * One step's input and the records it finishes.
   *
   * @param batch exactly what one {@link ModelFamily#step} consumes
   * @param done records to acknowledge once the step ran
   * @param fresh examples in the batch that had not been trained on before (the rest replayed)
   */
  record Step(Batch batch, List<ReceivedRecord<String, byte[]>> done, int fresh) {}

  /**
   * The batches of one pipeline run. Called once per run (a restart after a Kafka failure calls
   * it again), on the subscribing thread; the returned flux decodes on the receiver's thread and
   * must honour downstream demand. Records that can never train go through {@code deadLetters}.
   */
  Flux<Step> batches(Flux<ReceivedRecord<String, byte[]>> records, DeadLetters deadLetters);

  /** Figures of the model's current weights for a version's manifest; on the training thread. */
  Map<String, Double> evaluate(ModelFamily model);

  /**
   * Writes the version's sample image ({@code <dir>/<model>-v<version>.png}); on the training
   * thread.
   *
   * @return the file, or null if there is nothing to show yet
   */
  Path writeSamples(ModelFamily model, long version) throws java.io.IOException;

  /**
   * The class name of each label as the data called it ({@code ce_labelname}), for the version's
   * manifest; empty when the data names none. Thread-safe.
   */
  default List<String> labelNames() {
    return List.of();
  }

  /**
   * Called on the training thread after the model stepped on {@code step}'s batch (the image
   * feed's evaluator learns from it).
   */
  default void afterStep(Step step) {}

  /** Adds what the feed must keep across a restart to a checkpoint's state under construction. */
  default void save(Map<String, float[]> tensors, Map<String, Long> counters) {}

  /**
   * Continues from a checkpoint's state; on the training thread before the first step.
   *
   * @return whether versions judged from now on compare with those judged before the restart
   *     (false when the state had no evaluator to continue, so a new one judges)
   */
  default boolean restore(io.genstream.trainer.family.TrainingState state) {
    return true;
  }

  /** Frees what the feed owns (the image feed's evaluator); after the training thread stopped. */
  @Override
  default void close() {}

  /** A line about the data for the start-up log, e.g. {@code "1024 streams, 64 held out"}. */
  default String describe() {
    return "";
  }
}
