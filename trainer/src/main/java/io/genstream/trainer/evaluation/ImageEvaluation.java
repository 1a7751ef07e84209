package io.genstream.trainer.evaluation;

import io.genstream.core.latent.Latents;
import io.genstream.trainer.ClassBalancedReservoir;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.TrainingState;
import io.genstream.trainer.family.vae.VaeFamily;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Judges versions of an image model against real images no model trained on, in the feature
 * space of an {@link Evaluator} that learns from the same stream but never from generated
 * images. Owns the evaluator and the {@link HeldOutImages}; used on the training thread only
 * (apart from {@link #isHeldOut} and {@link #holdOut}, which are thread-safe).
 *
 * <p>Each judgement generates {@code samplesPerClass} images per class from fixed latents (the
 * same for every version, so two judgements of one version give identical figures) and reports,
 * see {@link #evaluate}: the Fréchet distance in the evaluator's feature space ({@code fd}; like
 * FID, but not the Inception FID, so its values are not comparable with published FIDs),
 * precision and recall (Kynkäänniemi et al.), diversity (generated vs real within-class spread),
 * class consistency (conditional models: the share the evaluator assigns to the requested class),
 * a VAE's reconstruction error, and the same figures for a per-class Gaussian fitted to recent
 * training images ({@code baseline*}), the honest baseline every figure is read against. Those
 * need the evaluator frozen ({@link EvaluationOptions.Freeze}); the pixel-space spread of the
 * same images against the held-out ones ({@link PixelSpread}) does not, so collapse is caught
 * from the first version on.
 */
public final class ImageEvaluation implements AutoCloseable {

  /** Checkpoint part of the evaluator's tensors; counters {@code evaluator.steps|frozen}. */
  static final String PART = "evaluator";
  private static final int CHUNK = 250;
  /** Metric: generated images with a NaN or infinite value (a diverged model), when any. */
  public static final String NON_FINITE_IMAGES = "nonFiniteImages";
  /** Held-out rotation accuracy at which the evaluator of unlabelled data freezes. */
  static final double ROTATION_READY = 0.9;

  private final ModelSpec spec;
  private final EvaluationOptions options;
  private final HeldOutImages heldOut;
  // Recent training images the Gaussian baseline is fitted to.
  private final ClassBalancedReservoir<RealImage> training;
  private final Evaluator evaluator;
  private final EvaluatorWarmUp warmUp;
  private final int classes;

  public ImageEvaluation(ModelSpec spec, EvaluationOptions options) {
    this(spec, options, System::nanoTime);
  }

  /** @param nanoClock what the time budget of the evaluator's warm-up is measured with */
  ImageEvaluation(ModelSpec spec, EvaluationOptions options, LongSupplier nanoClock) {
    this.spec = spec;
    this.options = options;
    this.classes = spec.conditional() ? spec.numClasses() : 1;
    this.heldOut = new HeldOutImages(options.holdOutEvery(), options.heldOutImages(), classes,
        spec.seed());
    this.training = new ClassBalancedReservoir<>(options.heldOutImages(), classes, spec.seed());
    this.evaluator = new Evaluator(Evaluator.Settings.of(spec.channels(), spec.imageSize(),
        spec.conditional() ? spec.numClasses() : 0, spec.seed()));
    // Unlabelled data: how well it tells an image's rotation, a harder task with a lower ceiling
    // (digits: 6 and 9), hence its own readiness bar.
    double ready = spec.conditional() ? options.freeze().readyAccuracy() : ROTATION_READY;
    this.warmUp = new EvaluatorWarmUp(evaluator, new FreezeRule(options.freeze(), ready),
        this::measureHeldOut, classes, nanoClock);
  }

  /** Whether the record at this position is held out (see {@link HeldOutImages#isHeldOut}). */
  public boolean isHeldOut(String key, int partition, long offset) {
    return heldOut.isHeldOut(key, partition, offset);
  }

  /** Keeps a held-out image (a reservoir: it may replace an older one). */
  public void holdOut(RealImage image) {
    heldOut.add(image.label(), image.pixels());
  }

  /** Offers a training image to the sample the baseline is fitted to; thread-safe. */
  public void sawTraining(RealImage image) {
    training.offer(image.label(), image);
  }

  /** Held-out images kept. */
  public int heldOutCount() {
    return heldOut.size();
  }

  /**
   * One evaluator step on a training batch, until the evaluator is frozen by its rule ({@link
   * EvaluationOptions.Freeze}), which this checks after the step.
   *
   * @param images {@code n × C × H × W} in [-1, 1]
   * @param labels {@code n} labels (ignored for unconditional models)
   */
  public void learn(float[] images, int[] labels) {
    warmUp.learn(images, labels);
  }

  /** Whether the evaluator stopped learning, so that versions can be judged in its features. */
  public boolean frozen() {
    return warmUp.frozen();
  }

  /** Why the evaluator froze (empty while it learns, or when restored frozen). */
  public String frozenBecause() {
    return warmUp.reason();
  }

  /** The evaluator's held-out accuracy and the classes held out, null while too few are. */
  private EvaluatorWarmUp.Measured measureHeldOut() {
    List<RealImage> real = heldOut.snapshot();
    if (real.size() < options.minHeldOut()) {
      return null;
    }
    int[] labels = RealImage.labels(real);
    return new EvaluatorWarmUp.Measured(accuracy(RealImage.pixels(real), labels),
        (int) java.util.Arrays.stream(labels).distinct().count());
  }

  private double accuracy(float[] images, int[] labels) {
    return spec.conditional() ? evaluator.accuracy(images, labels)
        : evaluator.rotationAccuracy(images);
  }

  /**
   * The figures of the model's current weights: always {@code heldOutImages} and {@code
   * evaluatorSteps}; once enough images are held out, {@code evaluatorAccuracy} (of the
   * classes, or for unlabelled data of the rotations) and the pixel-space collapse figures
   * ({@link PixelSpread#addTo}), whether or not the evaluator is frozen; once it is frozen also
   * {@code fd, precision, recall, diversity}, {@code classConsistency} (conditional), {@code
   * reconstructionMse} (VAE) and each figure of the Gaussian baseline as {@code baselineFd, …}.
   */
  public Map<String, Double> evaluate(ModelFamily model) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    List<RealImage> real = heldOut.snapshot();
    metrics.put("heldOutImages", (double) real.size());
    metrics.put("evaluatorSteps", (double) evaluator.steps());
    if (real.size() < options.minHeldOut()) {
      return metrics;
    }
    float[] realPixels = RealImage.pixels(real);
    int[] realLabels = RealImage.labels(real);
    metrics.put("evaluatorAccuracy", accuracy(realPixels, realLabels));
    int[] labels = requestedLabels();
    float[] generated = generate(model, labels);
    long broken = nonFiniteImages(generated);
    if (broken > 0) {
      // A diverged generator: no figure of its images means anything (and the evaluator
      // refuses them); the count says why it is rejected.
      metrics.put(NON_FINITE_IMAGES, (double) broken);
      return metrics;
    }
    // Collapse in pixel space needs no evaluator: judged before it freezes, too.
    PixelSpread.of(realPixels, realLabels, generated, labels, classes, spec.pixelsPerImage())
        .addTo(metrics, spec.conditional());
    if (!frozen()) {
      return metrics;
    }
    Features realFeatures = evaluator.features(realPixels);
    score("", generated, labels, realFeatures, realLabels, metrics);
    if (model instanceof VaeFamily vae) {
      metrics.put("reconstructionMse", reconstructionError(vae, realPixels, realLabels));
    }
    List<RealImage> fitOn = training.snapshot();
    if (!fitOn.isEmpty()) {
      GaussianBaseline baseline = GaussianBaseline.fit(RealImage.pixels(fitOn),
          RealImage.labels(fitOn), spec.pixelsPerImage(), classes);
      int[] fitted = fittedLabels(labels, baseline);
      if (fitted.length > 0) {
        float[] samples = baseline.sample(fitted, new Random(spec.seed() + 1));
        clamp(samples);
        score("baseline", samples, fitted, realFeatures, realLabels, metrics);
      }
    }
    return metrics;
  }

  private void score(String prefix, float[] images, int[] labels, Features real,
      int[] realLabels, Map<String, Double> metrics) {
    Features generated = evaluator.features(images);
    metrics.put(name(prefix, "fd"), FrechetDistance.between(real, generated).value());
    PrecisionRecall pr = PrecisionRecall.between(real, generated);
    metrics.put(name(prefix, "precision"), pr.precision());
    metrics.put(name(prefix, "recall"), pr.recall());
    metrics.put(name(prefix, "diversity"),
        Diversity.of(real, realLabels, generated, labels, classes).ratio());
    if (spec.conditional()) {
      metrics.put(name(prefix, "classConsistency"), ClassConsistency.of(labels,
          evaluator.probabilities(images), classes).overall());
    }
  }

  private static String name(String prefix, String metric) {
    return prefix.isEmpty() ? metric
        : prefix + Character.toUpperCase(metric.charAt(0)) + metric.substring(1);
  }

  /** {@code samplesPerClass} of each class (conditional), or ten times that of class 0. */
  private int[] requestedLabels() {
    int perClass = spec.conditional() ? options.samplesPerClass() : options.samplesPerClass() * 10;
    int[] labels = new int[perClass * classes];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i / perClass;
    }
    return labels;
  }

  /** The requested labels of classes the baseline saw (one never trained on has no Gaussian). */
  private static int[] fittedLabels(int[] labels, GaussianBaseline baseline) {
    return java.util.Arrays.stream(labels).filter(label -> baseline.count(label) > 0).toArray();
  }

  /** The model's images for {@code labels}, from latents fixed for all versions, in chunks. */
  private float[] generate(ModelFamily model, int[] labels) {
    Random random = new Random(spec.seed() * 31 + 17);
    int pixels = spec.pixelsPerImage();
    float[] images = new float[labels.length * pixels];
    for (int start = 0; start < labels.length; start += CHUNK) {
      int n = Math.min(CHUNK, labels.length - start);
      long[] chunk = new long[n];
      for (int i = 0; i < n; i++) {
        chunk[i] = labels[start + i];
      }
      float[] latents = Latents.gaussian(random, n * spec.latentDim());
      System.arraycopy(model.sample(latents, chunk), 0, images, start * pixels, n * pixels);
    }
    return images;
  }

  /** Mean squared error per pixel of decoding each held-out image's posterior mean. */
  private double reconstructionError(VaeFamily vae, float[] images, int[] labels) {
    long[] longs = java.util.Arrays.stream(labels).asLongStream().toArray();
    float[] mu = vae.encode(images, longs)[0];
    float[] decoded = vae.sample(mu, longs);
    double sum = 0;
    for (int i = 0; i < images.length; i++) {
      double d = decoded[i] - images[i];
      sum += d * d;
    }
    return sum / images.length;
  }

  /** Adds the evaluator's weights, optimiser state and progress to a checkpoint's state. */
  public void save(Map<String, float[]> tensors, Map<String, Long> counters) {
    evaluator.state().forEach((name, values) -> tensors.put(PART + "/" + name, values));
    counters.put(PART + ".steps", evaluator.steps());
    counters.put(PART + ".frozen", frozen() ? 1L : 0L);
  }

  /**
   * Continues from a checkpoint's state; one without an evaluator (an older checkpoint) leaves
   * the evaluator fresh.
   *
   * @return whether the evaluator was restored
   */
  public boolean restore(TrainingState state) {
    Map<String, float[]> saved = state.part(PART);
    if (saved.isEmpty()) {
      return false;
    }
    evaluator.restore(saved, state.counters().getOrDefault(PART + ".steps", 0L));
    warmUp.restoreFrozen(state.counters().getOrDefault(PART + ".frozen", 0L) == 1L);
    return true;
  }

  /** A line for the start-up log. */
  public String describe() {
    return "1 in " + options.holdOutEvery() + " images held out (" + options.heldOutImages()
        + " kept), evaluator " + (frozen() ? "frozen after " + evaluator.steps() + " steps"
        : "learning (" + evaluator.steps() + " steps)");
  }

  @Override
  public void close() {
    evaluator.close();
  }

  private long nonFiniteImages(float[] images) {
    int pixels = spec.pixelsPerImage();
    long broken = 0;
    for (int i = 0; i < images.length; i += pixels) {
      for (int p = i; p < i + pixels; p++) {
        if (!Float.isFinite(images[p])) {
          broken++;
          break;
        }
      }
    }
    return broken;
  }

  private static void clamp(float[] values) {
    for (int i = 0; i < values.length; i++) {
      values[i] = Math.max(-1f, Math.min(1f, values[i]));
    }
  }
}
