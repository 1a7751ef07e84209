package io.genstream.trainer.family.gan;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.genstream.core.latent.Latents;
import io.genstream.trainer.family.AbstractModelFamily;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.FamilySupport;
import io.genstream.trainer.family.LatentGenerator;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.ModelSpec.Objective;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.family.TrainedNetwork;
import io.genstream.trainer.family.TrainingState;
import io.genstream.trainer.family.augment.AugmentProbability;
import io.genstream.trainer.family.augment.DiffAugment;
import io.genstream.trainer.nn.Autograd;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.Layer;
import io.genstream.trainer.nn.Network;
import io.genstream.trainer.nn.ParameterStore;
import io.genstream.trainer.nn.Sequential;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The GAN families: {@code dcgan} (unconditional) and {@code cgan} (class-conditional, label
 * embedding in G, projection discriminator), with the objectives of {@link GanLosses} and the
 * stabilisers of the spec (n_critic, weight clipping, label smoothing, feature matching, EMA,
 * spectral normalisation, minibatch stddev, mode seeking), and for finite data DiffAugment with
 * ADA's adaptive p and the R1 penalty. Networks: {@link GanNetworks}.
 *
 * <p>A step is "update D" ({@code nCritic} times, each on its own real batch) then "update G".
 * The last critic update's fakes keep G's graph, so G's update reuses them instead of running G
 * again. Every image D sees, real or fake, in D's update and in G's, passes through
 * {@link DiffAugment} first (when {@code augment} is set), so G learns through the
 * augmentation; the exported generator never sees it. See {@link ModelFamily} for ownership,
 * threading and determinism.
 */
public final class GanFamily extends AbstractModelFamily {

  private final TrainedNetwork generator;
  private final LatentGenerator sampling;
  private final TrainedNetwork discriminator;
  private final Layer trunk;
  private final Layer head;
  private final boolean separateRealAndFake;
  private final AugmentProbability augmentation;
  private float lastR1;

  /** Salt of the augmentation's random stream, apart from z's and the labels'. */
  private static final long AUGMENT_STREAM = 0x5A17_D1FFL;

