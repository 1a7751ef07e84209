package io.genstream.trainer.gan;

/**
 * What one training step reports.
 *
 * @param step 1-based count of steps taken by this model
 * @param batchSize real images in this step
 * @param discriminatorLoss {@code -log D(x|y) - log(1 - D(G(z)|y))}, batch means
 * @param generatorLoss non-saturating {@code -log D(G(z)|y)}, batch mean
 * @param realScore mean probability D gave the real images
 * @param fakeScore mean probability D gave the fakes (before its update)
 */
public record StepResult(
    long step, int batchSize, float discriminatorLoss, float generatorLoss, float realScore,
    float fakeScore) {}
