#!/usr/bin/python3
"""PyTorch (Python) twin of GenStream's dcgan family for the side-by-side throughput benchmark.

Mirrors io.genstream.trainer.family.gan.{GanNetworks, GanFamily.step, GanLosses} with
ModelSpec.defaults(dcgan) (only batchSize from --batch), op for op (layers: pytorch_common.py):

  G: z[N,64] -> linear(64 -> 128*7*7) -> reshape [N,128,7,7] -> BN(128) -> relu -> nearest x2
     -> conv3x3/1 pad1 (128->64) -> BN(64) -> relu -> nearest x2 -> conv3x3/1 pad1 (64->1) -> tanh
  D: conv4x4/2 pad1 (1->64) -> leaky_relu(0.2) -> conv4x4/2 pad1 (64->128) -> BN(128)
     -> leaky_relu(0.2) -> flatten [N,6272] -> linear(6272 -> 1)
  step (D has BatchNorm, so real and fake pass separately: D(real) [N], then D(fake.detach())
     [N]); non-saturating losses; Adam(lr 2e-4, betas (0.5, 0.999)) per network; G's update
     reuses the fakes with D frozen, D in training mode (see pytorch_common.gan_benchmark).

Prints one machine-readable line:
  pytorch images_per_s=<float> steps=<M> threads=<N> batch=<B> ms_per_step=<float> family=dcgan
  torch=<ver> dLoss=... gLoss=... D_x_=... D_G_z__=...
"""
import pytorch_common as common

if __name__ == "__main__":
    common.gan_benchmark("dcgan", common.parse_args(__doc__), classes=0, d_batch_norm=True)
