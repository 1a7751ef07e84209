package io.genstream.trainer.gan;

/**
 * Hyper-parameters of the class-conditional GAN, validated once at construction.
 *
 * <p>Generator: {@code z[N,latentDim]} and a label → embedding {@code [numClasses, embeddingDim]}
 * → concat → linear → {@code [N, generatorWidth0, s, s]} (s = imageSize/4) → BN → ReLU →
 * nearest ×2 → conv3×3 to {@code generatorWidth1} → BN → ReLU → nearest ×2 → conv3×3 to 1 →
 * tanh. Discriminator: conv4×4/2 to {@code discriminatorWidth0} → LeakyReLU(0.2) → conv4×4/2 to
 * {@code discriminatorWidth1} → LeakyReLU(0.2) → flatten {@code h} → {@code linear(h) +
 * <embed(y), h>} (projection discriminator, Miyato &amp; Koyama 2018).
 *
 * @param imageSize side of the square grayscale images, a multiple of 4 between 8 and 64 (28 for
 *     digits, 32 also works)
 * @param latentDim size of the noise vector {@code z}
 * @param numClasses number of class labels, labels are {@code 0..numClasses-1}
 * @param embeddingDim size of the generator's label embedding
 * @param generatorWidth0 channels of the generator's first feature map
 * @param generatorWidth1 channels after the generator's first convolution
 * @param discriminatorWidth0 channels of the discriminator's first convolution
 * @param discriminatorWidth1 channels of the discriminator's second convolution
 * @param batchSize images per training step
 * @param generatorLearningRate Adam learning rate of the generator
 * @param discriminatorLearningRate Adam learning rate of the discriminator
 * @param beta1 Adam's first-moment decay (0.5 for GANs, as in DCGAN)
 * @param beta2 Adam's second-moment decay
 * @param seed seeds weight initialisation, latents and fake labels: the same seed and data give
 *     the same model
 * @param exportEveryNSteps how often a streaming trainer exports a version
 * @param batchNormCalibrationBatches batches of fresh latents used to recompute the generator's
 *     BatchNorm running statistics before export or eval-mode sampling; 0 keeps the running
 *     averages from training
 */
public record GanConfig(
    int imageSize,
    int latentDim,
    int numClasses,
    int embeddingDim,
    int generatorWidth0,
    int generatorWidth1,
    int discriminatorWidth0,
    int discriminatorWidth1,
    int batchSize,
    float generatorLearningRate,
    float discriminatorLearningRate,
    float beta1,
    float beta2,
    long seed,
    int exportEveryNSteps,
    int batchNormCalibrationBatches) {

  public GanConfig {
    if (imageSize < 8 || imageSize > 64 || imageSize % 4 != 0) {
      throw new IllegalArgumentException(
          "imageSize must be a multiple of 4 in 8..64 (28 for digits), got " + imageSize);
    }
    requireRange("latentDim", latentDim, 1, 1024);
    requireRange("numClasses", numClasses, 1, 1000);
    requireRange("embeddingDim", embeddingDim, 1, 1024);
    requireRange("generatorWidth0", generatorWidth0, 1, 1024);
    requireRange("generatorWidth1", generatorWidth1, 1, 1024);
    requireRange("discriminatorWidth0", discriminatorWidth0, 1, 1024);
    requireRange("discriminatorWidth1", discriminatorWidth1, 1, 1024);
    // BatchNorm in training mode needs more than one value per channel.
    requireRange("batchSize", batchSize, 2, 4096);
    requireRate("generatorLearningRate", generatorLearningRate);
    requireRate("discriminatorLearningRate", discriminatorLearningRate);
    if (!(beta1 >= 0f && beta1 < 1f)) {
      throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0f && beta2 < 1f)) {
      throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    }
    requireRange("exportEveryNSteps", exportEveryNSteps, 1, Integer.MAX_VALUE);
    requireRange("batchNormCalibrationBatches", batchNormCalibrationBatches, 0, 1000);
  }

  /**
   * The digits default: 28×28, z of 64, 10 classes, widths 128→64 (G) and 64→128 (D), batch 64,
   * Adam(2e-4, 0.5, 0.999), export every 200 steps.
   */
  public static GanConfig digits() {
    return new GanConfig(28, 64, 10, 16, 128, 64, 64, 128, 64, 2e-4f, 2e-4f, 0.5f, 0.999f, 42L,
        200, 8);
  }

  /** Side of the generator's first feature map. */
  public int baseSize() {
    return imageSize / 4;
  }

  public GanConfig withSeed(long newSeed) {
    return new GanConfig(imageSize, latentDim, numClasses, embeddingDim, generatorWidth0,
        generatorWidth1, discriminatorWidth0, discriminatorWidth1, batchSize,
        generatorLearningRate, discriminatorLearningRate, beta1, beta2, newSeed,
        exportEveryNSteps, batchNormCalibrationBatches);
  }

  public GanConfig withBatchSize(int newBatchSize) {
    return new GanConfig(imageSize, latentDim, numClasses, embeddingDim, generatorWidth0,
        generatorWidth1, discriminatorWidth0, discriminatorWidth1, newBatchSize,
        generatorLearningRate, discriminatorLearningRate, beta1, beta2, seed,
        exportEveryNSteps, batchNormCalibrationBatches);
  }

  public GanConfig withExportEveryNSteps(int steps) {
    return new GanConfig(imageSize, latentDim, numClasses, embeddingDim, generatorWidth0,
        generatorWidth1, discriminatorWidth0, discriminatorWidth1, batchSize,
        generatorLearningRate, discriminatorLearningRate, beta1, beta2, seed, steps,
        batchNormCalibrationBatches);
  }

  /** Same shapes with other widths, for small test models or larger experiments. */
  public GanConfig withWidths(int g0, int g1, int d0, int d1) {
    return new GanConfig(imageSize, latentDim, numClasses, embeddingDim, g0, g1, d0, d1,
        batchSize, generatorLearningRate, discriminatorLearningRate, beta1, beta2, seed,
        exportEveryNSteps, batchNormCalibrationBatches);
  }

  private static void requireRange(String name, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          name + " must be " + min + ".." + max + ", got " + value);
    }
  }

  private static void requireRate(String name, float value) {
    if (!(value > 0f && value < 1f)) {
      throw new IllegalArgumentException(name + " must be in (0, 1), got " + value);
    }
  }
}