  public GanFamily(ModelSpec spec) {
    super(spec);
    try {
      Random init = new Random(spec.seed());
      generator = new TrainedNetwork("generator", GanNetworks.generator(spec), manager, init,
          spec, spec.generatorLearningRate(), spec.emaDecay());
      sampling = new LatentGenerator(spec, manager, generator);
      Network d = GanNetworks.discriminator(spec, spec.channels());
      List<Layer> parts = ((Sequential) d.body()).layers();
      trunk = parts.get(0);
      head = parts.get(1);
      discriminator = new TrainedNetwork("discriminator", d, manager, init, spec,
          spec.discriminatorLearningRate(), 0f);
      separateRealAndFake = GanNetworks.discriminatorHasBatchNorm(spec);
      augmentation = new AugmentProbability(spec,
          GanLosses.decisionBoundary(spec.objective()));
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  @Override
  public int imagesPerStep() {
    return spec.batchSize() * spec.nCritic();
  }

  @Override
  public StepResult step(Batch batch) {
    ensureOpen();
    int n = spec.batchSize();
    int pixels = spec.pixelsPerImage();
    FamilySupport.checkBatch(batch, imagesPerStep(), pixels);
    Random random = FamilySupport.stepRandom(spec.seed(), steps + 1);
    // Its own stream, so turning augmentation on leaves z and the labels as they were.
    Random augmentRandom = FamilySupport.stepRandom(spec.seed() ^ AUGMENT_STREAM, steps + 1);
    boolean r1Step = spec.r1Gamma() > 0 && (steps + 1) % spec.r1Every() == 0;
    Objective objective = spec.objective();
    Shape imageShape = new Shape(n, spec.channels(), spec.imageSize(), spec.imageSize());

    // Everything created in this step lives in `scope` and is freed when it closes.
    try (NDManager scope = manager.newSubManager();
        Autograd autograd = new Autograd()) {
      NDArray real = null;
      NDArray realSeen = null; // real as D saw it (augmented)
      NDArray realY = null;
      NDArray z = null;
      NDArray fake = null;
      NDArray fakeY = null;
      Scores scores = null;
      float dLoss = Float.NaN;

      // ---- update D, nCritic times: lower the objective on real vs detached fake ----
      for (int c = 0; c < spec.nCritic(); c++) {
        real = scope.create(slice(batch.images(), c * n * pixels, n * pixels), imageShape);
        realY = spec.conditional()
            ? FamilySupport.oneHot(scope, batch.labels(), c * n, n, spec.numClasses()) : null;
        z = scope.create(Latents.gaussian(random, n * spec.latentDim()),
            new Shape(n, spec.latentDim())); // [N, L]
        fakeY = spec.conditional()
            ? FamilySupport.oneHot(scope, fakeLabels(random, n), 0, n, spec.numClasses()) : null;
        // Only the last critic update's fakes keep G's graph: G's update reuses them.
        generator.setFrozen(c < spec.nCritic() - 1);
        fake = generator.network().forward(
            generator.training(FamilySupport.labelInput(fakeY)), z); // [N, C, H, W]

        discriminator.setFrozen(false);
        realSeen = augment(real, augmentRandom);
        scores = scores(realSeen, realY, augment(fake.stopGradient(), augmentRandom), fakeY);
        NDArray loss = GanLosses.discriminator(objective, scores.real(), scores.fake(),
            spec.labelSmoothing());
        // Penalties on D's input gradient: interpolates (WGAN-GP) are scored with the real
        // images' labels; the gradient is taken through the augmentation.
        NDArray labels = realY;
        if (objective == Objective.WGAN_GP) {
          loss = loss.add(GradientPenalty.penalty(x -> score(augment(x, augmentRandom), labels),
              real, fake.stopGradient(), random, spec.gradientPenalty()));
        }
        if (r1Step && c == 0) {
          // Lazy R1 (StyleGAN2): every r1Every steps, weighted ×r1Every.
          NDArray r1 = GradientPenalty.r1(x -> score(augment(x, augmentRandom), labels), real,
              spec.r1Gamma() * spec.r1Every());
          loss = loss.add(r1);
          lastR1 = r1.getFloat();
        }
        autograd.backward(loss);
        discriminator.update(); // also zeroes D's gradients
        if (objective == Objective.WGAN) {
          discriminator.clipWeights(spec.clip());
        }
        dLoss = loss.getFloat();
        augmentation.observe(scores.real().toFloatArray());
      }
      generator.setFrozen(false);

      // ---- update G: D frozen, so the backward pass reaches G without touching D ----
      discriminator.setFrozen(true);
      Map<String, NDArray> fakeSide = FamilySupport.labelInput(fakeY);
      NDArray fakeFeatures = trunk.forward(discriminator.training(fakeSide),
          augment(fake, augmentRandom)); // G's gradient flows back through the augmentation
      NDArray fakeScores = head.forward(discriminator.training(fakeSide), fakeFeatures)
          .reshape(-1); // [N]
      NDArray realScores = null;
      NDArray realFeatures = null;
      if (GanLosses.generatorNeedsRealScores(objective) || spec.featureMatching() > 0) {
        Map<String, NDArray> realSide = FamilySupport.labelInput(realY);
        realFeatures = trunk.forward(discriminator.training(realSide), realSeen)
            .stopGradient();
        realScores = head.forward(discriminator.training(realSide), realFeatures)
            .reshape(-1).stopGradient();
      }
      NDArray gLoss = GanLosses.generator(objective, fakeScores, realScores);
      if (spec.featureMatching() > 0) {
        // Salimans et al.: match the mean of D's features on real and generated images.
        NDArray gap = realFeatures.mean(new int[] {0}).sub(fakeFeatures.mean(new int[] {0}));
        gLoss = gLoss.add(gap.square().mean().mul(spec.featureMatching()));
      }
      if (spec.modeSeeking() > 0) {
        gLoss = gLoss.add(modeSeeking(fake, z));
      }
      autograd.backward(gLoss);
      generator.update(); // also zeroes G's gradients; moves the EMA
      discriminator.setFrozen(false);

      steps++;
      Map<String, Float> metrics = new LinkedHashMap<>();
      metrics.put("dLoss", dLoss);
      metrics.put("gLoss", gLoss.getFloat());
      metrics.put("D(x)", GanLosses.meanScore(objective, scores.real()));
      metrics.put("D(G(z))", GanLosses.meanScore(objective, scores.fake()));
      metrics.put("r_t", augmentation.overfitting());
      if (!spec.augment().isEmpty()) {
        metrics.put("p", augmentation.p());
      }
      if (spec.r1Gamma() > 0) {
        metrics.put("r1", lastR1);
      }
      return new StepResult(steps, batch.size(), metrics);
    }
  }

  /** D's scores ({@code [N]} each); one pass of 2N unless BatchNorm would mix the two. */
  private Scores scores(NDArray real, NDArray realY, NDArray fake, NDArray fakeY) {
    int n = (int) real.getShape().get(0);
    if (separateRealAndFake) {
      return new Scores(score(real, realY), score(fake, fakeY));
    }
    NDArray images = NDArrays.concat(new NDList(real, fake)); // [2N, C, H, W]
    NDArray labels = realY == null ? null : NDArrays.concat(new NDList(realY, fakeY));
    NDArray both = score(images, labels); // [2N]
    return new Scores(both.get("0:" + n), both.get(n + ":"));
  }

  private NDArray score(NDArray images, NDArray oneHot) {
    Forward pass = discriminator.training(FamilySupport.labelInput(oneHot));
    return head.forward(pass, trunk.forward(pass, images)).reshape(-1);
  }

  /** What D sees of {@code images}: DiffAugment with the current p (the images if none). */
  private NDArray augment(NDArray images, Random random) {
    return DiffAugment.apply(images, spec.augment(), augmentation.p(), random);
  }

  private int[] fakeLabels(Random random, int n) {
    int[] labels = new int[n];
    int half = n / 2;
    for (int i = 0; i < n; i++) {
      // Mode seeking compares pairs (i, i + N/2): give both the same condition.
      labels[i] = spec.modeSeeking() > 0 && i >= half
          ? labels[i - half] : random.nextInt(spec.numClasses());
    }
    return labels;
  }

  /**
   * Mode seeking (Mao et al. 2019): {@code λ / (mean|G(z1)-G(z2)| / mean|z1-z2| + ε)} over the
   * pairs (i, i + N/2), which rewards distinct images for distinct latents.
   */
  private NDArray modeSeeking(NDArray fake, NDArray z) {
    long half = fake.getShape().get(0) / 2;
    NDArray imageGap = fake.get("0:" + half).sub(fake.get(half + ":")).abs().mean();
    NDArray latentGap = z.get("0:" + half).sub(z.get(half + ":")).abs().mean();
    return imageGap.div(latentGap).add(1e-5f).pow(-1).mul(spec.modeSeeking());
  }

  @Override
  public Exported export() {
    ensureOpen();
    ParameterStore weights = generator.exportedWeights();
    if (spec.batchNormCalibration() > 0) {
      sampling.recalibrateBatchNorm(spec.batchNormCalibration(), steps);
    }
    Network network = generator.network();
    byte[] onnx = network.export(weights.snapshot());
    return new Exported(List.of(new Exported.Graph(Exported.GENERATOR, onnx, network.inputs(),
        network.outputs())));
  }

  @Override
  public float[] sample(float[] latents, long[] labels) {
    ensureOpen();
    return sampling.sample(latents, labels);
  }

  @Override
  public TrainingState state() {
    ensureOpen();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, Long> counters = new HashMap<>();
    generator.save(tensors, counters);
    discriminator.save(tensors, counters);
    augmentation.save(tensors, counters);
    return new TrainingState(spec, steps, tensors, counters);
  }

  @Override
  public void restore(TrainingState state) {
    ensureOpen();
    generator.restore(state);
    discriminator.restore(state);
    augmentation.restore(state);
    steps = state.steps();
  }

  @Override
  public Map<String, Long> parameterCounts() {
    return Map.of("generator", generator.parameters().size(),
        "discriminator", discriminator.parameters().size());
  }

  private static float[] slice(float[] values, int from, int length) {
    if (from == 0 && length == values.length) {
      return values;
    }
    float[] part = new float[length];
    System.arraycopy(values, from, part, 0, length);
    return part;
  }

  private record Scores(NDArray real, NDArray fake) {}
}
