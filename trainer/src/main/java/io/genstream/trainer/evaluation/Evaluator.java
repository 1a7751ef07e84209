package io.genstream.trainer.evaluation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.genstream.trainer.family.FamilySupport;
import io.genstream.trainer.nn.Activation;
import io.genstream.trainer.nn.Autograd;
import io.genstream.trainer.nn.Conv2d;
import io.genstream.trainer.nn.Flatten;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.Linear;
import io.genstream.trainer.nn.Optimizer;
import io.genstream.trainer.nn.ParameterDeclarations;
import io.genstream.trainer.nn.ParameterStore;
import io.genstream.trainer.nn.Sequential;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;

/**
 * A small image classifier trained online on the real labelled stream, whose penultimate layer is
 * the feature space in which the trainer judges its generated images ({@link FrechetDistance},
 * {@link PrecisionRecall}, {@link Diversity}) and whose predictions score {@link ClassConsistency}.
 * It never sees generated images, so it is a fixed yardstick for every version of the generator.
 *
 * <p>Network: two 4×4 stride-2 convolutions (channels→32→64, LeakyReLU 0.2), flatten, linear to
 * {@code featureDim}, ReLU (the features), linear to the classes. Each convolution maps a size s
 * to ⌊s/2⌋, so odd sizes work (28 → 14 → 7, 9 → 4 → 2). No BatchNorm, so an image's features do
 * not depend on the rest of its batch. Unlabelled data ({@code classes == 0}) trains the rotation
 * pretext task: each image turned by 0, 90, 180 or 270 degrees, the turn being the label.
 *
 * <p>All native memory lives in one manager owned here; each call works in a sub-manager closed
 * before it returns. Not thread-safe: one thread trains and extracts (PyTorch's grad mode is per
 * thread).
 */
public final class Evaluator implements AutoCloseable {

  /** Images per forward pass when extracting, so memory stays bounded for any n. */
  private static final int CHUNK = 256;
  private static final int ROTATIONS = 4;

