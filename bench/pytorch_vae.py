#!/usr/bin/python3
"""PyTorch (Python) twin of GenStream's vae family for the side-by-side throughput benchmark.

ModelSpec.defaults(vae) (latentDim 16, klWeight 1, lr 5e-4, betas (0.9, 0.999); only batchSize
from --batch), op for op (layers: pytorch_common.py):

  encoder: the discriminator trunk, conv4x4/2 pad1 (1->64) -> leaky_relu(0.2) -> conv4x4/2 pad1
     (64->128) -> leaky_relu(0.2) (no BatchNorm) -> flatten [N,6272] -> linear(6272 -> 32),
     split along axis 1 into mu [N,16] and logvar [N,16]
  decoder: the generator without BatchNorm, z[N,16] -> linear(16 -> 128*7*7) -> reshape
     [N,128,7,7] -> relu -> nearest x2 -> conv3x3/1 pad1 (128->64) -> relu -> nearest x2
     -> conv3x3/1 pad1 (64->1) -> tanh
  step: logvar clamped to [-10, 10]; z = mu + exp(logvar / 2) * eps (eps ~ N(0, 1), [N,16]); reconstruction = sum over the
     batch of the squared error / N (per-image sum, batch mean); kl = -1/2 sum(1 + logvar - mu^2
     - exp(logvar)) / N; loss = reconstruction + klWeight * kl; backward; one Adam step over
     encoder and decoder (+ zero grad); reads loss, reconstruction, kl.

Prints one machine-readable line:
  pytorch images_per_s=<float> steps=<M> threads=<N> batch=<B> ms_per_step=<float> family=vae
  torch=<ver> loss=... reconstruction=... kl=...
"""
import torch

import pytorch_common as common

LATENT = 16
KL_WEIGHT = 1.0
LR = 5e-4
BETAS = (0.9, 0.999)


def main():
    args = common.parse_args(__doc__)
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)
    encoder = common.Discriminator(gen, classes=0, batch_norm=False, outputs=2 * LATENT)
    decoder = common.Generator(gen, LATENT, batch_norm=False)
    opt = common.adam(encoder.parameters() + decoder.parameters(), LR, BETAS)
    n = args.batch
    pool = common.random_pool(gen, args, 0)

    def step(i):
        flat, _ = pool[i % len(pool)]
        x = common.real_images(flat, n)
        eps = torch.randn(n, LATENT)
        stats = encoder(x)  # [N, 2L]
        mu, logvar = stats[:, :LATENT], stats[:, LATENT:].clamp(-10, 10)
        z = mu + torch.exp(logvar * 0.5) * eps
        reconstruction = (decoder(z) - x).square().sum() / n
        kl = (1 + logvar - mu.square() - logvar.exp()).sum() * (-0.5 / n)
        loss = reconstruction + KL_WEIGHT * kl
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=False)
        return {"loss": loss.item(), "reconstruction": reconstruction.item(), "kl": kl.item()}

    common.run("vae", args, step)


if __name__ == "__main__":
    main()
