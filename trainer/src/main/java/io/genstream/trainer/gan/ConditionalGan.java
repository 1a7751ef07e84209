package io.genstream.trainer.gan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.pytorch.jni.JniUtils;
import io.genstream.core.latent.Latents;
import java.util.Map;
import java.util.Random;

/**
 * A class-conditional GAN (upsample+conv generator, projection discriminator, non-saturating
 * loss, Adam) trained with DJL's PyTorch engine on the CPU.
 *
 * <p><b>Ownership.</b> The instance owns one DJL {@link NDManager} holding every weight, BatchNorm
 * statistic and Adam state; {@link #close()} frees them all. Each {@link #step} and
 * {@link #generate} call works inside its own sub-manager closed before the call returns, so
 * native memory stays flat however many steps run.
 *
 * <p><b>Threads.</b> Not thread-safe: confine an instance to one thread (the trainer service uses
 * a dedicated single-thread scheduler). Several instances may train on several threads at once:
 * gradient recording is per thread (see {@code Autograd}).
 *
 * <p><b>Determinism.</b> Weight initialisation, latents and fake labels come from Java
 * {@link Random}s seeded by {@link GanConfig#seed()}, not from PyTorch's global generator, so
 * two models in one process do not disturb each other's randomness.
 */
public final class ConditionalGan implements AutoCloseable {

  private final GanConfig config;
  private final NDManager manager;
  private final ParameterSet generatorParameters;
  private final ParameterSet discriminatorParameters;
  private final Generator generator;
  private final Discriminator discriminator;
  private final Random sampling;
  private final int pixels;
  private long steps;
  private boolean closed;

  /**
   * Builds and initialises both networks.
   *
   * @throws ai.djl.engine.EngineException if the PyTorch engine cannot load (run with
   *     {@code -Dai.djl.offline=true} and {@code pytorch-native-cpu} on the class path)
   */
  public ConditionalGan(GanConfig config) {
    this(config, new GanState(0, Map.of(), Map.of()));
  }