  /**
   * @param channels 1 or 3
   * @param imageSize side of the square images, 8..256
   * @param classes 0 for unlabelled data (the rotation task), or 2..1000
   * @param featureDim length of a feature vector, 8..256
   * @param learningRate Adam's rate, finite and > 0
   * @param seed initial weights and the rotations drawn for unlabelled data
   */
  public record Settings(int channels, int imageSize, int classes, int featureDim,
      float learningRate, long seed) {

    public Settings {
      check(channels == 1 || channels == 3, "channels must be 1 or 3, got " + channels);
      check(imageSize >= 8 && imageSize <= 256, "imageSize must be 8..256, got " + imageSize);
      check(classes == 0 || (classes >= 2 && classes <= 1000),
          "classes must be 0 (rotation task) or 2..1000, got " + classes);
      check(featureDim >= 8 && featureDim <= 256, "featureDim must be 8..256, got " + featureDim);
      check(learningRate > 0 && Float.isFinite(learningRate),
          "learningRate must be finite and > 0, got " + learningRate);
    }

    /** 64 features, learning rate 1e-3. */
    public static Settings of(int channels, int imageSize, int classes, long seed) {
      return new Settings(channels, imageSize, classes, 64, 1e-3f, seed);
    }

    /** Values per image, C×H×W. */
    public int pixelsPerImage() {
      return channels * imageSize * imageSize;
    }

    /** Outputs of the classifier: the classes, or the four rotations. */
    public int outputs() {
      return classes == 0 ? ROTATIONS : classes;
    }

    private static void check(boolean condition, String message) {
      if (!condition) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  private final Settings settings;
  private final NDManager manager;
  private final Sequential trunk;
  private final Linear head;
  private final ParameterStore parameters;
  private final Optimizer optimizer;
  private long steps;
  private boolean closed;

  /** A freshly initialised classifier; its weights are a function of {@code settings.seed()}. */
  public Evaluator(Settings settings) {
    this.settings = settings;
    int reduced = settings.imageSize() / 4; // ⌊⌊s/2⌋/2⌋: each down4x4 floors an odd size
    trunk = Sequential.of(
        Conv2d.down4x4("conv1", settings.channels(), 32), Activation.leakyRelu(0.2f),
        Conv2d.down4x4("conv2", 32, 64), Activation.leakyRelu(0.2f),
        new Flatten(),
        new Linear("features", 64 * reduced * reduced, settings.featureDim()),
        Activation.relu());
    head = new Linear("classifier", settings.featureDim(), settings.outputs());
    manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    try {
      parameters = new ParameterStore(manager, ParameterDeclarations.of(trunk, head),
          new Random(settings.seed()), true);
      optimizer = Optimizer.adam(parameters, manager, settings.learningRate(), 0.9f, 0.999f);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * One Adam step on the mean cross-entropy of {@code n} real images.
   *
   * @param images n×C×H×W values in [-1, 1], row-major
   * @param labels n labels in 0..classes−1; ignored (may be null) when {@code classes == 0}: the
   *     images are then turned by rotations drawn from the seed and the step number
   * @return the loss before the step
   * @throws IllegalArgumentException if the sizes disagree, a label is out of range or a value is
   *     not finite
   */
  public float train(float[] images, int[] labels) {
    ensureOpen();
    int n = count(images);
    float[] inputs = images;
    int[] targets = labels;
    if (settings.classes() == 0) {
      Random random = FamilySupport.stepRandom(settings.seed(), steps + 1);
      targets = new int[n];
      for (int i = 0; i < n; i++) {
        targets[i] = random.nextInt(ROTATIONS);
      }
      inputs = rotate(images, targets);
    } else {
      checkLabels(labels, n);
    }
    try (NDManager scope = manager.newSubManager();
        Autograd autograd = new Autograd()) {
      Forward pass = Forward.training(parameters::get, Map.of());
      NDArray logits = head.forward(pass, trunk.forward(pass, input(scope, inputs, 0, n)));
      NDArray target = FamilySupport.oneHot(scope, targets, 0, n, settings.outputs());
      NDArray loss = logits.logSoftmax(1).mul(target).sum().div(-n);
      autograd.backward(loss);
      optimizer.step();
      steps++;
      return loss.getFloat();
    }
  }

  /**
   * Penultimate-layer features of {@code n} images, computed in inference mode in chunks of
   * {@value #CHUNK}: the same weights and images give bit-identical values whatever the batch.
   *
   * @param images n×C×H×W values, row-major
   * @return n vectors of {@code featureDim}
   */
  public Features features(float[] images) {
    return Features.of(infer(images, settings.featureDim(), (pass, x) -> trunk.forward(pass, x)),
        settings.featureDim());
  }

  /**
   * Class probabilities of {@code n} images, n×classes row-major, each row summing to 1.
   *
   * @throws IllegalStateException for unlabelled data ({@code classes == 0}): there are no
   *     classes to assign
   */
  public float[] probabilities(float[] images) {
    if (settings.classes() == 0) {
      throw new IllegalStateException("an evaluator of unlabelled data has no classes to assign");
    }
    return softmax(images);
  }

  /** Share of images whose most probable class is their label, in [0, 1] ({@code classes > 0}). */
  public double accuracy(float[] images, int[] labels) {
    int n = count(images);
    checkLabels(labels, n);
    return agreement(probabilities(images), labels);
  }

  /**
   * Share of the rotation task solved on held-out images: each image is shown in all four turns
   * and counted once per turn recognised, in [0, 1], chance 0.25 ({@code classes == 0} only).
   */
  public double rotationAccuracy(float[] images) {
    if (settings.classes() != 0) {
      throw new IllegalStateException("only an evaluator of unlabelled data learns rotations");
    }
    int n = count(images);
    int[] turns = new int[n * ROTATIONS];
    float[] copies = new float[images.length * ROTATIONS];
    for (int i = 0; i < turns.length; i++) {
      turns[i] = i / n;
      System.arraycopy(images, (i % n) * settings.pixelsPerImage(), copies,
          i * settings.pixelsPerImage(), settings.pixelsPerImage());
    }
    return agreement(softmax(rotate(copies, turns)), turns);
  }

  public Settings settings() {
    return settings;
  }

  /** Optimiser steps taken (or restored). */
  public long steps() {
    return steps;
  }

  /**
   * Copies of every weight ({@code weights/<name>}) and Adam moment ({@code optimizer/<name>},
   * absent before the first step) for a checkpoint, with {@link #steps()} beside them.
   */
  public Map<String, float[]> state() {
    ensureOpen();
    Map<String, float[]> state = new LinkedHashMap<>();
    parameters.snapshot().forEach((name, values) -> state.put("weights/" + name, values));
    optimizer.snapshot().forEach((name, values) -> state.put("optimizer/" + name, values));
    return state;
  }

  /**
   * Continues from a {@link #state()} taken after {@code steps} steps: same features, and the
   * same next step.
   *
   * @throws IllegalArgumentException naming the tensor if one is missing, unknown or of another
   *     size (another architecture); nothing is changed then
   */
  public void restore(Map<String, float[]> state, long steps) {
    ensureOpen();
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, got " + steps);
    }
    Map<String, float[]> weights = new LinkedHashMap<>();
    Map<String, float[]> moments = new LinkedHashMap<>();
    state.forEach((key, values) -> {
      if (key.startsWith("weights/")) {
        weights.put(key.substring(8), values);
      } else if (key.startsWith("optimizer/")) {
        String parameter = key.substring(key.indexOf('.') + 1);
        NDArray weight = parameters.trainable().get(parameter);
        if (weight == null || weight.getShape().size() != values.length) {
          throw new IllegalArgumentException("tensor " + key + " does not fit this evaluator");
        }
        moments.put(key.substring(10), values);
      } else {
        throw new IllegalArgumentException("tensor " + key + " is not part of an evaluator");
      }
    });
    if (steps > 0 && moments.isEmpty()) {
      throw new IllegalArgumentException("the state has no optimizer/* tensors for step " + steps);
    }
    for (var spec : parameters.specs()) {
      float[] values = weights.get(spec.name());
      if (values == null || values.length != spec.size()) {
        throw new IllegalArgumentException("tensor weights/" + spec.name() + " is "
            + (values == null ? "missing" : values.length + " values, expected " + spec.size()));
      }
    }
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false); // in-place writes into leaves that require gradients
    try {
      parameters.load(weights);
      optimizer.load(moments, steps);
      this.steps = steps;
    } finally {
      JniUtils.setGradMode(grad);
    }
  }

  /** Native arrays held now, sub-managers included: flat across calls unless something leaks. */
  public int nativeArrayCount() {
    ensureOpen();
    return manager.getManagedArrays().size();
  }

  /** Frees every native array; later calls throw {@link IllegalStateException}. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
    }
  }

  private float[] softmax(float[] images) {
    return infer(images, settings.outputs(),
        (pass, x) -> head.forward(pass, trunk.forward(pass, x)).softmax(1));
  }

  /** {@code network} in inference mode and without gradients over chunks of {@code images}. */
  private float[] infer(float[] images, int width, BiFunction<Forward, NDArray, NDArray> network) {
    ensureOpen();
    int n = count(images);
    float[] out = new float[n * width];
    Forward pass = Forward.inference(parameters::get, Map.of());
    boolean grad = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      for (int from = 0; from < n; from += CHUNK) {
        int size = Math.min(CHUNK, n - from);
        try (NDManager scope = manager.newSubManager()) {
          float[] values = network.apply(pass, input(scope, images, from, size)).toFloatArray();
          System.arraycopy(values, 0, out, from * width, values.length);
        }
      }
    } finally {
      JniUtils.setGradMode(grad);
    }
    return out;
  }

  private NDArray input(NDManager scope, float[] images, int from, int n) {
    int pixels = settings.pixelsPerImage();
    int size = settings.imageSize();
    return scope.create(java.nio.FloatBuffer.wrap(images, from * pixels, n * pixels),
        new Shape(n, settings.channels(), size, size));
  }

  /** Each image turned counter-clockwise by {@code turns[i]} quarter turns. */
  private float[] rotate(float[] images, int[] turns) {
    int s = settings.imageSize();
    int plane = s * s;
    float[] out = new float[images.length];
    for (int i = 0; i < turns.length; i++) {
      for (int c = 0; c < settings.channels(); c++) {
        int base = (i * settings.channels() + c) * plane;
        for (int y = 0; y < s; y++) {
          for (int x = 0; x < s; x++) {
            int source = switch (turns[i]) {
              case 0 -> y * s + x;
              case 1 -> x * s + (s - 1 - y);
              case 2 -> (s - 1 - y) * s + (s - 1 - x);
              default -> (s - 1 - x) * s + y;
            };
            out[base + y * s + x] = images[base + source];
          }
        }
      }
    }
    return out;
  }

  private static double agreement(float[] probabilities, int[] labels) {
    return ClassConsistency.of(labels, probabilities, probabilities.length / labels.length)
        .overall();
  }

  /** Number of images in {@code images}, after checking its length and values. */
  private int count(float[] images) {
    int pixels = settings.pixelsPerImage();
    if (images == null || images.length == 0 || images.length % pixels != 0) {
      throw new IllegalArgumentException("images must hold a positive multiple of C×H×W = "
          + pixels + " values, got " + (images == null ? "null" : images.length));
    }
    for (int i = 0; i < images.length; i++) {
      if (!Float.isFinite(images[i])) {
        throw new IllegalArgumentException("image value " + i + " is not finite: " + images[i]);
      }
    }
    return images.length / pixels;
  }

  private void checkLabels(int[] labels, int n) {
    if (labels == null || labels.length != n) {
      throw new IllegalArgumentException("expected " + n + " labels for " + n + " images, got "
          + (labels == null ? "null" : labels.length));
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= settings.classes()) {
        throw new IllegalArgumentException("label " + i + " must be 0.."
            + (settings.classes() - 1) + ", got " + labels[i]);
      }
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("evaluator is closed");
    }
  }
}
