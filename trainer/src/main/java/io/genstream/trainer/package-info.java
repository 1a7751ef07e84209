/**
 * GenStream trainer: streaming training of generative models and publishing of their versions.
 *
 * <ul>
 *   <li>{@link io.genstream.trainer.TrainerService}: images topic → training → models topic, with
 *       dead letters, sample grids and training events; configured by
 *       {@link io.genstream.trainer.TrainerOptions}, reports a
 *       {@link io.genstream.trainer.TrainerSummary}.
 *   <li>{@link io.genstream.trainer.gan}: the class-conditional GAN in DJL (PyTorch engine, CPU)
 *       and the batch-mode {@link io.genstream.trainer.gan.GanTraining#run} entry point.
 *   <li>{@link io.genstream.trainer.onnx}: ONNX export without DJL, over the raw protobuf classes.
 *   <li>{@link io.genstream.trainer.SampleGrid}: per-version contact sheets of samples.
 * </ul>
 */
package io.genstream.trainer;
