package io.genstream.app.bench;

import io.genstream.core.latent.Latents;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.nn.Engine;
import java.util.Map;
import java.util.Random;

/**
 * The model every phase of a benchmark runs: a freshly initialised network of a family's
 * default spec ({@link #create}; for {@code bench video}, the video demo's next-frame predictor,
 * {@link #framePredictor}), speed not depending on the weights, exported through the trainer's
 * own exporter, plus the same network's DJL forward pass.
 *
 * <p><b>Threads.</b> The DJL side ({@link #create}, {@link #djlForward}, {@link #close}) is
 * confined to the thread that created it; PyTorch's intra-op thread count is set on that thread.
 * {@link #published()} and {@link #inputs} may be used from any thread.
 *
 * <p><b>Ownership.</b> Owns the family's native memory; {@link #close()} frees it.
 */
final class BenchModel implements AutoCloseable {

  static final String NAME = "bench";

  private final ModelSpec spec;
  private final ModelFamily family;
  private final PublishedModel published;

  private BenchModel(ModelSpec spec, ModelFamily family, PublishedModel published) {
    this.spec = spec;
    this.family = family;
    this.published = published;
  }

  /**
   * Creates and exports the model; sets PyTorch's intra-op threads of the calling thread to
   * {@code djlThreads} first.
   *
   * @throws IllegalArgumentException for a family that does not map latents to images
   */
  static BenchModel create(ModelSpec.Family family, int djlThreads) {
    if (family == ModelSpec.Family.FRAMEPRED) {
      throw new IllegalArgumentException(
          "family must be cgan, dcgan or vae (a generator of latents), got framepred");
    }
    // The engine must be loaded before its threads are set; Engine.version() loads it.
    Engine.version();
    Engine.setIntraOpThreads(djlThreads);
    return export(ModelSpec.defaults(family));
  }

  /**
   * The video demo's next-frame predictor on {@code imageSize}-pixel gray frames (k = 4 past
   * frames, the demo's generator widths), fresh weights, exported by the trainer's exporter:
   * input {@code frames} [-1, 4, H, W], output {@code frame} [-1, 1, H, W].
   *
   * @throws IllegalArgumentException if {@code imageSize} is not 32 or 64
   */
  static BenchModel framePredictor(int imageSize) {
    if (imageSize != 32 && imageSize != 64) {
      throw new IllegalArgumentException("imageSize must be 32 or 64, got " + imageSize);
    }
    Engine.version();
    return export(io.genstream.app.demo.video.VideoConfig.defaultSpec(42, imageSize));
  }

  private static BenchModel export(ModelSpec spec) {
    ModelFamily model = ModelFamily.create(spec, null);
    try {
      Exported.Graph generator = model.export().generator();
      // As the trainer's VersionExporter builds it, minus training metrics and extra graphs.
      ModelManifest manifest = new ModelManifest(NAME, 1, 0, spec.family().id(),
          spec.channels(), spec.imageSize(), spec.imageSize(), spec.latentDim(),
          spec.numClasses(), generator.inputs(), generator.outputs(),
          PublishedModel.sha256(generator.onnx()), System.currentTimeMillis(), Map.of(),
          spec.toMap(), spec.sha256(), null, null);
      return new BenchModel(spec, model, new PublishedModel(manifest, generator.onnx()));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  ModelSpec spec() {
    return spec;
  }

  PublishedModel published() {
    return published;
  }

  ModelManifest manifest() {
    return published.manifest();
  }

  /** Trainable scalars of the generator network. */
  long generatorParameters() {
    return family.parameterCounts().getOrDefault("generator", 0L);
  }

  /** Seeded latents and labels for a batch of {@code n}. */
  Inputs inputs(int n, long seed) {
    Random random = new Random(seed);
    long[] labels = new long[n];
    for (int i = 0; i < n; i++) {
      labels[i] = spec.conditional() ? random.nextInt(spec.numClasses()) : 0;
    }
    return new Inputs(Latents.gaussian(random, n * spec.latentDim()), labels, n);
  }

  /**
   * The generator's forward pass in DJL, inference mode, as the exported graph computes it
   * ({@link ModelFamily#sample}: arrays in, arrays out, like {@code GenerativeModel.generate}).
   */
  float[] djlForward(Inputs inputs) {
    return family.sample(inputs.latents(), inputs.labels());
  }

  /** PyTorch's intra-op threads on the calling thread. */
  static int djlThreads() {
    return Engine.intraOpThreads();
  }

  static String djlEngine() {
    return Engine.version();
  }

  @Override
  public void close() {
    family.close();
  }

  /** One batch of inputs: {@code n × latentDim} latents and {@code n} labels. */
  record Inputs(float[] latents, long[] labels, int n) {}
}
