/**
 * The class-conditional GAN (upsample+conv generator, projection discriminator, non-saturating
 * loss) as plain DJL tensor operations on the PyTorch engine.
 *
 * <p>{@link io.genstream.trainer.gan.ConditionalGan} owns all native memory of one model; the
 * generator's forward pass matches {@link io.genstream.trainer.onnx.CganGeneratorExporter}'s
 * graph node for node. Needs {@code -Dai.djl.offline=true} and {@code pytorch-native-cpu} on the
 * class path.
 */
package io.genstream.trainer.gan;
