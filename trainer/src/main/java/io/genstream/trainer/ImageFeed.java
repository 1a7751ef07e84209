package io.genstream.trainer;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.LabelledImage;
import io.genstream.trainer.evaluation.ImageEvaluation;
import io.genstream.trainer.evaluation.RealImage;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.TrainingState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The images topic for the image families: each labelled image is one example, and a step's
 * records are acknowledged after that step.
 *
 * <ul>
 *   <li><b>Shuffled.</b> With a shuffle buffer ({@link ShuffleOptions}), fresh training images
 *       pass through a {@link ShuffleBuffer} before they are batched, so a class-sorted stream
 *       still gives batches of mixed classes; when the stream pauses for {@code batchWait} (or
 *       ends) it drains in random order. Records are acknowledged after the step that trained
 *       on them, as without it, so a restart needs nothing of the buffer: Kafka delivers its
 *       unacknowledged records again.
 *   <li><b>Held out.</b> With evaluation on, about one image in {@code holdOutEvery} (chosen by
 *       a hash of key, partition and offset) is kept for judging versions ({@link
 *       ImageEvaluation}) and acknowledged at once; no model trains on it.
 *   <li><b>Replay.</b> With replay on, each step takes {@code (1 - share)} of its batch fresh,
 *       waiting at most {@code batchWait} for them, and the rest from a class-balanced reservoir
 *       of past training images ({@link ReplayOptions}). Without it, leftovers (fewer than a
 *       batch when the stream pauses) wait, unacknowledged, for the batch to fill.
 * </ul>
 *
 * A version's sample image is a {@link SampleGrid}.
 */
final class ImageFeed implements TrainingFeed {

  private static final long SHUFFLE_SEED_SALT = 0x5DEECE66DL;

  private final TrainerOptions options;
  private final ModelSpec spec;
  private final SampleGrid grid;
  private final int imagesPerStep;
  private final ReplayOptions replayOptions;
  private final ShuffleOptions shuffle;
  private final ClassBalancedReservoir<RealImage> replay;
  private final ImageEvaluation evaluation;
  // Label i's name, the first the data gave it; at most numClasses entries. Guarded by itself.
  private final String[] labelNames;

  /** @param imagesPerStep what one step of the model consumes ({@link ModelFamily#imagesPerStep}) */
  ImageFeed(TrainerOptions options, int imagesPerStep) {
    this.options = options;
    this.imagesPerStep = imagesPerStep;
    this.spec = options.spec();
    this.grid = SampleGrid.forSpec(spec);
    this.labelNames = new String[Math.max(0, spec.numClasses())];
    this.replayOptions = options.replay();
    this.shuffle = options.shuffle();
    int classes = spec.conditional() ? spec.numClasses() : 1;
    this.replay = replayOptions.enabled()
        ? new ClassBalancedReservoir<>(Math.max(replayOptions.capacity(), classes), classes,
            spec.seed())
        : null;
    this.evaluation = options.evaluation() == null ? null
        : new ImageEvaluation(spec, options.evaluation());
  }

  /** Keeps the first name the data gives each label; a later, different one is ignored. */
  private void nameLabel(int label, String name) {
    synchronized (labelNames) {
      if (labelNames[label] == null && !name.isBlank() && name.length() <= 200) {
        labelNames[label] = name;
      }
    }
  }

  @Override
  public List<String> labelNames() {
    synchronized (labelNames) {
      boolean any = false;
      List<String> names = new ArrayList<>(labelNames.length);
      for (String name : labelNames) {
        any |= name != null;
        names.add(name == null ? "" : name);
      }
      return any ? names : List.of();
    }
  }

  @Override
  public Flux<Step> batches(Flux<ReceivedRecord<String, byte[]>> records,
      DeadLetters deadLetters) {
    Flux<Example> fresh = records.concatMap(received -> admit(received, deadLetters));
    if (shuffle.enabled()) {
      // Another stream of random numbers than the reservoir's, which is seeded by the same seed.
      fresh = ShuffleBuffer.shuffle(fresh, shuffle.capacity(), replayOptions.batchWait(),
          spec.seed() ^ SHUFFLE_SEED_SALT, Schedulers.parallel());
    }
    if (replay == null) {
      return fresh.buffer(imagesPerStep).map(this::toStep);
    }
    return TrainingFeed.freshThenReplayed(fresh, replayOptions.freshPerStep(imagesPerStep),
        replayOptions.batchWait(), replayOptions.stepsPerFreshBatch(), this::toStep);
  }