  /**
   * Builds both networks from a saved state (see {@link #state()}) and continues its step count.
   *
   * @throws IllegalArgumentException if the state does not fit {@code config}'s architecture
   */
  public ConditionalGan(GanConfig config, GanState state) {
    this.config = config;
    this.steps = state.steps();
    this.manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
    this.pixels = config.imageSize() * config.imageSize();
    try {
      Random init = new Random(config.seed());
      generatorParameters = new ParameterSet(manager, "G.", config.generatorLearningRate(),
          config.beta1(), config.beta2(), state.generator());
      discriminatorParameters = new ParameterSet(manager, "D.",
          config.discriminatorLearningRate(), config.beta1(), config.beta2(),
          state.discriminator());
      generator = new Generator(config, generatorParameters, init);
      discriminator = new Discriminator(config, discriminatorParameters, init);
      generatorParameters.checkAllRestored();
      discriminatorParameters.checkAllRestored();
      // Offset by the steps already taken, so a restored model does not replay the latents
      // and fake labels of its first steps.
      sampling = new Random(config.seed() * 0x9E3779B97F4A7C15L + 1 + state.steps());
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  public GanConfig config() {
    return config;
  }

  /** Training steps taken so far. */
  public long steps() {
    return steps;
  }

  /** Trainable scalars of generator and discriminator. */
  public long[] parameterCounts() {
    return new long[] {generatorParameters.size(), discriminatorParameters.size()};
  }

  /**
   * One GAN step on a batch of real images: update D on real and fake, then update G.
   *
   * @param images {@code labels.length} images of {@code imageSize²} pixels each, row-major,
   *     values in [-1, 1]
   * @param labels class of each image, {@code 0..numClasses-1}; at least 2 images (BatchNorm)
   * @throws IllegalArgumentException if sizes or labels are out of range
   */
  public StepResult step(float[] images, int[] labels) {
    ensureOpen();
    int n = labels.length;
    if (n < 2) {
      throw new IllegalArgumentException("a training batch needs at least 2 images, got " + n);
    }
    if (images.length != n * pixels) {
      throw new IllegalArgumentException("expected " + n + " images of " + pixels
          + " pixels (" + n * pixels + " floats), got " + images.length);
    }
    int[] fakeLabels = new int[n];
    for (int i = 0; i < n; i++) {
      fakeLabels[i] = sampling.nextInt(config.numClasses());
    }
    float[] latents = Latents.gaussian(sampling, n * config.latentDim());
    int side = config.imageSize();

    // Everything created in this step lives in `batch` and is freed when it closes; the weights'
    // gradients live inside the weight tensors and are zeroed by each Adam update.
    try (NDManager batch = manager.newSubManager();
        Autograd autograd = new Autograd()) {
      // The only host→native copies of the step: images, labels, latents, fake labels.
      NDArray real = batch.create(images, new Shape(n, 1, side, side)); // [N, 1, H, W]
      NDArray realY = batch.create(oneHot(labels), new Shape(n, config.numClasses())); // [N, K]
      NDArray z = batch.create(latents, new Shape(n, config.latentDim())); // [N, L]
      NDArray fakeY = batch.create(oneHot(fakeLabels), new Shape(n, config.numClasses())); // [N, K]
      NDArray fake = generator.forward(z, fakeY, true); // [N, 1, H, W], graph kept for update G

      // ---- update D: maximise log D(x|y) + log(1 - D(G(z)|y')) ----
      // fake is detached, so this backward pass stops at the images and leaves G's gradients
      // alone. No BatchNorm in D, so real and fake go through in one batch of 2N.
      discriminatorParameters.setFrozen(false);
      NDArray bothImages = NDArrays.concat(new NDList(real, fake.stopGradient())); // [2N, 1, H, W]
      NDArray bothY = NDArrays.concat(new NDList(realY, fakeY)); // [2N, K]
      NDArray logits = discriminator.forward(bothImages, bothY); // [2N]
      NDArray realLogits = logits.get("0:" + n); // [N]
      NDArray fakeLogits = logits.get(n + ":"); // [N]
      NDArray dLoss = Activation.softPlus(realLogits.neg()).mean() // -log sigmoid(real)
          .add(Activation.softPlus(fakeLogits).mean()); // -log(1 - sigmoid(fake))
      autograd.backward(dLoss);
      discriminatorParameters.adamStep(); // also zeroes D's gradients

      // ---- update G: non-saturating loss, minimise -log D(G(z)|y') ----
      // D is frozen: the backward pass goes through its (already updated) weights to the image
      // but computes and stores no gradient for them, so nothing leaks into D's next update.
      discriminatorParameters.setFrozen(true);
      NDArray fakeLogitsForG = discriminator.forward(fake, fakeY); // [N]
      NDArray gLoss = Activation.softPlus(fakeLogitsForG.neg()).mean();
      autograd.backward(gLoss);
      generatorParameters.adamStep(); // also zeroes G's gradients

      steps++;
      return new StepResult(steps, n, dLoss.getFloat(), gLoss.getFloat(),
          Activation.sigmoid(realLogits).mean().getFloat(),
          Activation.sigmoid(fakeLogits).mean().getFloat());
    }
  }

  /**
   * Generates images with the generator in inference mode (BatchNorm on running statistics),
   * exactly what the exported ONNX model computes.
   *
   * @param z {@code labels.length × latentDim} latents, row-major
   * @param labels class of each image, {@code 0..numClasses-1}
   * @return {@code labels.length × imageSize²} values in [-1, 1], layout {@code [N, 1, H, W]}
   */
  public float[] generate(float[] z, long[] labels) {
    ensureOpen();
    int n = labels.length;
    if (n < 1 || z.length != n * config.latentDim()) {
      throw new IllegalArgumentException("expected " + n + " × " + config.latentDim()
          + " latent values for " + n + " labels, got " + z.length);
    }
    int[] ints = new int[n];
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= config.numClasses()) {
        throw new IllegalArgumentException(
            "label must be 0.." + (config.numClasses() - 1) + ", got " + labels[i]);
      }
      ints[i] = (int) labels[i];
    }
    // Gradient recording is a per-thread PyTorch flag that defaults to on for new threads.
    JniUtils.setGradMode(false);
    try (NDManager scope = manager.newSubManager()) {
      NDArray zs = scope.create(z, new Shape(n, config.latentDim()));
      NDArray y = scope.create(oneHot(ints), new Shape(n, config.numClasses()));
      return generator.forward(zs, y, false).toFloatArray();
    }
  }

