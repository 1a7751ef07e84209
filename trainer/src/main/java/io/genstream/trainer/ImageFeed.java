package io.genstream.trainer;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.messages.LabelledImage;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The images topic for the image families: each labelled image is one example, {@code
 * imagesPerStep} of them make a step, and its records are acknowledged after that step.
 * Leftovers (fewer than a batch when the stream pauses) wait, unacknowledged, for the batch to
 * fill. A version's sample image is a {@link SampleGrid}.
 */
final class ImageFeed implements TrainingFeed {

  private final TrainerOptions options;
  private final ModelSpec spec;
  private final SampleGrid grid;
  private final int imagesPerStep;
  // Label i's name, the first the data gave it; at most numClasses entries. Guarded by itself.
  private final String[] labelNames;

  /** @param imagesPerStep what one step of the model consumes ({@link ModelFamily#imagesPerStep}) */
  ImageFeed(TrainerOptions options, int imagesPerStep) {
    this.options = options;
    this.imagesPerStep = imagesPerStep;
    this.spec = options.spec();
    this.grid = SampleGrid.forSpec(spec);
    this.labelNames = new String[Math.max(0, spec.numClasses())];
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
  public String topic() {
    return options.topics().images();
  }

  @Override
  public Flux<Step> batches(Flux<ReceivedRecord<String, byte[]>> records,
      DeadLetters deadLetters) {
    return records
        .concatMap(received -> {
          try {
            return Mono.just(decode(received));
          } catch (IllegalArgumentException e) {
            return deadLetters.send(received, e.getMessage()).then(Mono.<Example>empty());
          }
        })
        .buffer(imagesPerStep)
        .map(this::toStep);
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
      io.genstream.core.messages.CloudEvents.attribute(received.record().headers(), "labelname")
          .ifPresent(name -> nameLabel(decoded.label(), name));
    }
    return new Example(received, spec.conditional() ? decoded.label() : 0,
        image.toSymmetricUnit());
  }

  private Step toStep(List<Example> examples) {
    int pixels = spec.pixelsPerImage();
    float[] images = new float[examples.size() * pixels];
    int[] labels = new int[examples.size()];
    List<ReceivedRecord<String, byte[]>> done = new ArrayList<>(examples.size());
    for (int i = 0; i < examples.size(); i++) {
      System.arraycopy(examples.get(i).pixels(), 0, images, i * pixels, pixels);
      labels[i] = examples.get(i).label();
      done.add(examples.get(i).source());
    }
    return new Step(new Batch(images, labels), done, examples.size());
  }

  @Override
  public Map<String, Double> evaluate(ModelFamily model) {
    return Map.of();
  }

  @Override
  public Path writeSamples(ModelFamily model, long version) throws IOException {
    float[] samples = model.sample(grid.latents(), grid.labels());
    return grid.write(options.samplesDir(), options.modelName(), version, samples,
        spec.channels(), spec.imageSize());
  }

  /** A decoded training image and the record it came from. */
  private record Example(ReceivedRecord<String, byte[]> source, int label, float[] pixels) {}
}