  /** The training example of a record, or empty once it is dead-lettered or held out. */
  private Mono<Example> admit(ReceivedRecord<String, byte[]> received, DeadLetters deadLetters) {
    Example example;
    try {
      example = decode(received);
    } catch (IllegalArgumentException e) {
      return deadLetters.send(received, e.getMessage()).then(Mono.empty());
    }
    if (evaluation != null) {
      ConsumerRecord<String, byte[]> record = received.record();
      if (evaluation.isHeldOut(record.key(), record.partition(), record.offset())) {
        evaluation.holdOut(example.image());
        received.acknowledge();
        return Mono.empty();
      }
      evaluation.sawTraining(example.image());
    }
    return Mono.just(example);
  }

  private Example decode(ReceivedRecord<String, byte[]> received) {
    LabelledImage.Decoded decoded = LabelledImage.decode(received.record(), spec.channels());
    if (spec.conditional() && (decoded.label() < 0 || decoded.label() >= spec.numClasses())) {
      throw new IllegalArgumentException("label must be 0.." + (spec.numClasses() - 1)
          + " for model " + options.modelName() + ", got " + decoded.label());
    }
    ImageTensor image = decoded.image();
    if (image.width() != spec.imageSize() || image.height() != spec.imageSize()) {
      throw new IllegalArgumentException("image must be " + spec.imageSize() + "x"
          + spec.imageSize() + " for model " + options.modelName() + ", got " + image.width()
          + "x" + image.height());
    }
    if (spec.conditional()) {
      CloudEvents.attribute(received.record().headers(), "labelname")
          .ifPresent(name -> nameLabel(decoded.label(), name));
    }
    return new Example(received, new RealImage(spec.conditional() ? decoded.label() : 0,
        image.toSymmetricUnit()));
  }

  /** The fresh examples (possibly none), filled up with replayed ones when replay is on. */
  private Step toStep(List<Example> fresh) {
    List<RealImage> images = new ArrayList<>(imagesPerStep);
    List<ReceivedRecord<String, byte[]>> done = new ArrayList<>(fresh.size());
    for (Example example : fresh) {
      images.add(example.image());
      done.add(example.source());
      if (replay != null) {
        replay.offer(example.image().label(), example.image());
      }
    }
    if (replay != null) {
      images.addAll(replay.draw(imagesPerStep - images.size()));
    }
    int pixels = spec.pixelsPerImage();
    float[] values = new float[images.size() * pixels];
    int[] labels = new int[images.size()];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i).pixels(), 0, values, i * pixels, pixels);
      labels[i] = images.get(i).label();
    }
    return new Step(new Batch(values, labels), done, fresh.size());
  }

  @Override
  public void afterStep(Step step) {
    if (evaluation != null) {
      evaluation.learn(step.batch().images(), step.batch().labels());
    }
  }

  @Override
  public Map<String, Double> evaluate(ModelFamily model) {
    return evaluation == null ? Map.of() : evaluation.evaluate(model);
  }

  @Override
  public Path writeSamples(ModelFamily model, long version) throws IOException {
    float[] samples = model.sample(grid.latents(), grid.labels());
    return grid.write(options.samplesDir(), options.modelName(), version, samples,
        spec.channels(), spec.imageSize());
  }

  @Override
  public void save(Map<String, float[]> tensors, Map<String, Long> counters) {
    if (evaluation != null) {
      evaluation.save(tensors, counters);
    }
  }

  @Override
  public boolean restore(TrainingState state) {
    return evaluation == null || evaluation.restore(state);
  }

  @Override
  public String describe() {
    List<String> parts = new ArrayList<>();
    if (shuffle.enabled()) {
      parts.add("shuffle buffer of " + shuffle.capacity() + " images ("
          + megabytes((long) shuffle.capacity() * spec.pixelsPerImage() * Float.BYTES)
          + " MB, drained after " + replayOptions.batchWait().toMillis() + " ms without images)");
    }
    if (replay != null) {
      parts.add("replay of " + replay.capacity() + " images (" + Math.round(replayOptions.share()
          * 100) + "% of each batch, class-balanced)");
    }
    if (evaluation != null) {
      parts.add(evaluation.describe());
    }
    return String.join(", ", parts);
  }

  private static String megabytes(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f", bytes / 1e6);
  }

  @Override
  public void close() {
    if (evaluation != null) {
      evaluation.close();
    }
  }

  /** A decoded training image and the record it came from. */
  private record Example(ReceivedRecord<String, byte[]> source, RealImage image) {}
}
