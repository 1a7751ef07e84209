package io.genstream.trainer.family.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.genstream.core.latent.Latents;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.trainer.family.AbstractModelFamily;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.FamilySupport;
import io.genstream.trainer.family.LatentGenerator;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.family.TrainedNetwork;
import io.genstream.trainer.family.TrainingState;
import io.genstream.trainer.family.gan.GanNetworks;
import io.genstream.trainer.nn.Autograd;
import io.genstream.trainer.nn.Flatten;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.LabelEmbedding;
import io.genstream.trainer.nn.Layer;
import io.genstream.trainer.nn.Linear;
import io.genstream.trainer.nn.Network;
import io.genstream.trainer.nn.ParameterStore;
import io.genstream.trainer.nn.Sequential;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The {@code vae} family: a variational autoencoder (Kingma &amp; Welling 2014), optionally
 * class-conditional (the encoder and the decoder both see the label).
 *
 * <p><b>Networks.</b> The encoder {@code image [N, C, H, W] (, label [N]) → mu, logvar [N, L]}
 * is the GAN discriminator's trunk (4×4 stride-2 convolutions with LeakyReLU, no BatchNorm),
 * flattened, the label's embedding appended when conditional, and a linear layer to
 * {@code 2L} values split into the posterior's mean and log-variance. The decoder is exactly the
 * GAN generator ({@link GanNetworks#generator}): {@code z (, label) → image} in [-1, 1], so the
 * generator service loads a VAE's decoder as it loads a GAN's generator.
 *
 * <p><b>Objective.</b> The negative ELBO of one image, averaged over the batch:
 * {@code loss = recon + klWeight · kl} with
 * <ul>
 *   <li>{@code recon = Σ_pixels (decoder(z) − x)²}, z drawn by reparameterisation
 *       {@code z = mu + exp(½·logvar)·ε}, ε ~ N(0, I) from the step's random stream. This is the
 *       negative log-likelihood of x under a Gaussian decoder {@code N(decoder(z), σ²I)} with the
 *       variance fixed at σ² = ½ in the model's [-1, 1] pixel units (σ ≈ 0.35 of the pixel
 *       range in [0, 1] units), up to an additive constant. The sum over pixels, not a mean,
 *       keeps the two terms of the ELBO in their true ratio, so {@code klWeight = 1} is the
 *       plain VAE and other values are a β-VAE (β > 1: smoother latent space, blurrier images).
 *   <li>{@code kl = KL(q(z|x) ‖ N(0, I)) = −½ Σ_latent (1 + logvar − mu² − exp(logvar))} in
 *       closed form.
 * </ul>
 * Both networks train together: one backward pass, then each network's optimiser (Adam or
 * RMSProp with the same settings and rate, {@code generatorLearningRate}; per-parameter
 * optimisers make this exactly one optimiser over both). Metrics: {@code loss, recon, kl}.
 *
 * <p><b>Exports.</b> The decoder as {@link Exported#GENERATOR} ({@code z (, label) → image}),
 * then the encoder as {@value #ENCODER} ({@code image (, label) → mu, logvar}). With
 * {@code emaDecay > 0} both networks keep an exponential moving average of their weights and the
 * averages are what is exported, sampled and encoded, so the exported encoder and decoder are a
 * matched pair. The decoder's BatchNorm statistics can be recomputed on prior latents before an
 * export ({@code batchNormCalibration}, off by default for this family).
 *
 * <p>See {@link ModelFamily} for ownership, threading and determinism.
 */
public final class VaeFamily extends AbstractModelFamily {

  /** Name of the encoder's network, exported graph and checkpoint part. */
  public static final String ENCODER = "encoder";
  /** Names of the encoder's outputs. */
  public static final String MU = "mu";
  public static final String LOGVAR = "logvar";
  /** Training clamps logvar to ±this (std between e^-5 and e^5); the encoder exports it raw. */
  static final float LOGVAR_LIMIT = 10f;

  private final TrainedNetwork decoder;
  private final LatentGenerator sampling;
  private final TrainedNetwork encoder;

  public VaeFamily(ModelSpec spec) {
    super(spec);
    try {
      Random init = new Random(spec.seed());
      float rate = spec.generatorLearningRate();
      decoder = new TrainedNetwork(Exported.GENERATOR, GanNetworks.generator(spec), manager,
          init, spec, rate, spec.emaDecay());
      sampling = new LatentGenerator(spec, manager, decoder);
      encoder = new TrainedNetwork(ENCODER, encoder(spec), manager, init, spec, rate,
          spec.emaDecay());
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * The encoder {@code image [N, C, H, W] (, label [N]) → mu [N, L], logvar [N, L]}: parameters
   * {@code conv1.*, …, convK.*} (the trunk), {@code embedding.weight} (conditional) and
   * {@code fc.*}.
   */
  public static Network encoder(ModelSpec spec) {
    Map<String, TensorSpec> inputs = new LinkedHashMap<>();
    inputs.put(GanNetworks.IMAGE, GanNetworks.imageSpec(spec));
    if (spec.conditional()) {
      inputs.put(GanNetworks.LABEL, Network.int64s(-1));
    }
    List<Integer> widths = spec.discriminatorWidths();
    int features = widths.get(widths.size() - 1) * spec.baseSize() * spec.baseSize();
    List<Layer> layers = new ArrayList<>();
    layers.add(GanNetworks.discriminatorTrunk(spec, spec.channels())); // [N, d, b, b]
    layers.add(new Flatten()); // [N, d·b·b]
    if (spec.conditional()) {
      layers.add(new LabelEmbedding("embedding", GanNetworks.LABEL, spec.numClasses(),
          spec.embeddingDim()));
      features += spec.embeddingDim();
    }
    layers.add(new Linear("fc", features, 2 * spec.latentDim())); // [N, 2L]
    Map<String, TensorSpec> outputs = new LinkedHashMap<>(); // order = split order
    outputs.put(MU, Network.floats(-1, spec.latentDim()));
    outputs.put(LOGVAR, Network.floats(-1, spec.latentDim()));
    return new Network(ENCODER, inputs, new Sequential(layers), outputs);
  }

  @Override
  public StepResult step(Batch batch) {
    ensureOpen();
    int n = spec.batchSize();
    int latent = spec.latentDim();
    FamilySupport.checkBatch(batch, n, spec.pixelsPerImage());
    Random random = FamilySupport.stepRandom(spec.seed(), steps + 1);

    // Everything created in this step lives in `scope` and is freed when it closes.
    try (NDManager scope = manager.newSubManager();
        Autograd autograd = new Autograd()) {
      NDArray x = scope.create(batch.images(),
          new Shape(n, spec.channels(), spec.imageSize(), spec.imageSize()));
      NDArray y = spec.conditional()
          ? FamilySupport.oneHot(scope, batch.labels(), 0, n, spec.numClasses()) : null;
      Map<String, NDArray> side = FamilySupport.labelInput(y);

      NDList posterior = encoder.network().forwardOutputs(encoder.training(side), x);
      NDArray mu = posterior.get(0); // [N, L]
      // Clamped so exp(logvar) cannot overflow: one bad step of the encoder must not turn the
      // whole model into NaN (a demo run did, at step 98).
      NDArray logvar = posterior.get(1).clip(-LOGVAR_LIMIT, LOGVAR_LIMIT); // [N, L]
      NDArray eps = scope.create(Latents.gaussian(random, n * latent), new Shape(n, latent));
      NDArray z = mu.add(logvar.mul(0.5f).exp().mul(eps)); // reparameterisation
      NDArray reconstruction = decoder.network().forward(decoder.training(side), z);

      NDArray recon = reconstruction.sub(x).square().sum().div(n);
      NDArray kl = logvar.add(1f).sub(mu.square()).sub(logvar.exp()).sum().mul(-0.5f).div(n);
      NDArray loss = recon.add(kl.mul(spec.klWeight()));
      autograd.backward(loss);
      encoder.update(); // each also zeroes its gradients and moves its EMA
      decoder.update();

      steps++;
      Map<String, Float> metrics = new LinkedHashMap<>();
      metrics.put("loss", loss.getFloat());
      metrics.put("recon", recon.getFloat());
      metrics.put("kl", kl.getFloat());
      return new StepResult(steps, batch.size(), metrics);
    }
  }

  @Override
  public Exported export() {
    ensureOpen();
    ParameterStore decoderWeights = decoder.exportedWeights();
    if (spec.batchNormCalibration() > 0) {
      sampling.recalibrateBatchNorm(spec.batchNormCalibration(), steps);
    }
    Network d = decoder.network();
    Network e = encoder.network();
    return new Exported(List.of(
        new Exported.Graph(Exported.GENERATOR, d.export(decoderWeights.snapshot()), d.inputs(),
            d.outputs()),
        new Exported.Graph(ENCODER, e.export(encoder.exportedWeights().snapshot()), e.inputs(),
            e.outputs())));
  }

  @Override
  public float[] sample(float[] latents, long[] labels) {
    ensureOpen();
    return sampling.sample(latents, labels);
  }

  /**
   * The posterior {@code q(z|x)} of each image, computed as the exported encoder would
   * (inference mode, exported weights).
   *
   * @param images {@code n × channels × size × size} values in [-1, 1]
   * @param labels {@code n} labels (ignored by unconditional models)
   * @return {@code {mu, logvar}}, each {@code n × latentDim}
   */
  public float[][] encode(float[] images, long[] labels) {
    ensureOpen();
    int n = labels.length;
    if (n < 1 || images.length != (long) n * spec.pixelsPerImage()) {
      throw new IllegalArgumentException("expected " + n + " × " + spec.pixelsPerImage()
          + " image values for " + n + " labels, got " + images.length);
    }
    int[] ints = FamilySupport.toInts(labels, spec.numClasses());
    JniUtils.setGradMode(false);
    try (NDManager scope = manager.newSubManager()) {
      NDArray x = scope.create(images,
          new Shape(n, spec.channels(), spec.imageSize(), spec.imageSize()));
      NDArray y = spec.conditional()
          ? FamilySupport.oneHot(scope, ints, 0, n, spec.numClasses()) : null;
      ParameterStore weights = encoder.exportedWeights();
      NDList posterior = encoder.network()
          .forwardOutputs(Forward.inference(weights::get, FamilySupport.labelInput(y)), x);
      return new float[][] {posterior.get(0).toFloatArray(), posterior.get(1).toFloatArray()};
    }
  }

  @Override
  public TrainingState state() {
    ensureOpen();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, Long> counters = new HashMap<>();
    decoder.save(tensors, counters);
    encoder.save(tensors, counters);
    return new TrainingState(spec, steps, tensors, counters);
  }

  @Override
  public void restore(TrainingState state) {
    ensureOpen();
    decoder.restore(state);
    encoder.restore(state);
    steps = state.steps();
  }

  @Override
  public Map<String, Long> parameterCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(Exported.GENERATOR, decoder.parameters().size());
    counts.put(ENCODER, encoder.parameters().size());
    return counts;
  }

}
