package io.genstream.trainer.family.framepred;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.trainer.family.AbstractModelFamily;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.FamilySupport;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.ModelSpec.Objective;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.family.TrainedNetwork;
import io.genstream.trainer.family.TrainingState;
import io.genstream.trainer.family.gan.GanLosses;
import io.genstream.trainer.family.gan.GanNetworks;
import io.genstream.trainer.nn.Activation;
import io.genstream.trainer.nn.Autograd;
import io.genstream.trainer.nn.BatchNorm;
import io.genstream.trainer.nn.Conv2d;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.Layer;
import io.genstream.trainer.nn.Network;
import io.genstream.trainer.nn.ParameterStore;
import io.genstream.trainer.nn.Residual;
import io.genstream.trainer.nn.Sequential;
import io.genstream.trainer.nn.Upsample;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The {@code framepred} family: next-frame video prediction (Mathieu, Couprie &amp; LeCun,
 * "Deep multi-scale video prediction beyond mean square error", ICLR 2016), single scale.
 *
 * <p><b>Data.</b> An example is a clip of {@code k + 1} consecutive frames ({@code k =
 * contextFrames}); the first {@code k} are the context, the last the target. Labels are ignored
 * (the family is unconditional, whatever {@code numClasses} says).
 *
 * <p><b>Predictor</b> (network and checkpoint part {@code generator}): {@code frames [N, k·C, H,
 * W]} (the k past frames stacked on the channel axis, oldest first) → {@code frame [N, C, H, W]}
 * in [-1, 1]. A small encoder-decoder that works at every image size the spec allows (all are
 * even): 3×3 conv (k·C → w0) + ReLU; 4×4 stride-2 conv (w0 → w1) + BN + ReLU; a residual block
 * at the coarse level (3×3 conv + BN + ReLU + 3×3 conv, added to its input); nearest ×2
 * upsampling + 3×3 conv (w1 → w0) + BN + ReLU; 3×3 conv (w0 → C): the change Δ of the last
 * frame; output {@code clip(last + Δ, -1, 1)} ({@link LastFrameResidual}). {@code w0, w1} are the
 * first two of {@code generatorWidths} (the fine and the coarse level); further widths, which
 * larger image sizes require the spec to list, are not used. No latent: the prediction is
 * deterministic.
 *
 * <p><b>Loss.</b> {@code L2 + gradientDifference · GDL} (+ {@code adversarial · L_adv}), with the
 * gradient-difference loss of {@link #gradientDifferenceLoss} (α = 1). With {@code adversarial >
 * 0} a discriminator ({@link GanNetworks#discriminatorTrunk} + {@link
 * GanNetworks#discriminatorHead}, unconditional) scores the context stacked with a real or
 * predicted next frame ({@code (k+1)·C} channels) and is trained first in each step with the
 * spec's {@code objective} ({@link GanLosses}) on the detached prediction; the predictor then
 * adds {@code adversarial ·} the objective's generator loss, D frozen. Metrics: {@code loss, l2,
 * gdl} (and {@code dLoss, adv} when adversarial). One step consumes {@code batchSize} clips.
 *
 * <p><b>Settings.</b> The discriminator honours {@code discriminatorWidths}, {@code
 * spectralNorm}, {@code minibatchStddev}, {@code labelSmoothing} and {@code clip} (wgan) as in
 * the GAN families; {@code objective wgan-gp} with {@code adversarial > 0} is refused (not built
 * for this family yet).
 * Not used: {@code latentDim}, {@code embeddingDim}, {@code upsampling} (always nearest), {@code
 * nCritic} (D is updated once per step, on the step's clips), {@code featureMatching}, {@code
 * modeSeeking}, {@code klWeight}, and {@code batchNormCalibration}: there is no latent to draw
 * calibration batches from, so the export keeps the BatchNorm running averages.
 *
 * <p><b>Export and samples.</b> One graph, {@link Exported#GENERATOR}, {@code frames → frame},
 * computed with the EMA weights when {@code emaDecay > 0}. {@link #sample} has no meaning here
 * (there is no latent) and throws; a sample "grid" of a framepred model is a rollout strip: the
 * context frames followed by {@link #rollout}'s predictions, one clip per row. See
 * {@link ModelFamily} for ownership, threading and determinism (a step draws no random numbers).
 */
public final class FramePredictionFamily extends AbstractModelFamily {

  /** The exported graph's input: past frames stacked on the channel axis. */
  public static final String FRAMES = "frames";
  /** The exported graph's output: the predicted next frame. */
  public static final String FRAME = "frame";

  private final int k;
  private final TrainedNetwork generator;
  private final TrainedNetwork discriminator; // null without an adversarial term

  public FramePredictionFamily(ModelSpec spec) {
    super(supported(spec));
    this.k = spec.contextFrames();
    try {
      Random init = new Random(spec.seed());
      generator = new TrainedNetwork("generator", predictor(spec), manager, init, spec,
          spec.generatorLearningRate(), spec.emaDecay());
      discriminator = spec.adversarial() > 0
          ? new TrainedNetwork("discriminator", discriminator(spec), manager, init, spec,
              spec.discriminatorLearningRate(), 0f)
          : null;
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /** Checked before any native memory is made. */
  private static ModelSpec supported(ModelSpec spec) {
    if (spec.family() != ModelSpec.Family.FRAMEPRED) {
      throw new IllegalArgumentException("FramePredictionFamily needs family framepred, got "
          + spec.family().id());
    }
    if (spec.adversarial() > 0 && spec.objective() == Objective.WGAN_GP) {
      throw new UnsupportedOperationException("objective wgan-gp is not supported for "
          + "framepred's adversarial term yet; use hinge, lsgan, wgan, ragan or nonsaturating");
    }
    return spec;
  }

  /** The predictor {@code frames [N, k·C, H, W] → frame [N, C, H, W]}; see the class comment. */
  public static Network predictor(ModelSpec spec) {
    int c = spec.channels();
    int in = spec.contextFrames() * c;
    int w0 = spec.generatorWidths().get(0);
    int w1 = spec.generatorWidths().get(1);
    Layer block = Sequential.of(
        Conv2d.same3x3("res.conv1", w1, w1),
        new BatchNorm("res.bn1", w1),
        Activation.relu(),
        Conv2d.same3x3("res.conv2", w1, w1));
    Layer delta = Sequential.of(
        Conv2d.same3x3("in", in, w0),
        Activation.relu(),
        Conv2d.down4x4("down", w0, w1),
        new BatchNorm("down.bn", w1),
        Activation.relu(),
        new Residual(block),
        Upsample.nearest(2),
        Conv2d.same3x3("up", w1, w0),
        new BatchNorm("up.bn", w0),
        Activation.relu(),
        Conv2d.same3x3("out", w0, c));
    Map<String, TensorSpec> inputs =
        Map.of(FRAMES, Network.floats(-1, in, spec.imageSize(), spec.imageSize()));
    return new Network("generator", inputs, new LastFrameResidual(delta, spec.contextFrames(), c),
        Map.of(FRAME, GanNetworks.imageSpec(spec)));
  }

  /** The optional discriminator on {@code [N, (k+1)·C, H, W]}: context and next frame. */
  static Network discriminator(ModelSpec spec) {
    // Unconditional: a framepred clip's label does not condition anything.
    ModelSpec unconditional = spec.with(Map.of("numClasses", "0"));
    return GanNetworks.discriminator(unconditional, (spec.contextFrames() + 1) * spec.channels());
  }

  /**
   * The gradient-difference loss with α = 1 (Mathieu et al., eq. 5) of {@code [N, C, H, W]}
   * frames: the mean over pixels of {@code ||∂x t| - |∂x p||} plus that of {@code ||∂y t| -
   * |∂y p||}, each finite difference over its own valid positions ({@code W-1} columns, {@code
   * H-1} rows). Zero when the prediction has the target's edges; positive when it blurs them.
   */
  public static NDArray gradientDifferenceLoss(NDArray prediction, NDArray target) {
    NDArray px = dx(prediction).abs();
    NDArray tx = dx(target).abs();
    NDArray py = dy(prediction).abs();
    NDArray ty = dy(target).abs();
    return tx.sub(px).abs().mean().add(ty.sub(py).abs().mean());
  }

  private static NDArray dx(NDArray x) {
    return x.get(":, :, :, 1:").sub(x.get(":, :, :, :-1"));
  }

  private static NDArray dy(NDArray x) {
    return x.get(":, :, 1:, :").sub(x.get(":, :, :-1, :"));
  }

  @Override
  public StepResult step(Batch batch) {
    ensureOpen();
    int n = spec.batchSize();
    int c = spec.channels();
    int size = spec.imageSize();
    FamilySupport.checkBatch(batch, n, (k + 1) * spec.pixelsPerImage());

    // Everything created in this step lives in `scope` and is freed when it closes.
    try (NDManager scope = manager.newSubManager();
        Autograd autograd = new Autograd()) {
      NDArray clips = scope.create(batch.images(), new Shape(n, (k + 1) * c, size, size));
      NDArray context = clips.get(":, 0:" + k * c); // [N, k·C, H, W]
      NDArray target = clips.get(":, " + k * c + ":"); // [N, C, H, W]

      NDArray prediction = generator.network().forward(generator.training(Map.of()), context);

      float dLoss = Float.NaN;
      NDArray adv = null;
      if (discriminator != null) {
        // ---- update D on real vs detached predicted next frames, as in GanFamily ----
        Objective objective = spec.objective();
        NDArray real = NDArrays.concat(new NDList(context, target), 1);
        NDArray fake = NDArrays.concat(new NDList(context, prediction.stopGradient()), 1);
        discriminator.setFrozen(false);
        NDArray scores = score(NDArrays.concat(new NDList(real, fake))); // [2N], no BN in D
        NDArray realScores = scores.get("0:" + n);
        NDArray loss = GanLosses.discriminator(objective, realScores, scores.get(n + ":"),
            spec.labelSmoothing());
        autograd.backward(loss);
        discriminator.update(); // also zeroes D's gradients
        if (objective == Objective.WGAN) {
          discriminator.clipWeights(spec.clip());
        }
        dLoss = loss.getFloat();

        // ---- the predictor's adversarial term: D frozen ----
        discriminator.setFrozen(true);
        NDArray fakeScores =
            score(NDArrays.concat(new NDList(context, prediction), 1)); // [N]
        NDArray frozenReal = GanLosses.generatorNeedsRealScores(objective)
            ? score(real).stopGradient() : null;
        adv = GanLosses.generator(objective, fakeScores, frozenReal);
      }

      NDArray l2 = prediction.sub(target).square().mean();
      NDArray gdl = gradientDifferenceLoss(prediction, target);
      NDArray loss = l2.add(gdl.mul(spec.gradientDifference()));
      if (adv != null) {
        loss = loss.add(adv.mul(spec.adversarial()));
      }
      autograd.backward(loss);
      generator.update(); // also zeroes the predictor's gradients; moves the EMA
      if (discriminator != null) {
        discriminator.setFrozen(false);
      }

      steps++;
      Map<String, Float> metrics = new LinkedHashMap<>();
      metrics.put("loss", loss.getFloat());
      metrics.put("l2", l2.getFloat());
      metrics.put("gdl", gdl.getFloat());
      if (adv != null) {
        metrics.put("dLoss", dLoss);
        metrics.put("adv", adv.getFloat());
      }
      return new StepResult(steps, batch.size(), metrics);
    }
  }

  private NDArray score(NDArray frames) {
    return discriminator.network().forward(discriminator.training(Map.of()), frames).reshape(-1);
  }

  /**
   * The next frame of each clip, computed in inference mode with the exported weights (what the
   * exported graph computes).
   *
   * @param frames {@code n × k × C × H × W} values (the k past frames of each clip, oldest
   *     first; the same layout as {@code [n, k·C, H, W]})
   * @return {@code n × C × H × W} values in [-1, 1]
   */
  public float[] predict(float[] frames, int n) {
    ensureOpen();
    checkFrames(frames, n, k, "context");
    JniUtils.setGradMode(false); // per thread, on by default for new threads
    try (NDManager scope = manager.newSubManager()) {
      return predictArray(inputShape(scope, frames, n)).toFloatArray();
    }
  }

  /**
   * Autoregressive prediction: each predicted frame becomes the newest context frame (the oldest
   * drops out) for the next, {@code horizon} times.
   *
   * @param context {@code n × k × C × H × W} values, as for {@link #predict}
   * @return {@code n × horizon × C × H × W} values: the predicted frames of each clip in order
   */
  public float[] rollout(float[] context, int n, int horizon) {
    ensureOpen();
    checkFrames(context, n, k, "context");
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon must be >= 1, got " + horizon);
    }
    int c = spec.channels();
    JniUtils.setGradMode(false);
    try (NDManager scope = manager.newSubManager()) {
      NDArray window = inputShape(scope, context, n);
      NDList predicted = new NDList();
      for (int h = 0; h < horizon; h++) {
        NDArray next = predictArray(window); // [N, C, H, W]
        predicted.add(next);
        window = k == 1 ? next
            : NDArrays.concat(new NDList(window.get(":, " + c + ":"), next), 1);
      }
      // [N, horizon·C, H, W] has the layout of [N, horizon, C, H, W].
      return NDArrays.concat(predicted, 1).toFloatArray();
    }
  }

  private NDArray predictArray(NDArray frames) {
    ParameterStore weights = generator.exportedWeights();
    return generator.network().forward(Forward.inference(weights::get, Map.of()), frames);
  }

  private NDArray inputShape(NDManager scope, float[] frames, int n) {
    int size = spec.imageSize();
    return scope.create(frames, new Shape(n, (long) k * spec.channels(), size, size));
  }

  private void checkFrames(float[] frames, int n, int count, String what) {
    long expected = (long) n * count * spec.pixelsPerImage();
    if (n < 1 || frames.length != expected) {
      throw new IllegalArgumentException("expected " + what + " of " + n + " clip(s) × " + count
          + " frame(s) × " + spec.pixelsPerImage() + " values (" + expected + "), got "
          + frames.length);
    }
  }

  @Override
  public Exported export() {
    ensureOpen();
    Network network = generator.network();
    byte[] onnx = network.export(generator.exportedWeights().snapshot());
    return new Exported(List.of(new Exported.Graph(Exported.GENERATOR, onnx, network.inputs(),
        network.outputs())));
  }

  /**
   * Not available: a frame predictor has no latent to sample from. A sample grid of a framepred
   * model is a rollout strip (context frames, then {@link #rollout}'s predictions, one clip per
   * row).
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public float[] sample(float[] latents, long[] labels) {
    throw new UnsupportedOperationException("family framepred has no latent to sample: it "
        + "predicts the next frame of a clip; use predict(frames, n) or rollout(context, n, "
        + "horizon), whose frames make a framepred model's sample strip");
  }

  @Override
  public TrainingState state() {
    ensureOpen();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    Map<String, Long> counters = new HashMap<>();
    generator.save(tensors, counters);
    if (discriminator != null) {
      discriminator.save(tensors, counters);
    }
    return new TrainingState(spec, steps, tensors, counters);
  }

  @Override
  public void restore(TrainingState state) {
    ensureOpen();
    generator.restore(state);
    if (discriminator != null) {
      discriminator.restore(state);
    }
    steps = state.steps();
  }

  @Override
  public Map<String, Long> parameterCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("generator", generator.parameters().size());
    if (discriminator != null) {
      counts.put("discriminator", discriminator.parameters().size());
    }
    return counts;
  }

}
