package io.genstream.trainer.family.gan;

import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.ModelSpec.Family;
import io.genstream.trainer.family.ModelSpec.Objective;
import io.genstream.trainer.nn.Activation;
import io.genstream.trainer.nn.BatchNorm;
import io.genstream.trainer.nn.Conv2d;
import io.genstream.trainer.nn.Flatten;
import io.genstream.trainer.nn.LabelEmbedding;
import io.genstream.trainer.nn.Layer;
import io.genstream.trainer.nn.Linear;
import io.genstream.trainer.nn.MinibatchStddev;
import io.genstream.trainer.nn.Network;
import io.genstream.trainer.nn.PixelShuffle;
import io.genstream.trainer.nn.ProjectionHead;
import io.genstream.trainer.nn.Reshape;
import io.genstream.trainer.nn.SelfAttention;
import io.genstream.trainer.nn.Sequential;
import io.genstream.trainer.nn.SpectralNorm;
import io.genstream.trainer.nn.Upsample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The networks of the GAN families, built from a {@link ModelSpec}. Shared with the VAE (its
 * decoder is this generator) and frame prediction (its discriminator).
 *
 * <p>Generator (DCGAN guidelines: no pooling, BatchNorm and ReLU inside, tanh out): {@code z}
 * (and the label's embedding, conditional) → linear → {@code [w0, b, b]} → BN → ReLU → per stage
 * ×2 upsampling (nearest or bilinear + 3×3 conv, or conv + pixel shuffle) → BN → ReLU, the last
 * stage to the image's channels → tanh. As a VAE's decoder, the same without BatchNorm.
 *
 * <p>Discriminator: per stage a 4×4 stride-2 convolution (optionally spectrally normalised),
 * BatchNorm after the first for dcgan (not with spectral normalisation or a gradient penalty,
 * which BatchNorm would break), LeakyReLU(0.2); then (optionally) the minibatch-stddev channel,
 * flatten, and a linear score or, conditional, the projection head.
 */
public final class GanNetworks {

  public static final String Z = "z";
  public static final String LABEL = "label";
  public static final String IMAGE = "image";

  private GanNetworks() {}

  /** The generator {@code z [N, L] (, label [N]) → image [N, C, H, W]}. */
  public static Network generator(ModelSpec spec) {
    Map<String, TensorSpec> inputs = new LinkedHashMap<>();
    inputs.put(Z, Network.floats(-1, spec.latentDim()));
    if (spec.conditional()) {
      inputs.put(LABEL, Network.int64s(-1));
    }
    return new Network("generator", inputs, generatorBody(spec, spec.latentDim()),
        Map.of(IMAGE, imageSpec(spec)));
  }

  /** The generator's layers from a {@code [N, in]} code to an image. */
  public static Layer generatorBody(ModelSpec spec, int in) {
    List<Integer> w = spec.generatorWidths();
    int b = spec.baseSize();
    List<Layer> layers = new ArrayList<>();
    if (spec.conditional()) {
      layers.add(new LabelEmbedding("embedding", LABEL, spec.numClasses(), spec.embeddingDim()));
      in += spec.embeddingDim();
    }
    boolean batchNorm = generatorHasBatchNorm(spec);
    layers.add(new Linear("fc", in, w.get(0) * b * b));
    layers.add(new Reshape(w.get(0), b, b));
    if (batchNorm) {
      layers.add(new BatchNorm("bn0", w.get(0)));
    }
    layers.add(Activation.relu());
    int k = w.size();
    for (int i = 1; i <= k; i++) {
      int out = i < k ? w.get(i) : spec.channels();
      String conv = "conv" + i;
      switch (spec.upsampling()) {
        case NEAREST -> {
          layers.add(Upsample.nearest(2));
          layers.add(Conv2d.same3x3(conv, w.get(i - 1), out));
        }
        case BILINEAR -> {
          layers.add(Upsample.bilinear(2));
          layers.add(Conv2d.same3x3(conv, w.get(i - 1), out));
        }
        case PIXELSHUFFLE -> {
          layers.add(Conv2d.same3x3(conv, w.get(i - 1), out * 4));
          layers.add(new PixelShuffle(2));
        }
      }
      if (i < k) {
        if (batchNorm) {
          layers.add(new BatchNorm("bn" + i, out));
        }
        layers.add(Activation.relu());
        if (i == 1 && spec.selfAttention()) {
          layers.add(new SelfAttention("attention", out));
        }
      }
    }
    layers.add(Activation.tanh());
    return new Sequential(layers);
  }

  /**
   * Whether the generator normalises with BatchNorm: yes for the GANs (DCGAN guidelines), not as
   * a VAE's decoder. Batch statistics make the decoder blind to the scale of z and divide its
   * gradient by the batch's spread, so a posterior that briefly collapses gets an enormous kick
   * (measured in the demo: the KL term went from 20 to 10^12 within 30 steps).
   */
  public static boolean generatorHasBatchNorm(ModelSpec spec) {
    return spec.family() != Family.VAE;
  }

  /** {@code float [N, C, H, W]}. */
  public static TensorSpec imageSpec(ModelSpec spec) {
    return Network.floats(-1, spec.channels(), spec.imageSize(), spec.imageSize());
  }

  /** Whether the discriminator normalises with BatchNorm (so real and fake pass separately). */
  public static boolean discriminatorHasBatchNorm(ModelSpec spec) {
    return spec.family() == Family.DCGAN && !spec.spectralNorm()
        && spec.objective() != Objective.WGAN_GP;
  }

  /**
   * The discriminator's trunk: image {@code [N, inChannels, H, W]} → features
   * {@code [N, d_last, b, b]} (what feature matching compares).
   */
  public static Layer discriminatorTrunk(ModelSpec spec, int inChannels) {
    List<Integer> d = spec.discriminatorWidths();
    boolean batchNorm = discriminatorHasBatchNorm(spec);
    List<Layer> layers = new ArrayList<>();
    int in = inChannels;
    for (int i = 0; i < d.size(); i++) {
      Layer conv = Conv2d.down4x4("conv" + (i + 1), in, d.get(i));
      layers.add(spec.spectralNorm() ? new SpectralNorm(conv) : conv);
      if (batchNorm && i > 0) {
        layers.add(new BatchNorm("bn" + (i + 1), d.get(i)));
      }
      layers.add(Activation.leakyRelu(0.2f));
      if (i == 0 && spec.selfAttention()) {
        layers.add(new SelfAttention("attention", d.get(i)));
      }
      in = d.get(i);
    }
    return new Sequential(layers);
  }

  /** The discriminator's head: trunk features → score {@code [N, 1]}. */
  public static Layer discriminatorHead(ModelSpec spec) {
    int channels = spec.discriminatorWidths().get(spec.discriminatorWidths().size() - 1);
    List<Layer> layers = new ArrayList<>();
    if (spec.minibatchStddev()) {
      layers.add(new MinibatchStddev());
      channels++;
    }
    layers.add(new Flatten());
    int features = channels * spec.baseSize() * spec.baseSize();
    Layer out = spec.conditional()
        ? new ProjectionHead("out", LABEL, features, spec.numClasses())
        : new Linear("out", features, 1);
    layers.add(spec.spectralNorm() && !spec.conditional() ? new SpectralNorm(out) : out);
    return new Sequential(layers);
  }

  /** The whole discriminator, trunk then head, as one network (for parameters and tests). */
  public static Network discriminator(ModelSpec spec, int inChannels) {
    Map<String, TensorSpec> inputs = new LinkedHashMap<>();
    inputs.put(IMAGE, Network.floats(-1, inChannels, spec.imageSize(), spec.imageSize()));
    if (spec.conditional()) {
      inputs.put(LABEL, Network.int64s(-1));
    }
    return new Network("discriminator", inputs,
        Sequential.of(discriminatorTrunk(spec, inChannels), discriminatorHead(spec)),
        Map.of("score", Network.floats(-1, 1)));
  }
}