  /**
   * Recomputes the generator's BatchNorm running statistics as the exact average over
   * {@code batches} training-mode passes on fresh latents and uniformly drawn labels.
   *
   * <p>The running averages collected during training lag behind a generator that changes every
   * step; recomputing them for the current weights makes inference-mode samples (and the
   * exported model) match what the generator does in training mode. Uses its own random stream,
   * so it does not change the course of training.
   */
  public void recalibrateBatchNorm(int batches) {
    ensureOpen();
    JniUtils.setGradMode(false);
    Random random = new Random(config.seed() * 31 + steps);
    int n = config.batchSize();
    for (int i = 1; i <= batches; i++) {
      int[] labels = new int[n];
      for (int j = 0; j < n; j++) {
        labels[j] = random.nextInt(config.numClasses());
      }
      try (NDManager scope = manager.newSubManager()) {
        NDArray z = scope.create(Latents.gaussian(random, n * config.latentDim()),
            new Shape(n, config.latentDim()));
        NDArray y = scope.create(oneHot(labels), new Shape(n, config.numClasses()));
        // DJL momentum m keeps m·old + (1-m)·batch; 1 - 1/i makes it the running mean of all
        // i batches so far (the first replaces the old statistics).
        generator.forward(z, y, true, 1f - 1f / i);
      }
    }
  }

  /** A copy of the generator's weights and BatchNorm statistics, for export. */
  public GeneratorWeights generatorWeights() {
    ensureOpen();
    return new GeneratorWeights(config, generatorParameters.snapshot());
  }

  /** A copy of both networks and the step count, to continue from later. */
  public GanState state() {
    ensureOpen();
    return new GanState(steps, generatorParameters.snapshot(), discriminatorParameters.snapshot());
  }

  /** Native arrays currently held by the model's manager (flat over steps unless something leaks). */
  public int nativeArrayCount() {
    ensureOpen();
    return manager.getManagedArrays().size();
  }

  /** Frees every native array of both networks; later calls throw {@link IllegalStateException}. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      manager.close();
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("ConditionalGan is closed");
    }
  }

  private float[] oneHot(int[] labels) {
    int k = config.numClasses();
    float[] values = new float[labels.length * k];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= k) {
        throw new IllegalArgumentException("label must be 0.." + (k - 1) + ", got " + labels[i]);
      }
      values[i * k + labels[i]] = 1f;
    }
    return values;
  }


  /**
   * Sets PyTorch's intra-op parallelism for work started from the calling thread. With PyTorch's
   * OpenMP backend the setting belongs to the calling thread, so call it on the thread that
   * trains, before the first step.
   *
   * @param threads 1 or more
   */
  public static void setIntraOpThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    Engine.getEngine("PyTorch"); // loads the native library if nothing has yet
    JniUtils.setNumThreads(threads);
  }

  /** PyTorch's intra-op threads as seen from the calling thread. */
  public static int intraOpThreads() {
    Engine.getEngine("PyTorch");
    return JniUtils.getNumThreads();
  }

  /** Engine name, for logs. */
  public static String engineVersion() {
    Engine engine = Engine.getEngine("PyTorch");
    return engine.getEngineName() + " " + engine.getVersion();
  }
}
