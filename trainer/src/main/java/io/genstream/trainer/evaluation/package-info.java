/**
 * Evaluation metrics by which the trainer judges its own versions, and the baseline they are read
 * against: pure Java on feature vectors, no DJL, no Kafka.
 *
 * <ul>
 *   <li>{@link io.genstream.trainer.evaluation.Features}: n feature vectors of dimension d, with
 *       mean and sample covariance.
 *   <li>{@link io.genstream.trainer.evaluation.FrechetDistance}: the Fréchet distance between the
 *       Gaussians fitted to real and generated features (FID when the features are Inception's;
 *       here they are whatever feature extractor the caller uses).
 *   <li>{@link io.genstream.trainer.evaluation.PrecisionRecall}: improved precision and recall
 *       (Kynkäänniemi et al. 2019) on k-NN manifolds.
 *   <li>{@link io.genstream.trainer.evaluation.ClassConsistency}: share of generated images that a
 *       classifier assigns to the requested label.
 *   <li>{@link io.genstream.trainer.evaluation.Diversity}: within-class spread of generated
 *       relative to real features.
 *   <li>{@link io.genstream.trainer.evaluation.GaussianBaseline}: a per-class Gaussian in pixel
 *       space, the generator that needs no training, against which every figure is read.
 *   <li>{@link io.genstream.trainer.evaluation.Stability}: every figure is a deterministic function
 *       of its inputs; the relative difference used for the "&lt; 1 %" target.
 * </ul>
 *
 * <p><b>Bounds.</b> All functions are written for n up to a few thousand samples and d ≤ {@value
 * io.genstream.trainer.evaluation.Features#MAX_DIMENSION}; each class states its time and memory.
 * Sums are taken in {@code double} in a fixed order, so equal inputs give bit-identical figures.
 * Nothing here keeps state between calls; all classes are safe to use from several threads.
 */
package io.genstream.trainer.evaluation;
