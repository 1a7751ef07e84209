#!/usr/bin/python3
"""PyTorch (Python) twin of GenStream's DJL class-conditional GAN trainer, for a side-by-side
throughput benchmark (see bench/trainer-vs-pytorch.sh).

Mirrors io.genstream.trainer.gan.{Generator, Discriminator, ConditionalGan.step, ParameterSet}
with GanConfig.digits() defaults, op for op:

  G: onehot(y)[N,10] @ emb[10,16] -> cat(z[N,64], e) -> linear(80 -> 128*7*7) -> reshape
     [N,128,7,7] -> batch_norm(train, momentum 0.1, eps 1e-5) -> relu -> nearest x2 ->
     conv3x3/1 pad1 (128->64) -> batch_norm -> relu -> nearest x2 -> conv3x3/1 pad1 (64->1) -> tanh
  D: conv4x4/2 pad1 (1->64) -> leaky_relu(0.2) -> conv4x4/2 pad1 (64->128) -> leaky_relu(0.2)
     -> flatten h [N,6272] -> linear(h)[N,1] + sum(onehot(y) @ proj[10,6272] * h, 1)
  step: fake = G(z, y') (graph kept); D forward on cat(real, fake.detach()) [2N] once;
     d_loss = mean(softplus(-real_logits)) + mean(softplus(fake_logits)); backward; Adam(D)
     (+ zero grad); D weights requires_grad=False; D forward on fake [N]; g_loss =
     mean(softplus(-logits)); backward; Adam(G) (+ zero grad); four scalar reads (d_loss,
     g_loss, mean sigmoid real, mean sigmoid fake) as the Java StepResult does.
  Adam(lr 2e-4, betas (0.5, 0.999), eps 1e-8), one optimiser per network.

Prints one machine-readable line:
  pytorch images_per_s=<float> steps=<M> threads=<N> batch=64 ms_per_step=<float> torch=<ver>
"""
import argparse
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    sys.stderr.write("pytorch_cgan.py: PyTorch is missing. Install it with:\n"
                     "  apt-get update && apt-get install -y python3-torch\n"
                     "and run this script with /usr/bin/python3\n")
    sys.exit(3)

# GanConfig.digits()
IMAGE = 28
LATENT = 64
CLASSES = 10
EMBED = 16
G0, G1 = 128, 64
D0, D1 = 64, 128
LR = 2e-4
BETAS = (0.5, 0.999)
EPS = 1e-8
BN_EPS = 1e-5
BN_MOMENTUM = 0.1  # DJL's 0.9 ("weight of the old value") is PyTorch's 0.1


def normal(gen, mean, std, *shape):
    return (mean + std * torch.randn(*shape, generator=gen)).requires_grad_(True)


def const(value, *shape):
    return torch.full(shape, float(value)).requires_grad_(True)


class Generator:
    def __init__(self, gen):
        s = IMAGE // 4
        self.s = s
        self.embedding = normal(gen, 0, 1, CLASSES, EMBED)
        self.fc_w = normal(gen, 0, 0.02, G0 * s * s, LATENT + EMBED)
        self.fc_b = const(0, G0 * s * s)
        self.bn0_g = normal(gen, 1, 0.02, G0)
        self.bn0_b = const(0, G0)
        self.bn0_m = torch.zeros(G0)
        self.bn0_v = torch.ones(G0)
        self.c1_w = normal(gen, 0, 0.02, G1, G0, 3, 3)
        self.c1_b = const(0, G1)
        self.bn1_g = normal(gen, 1, 0.02, G1)
        self.bn1_b = const(0, G1)
        self.bn1_m = torch.zeros(G1)
        self.bn1_v = torch.ones(G1)
        self.c2_w = normal(gen, 0, 0.02, 1, G1, 3, 3)
        self.c2_b = const(0, 1)

    def parameters(self):
        return [self.embedding, self.fc_w, self.fc_b, self.bn0_g, self.bn0_b, self.c1_w,
                self.c1_b, self.bn1_g, self.bn1_b, self.c2_w, self.c2_b]

    def forward(self, z, y_onehot, training=True):
        n = z.shape[0]
        s = self.s
        e = y_onehot.matmul(self.embedding)
        x = torch.cat((z, e), 1)
        x = F.linear(x, self.fc_w, self.fc_b)
        x = x.reshape(n, G0, s, s)
        x = F.batch_norm(x, self.bn0_m, self.bn0_v, self.bn0_g, self.bn0_b, training,
                         BN_MOMENTUM, BN_EPS)
        x = F.relu(x)
        x = F.interpolate(x, size=(2 * s, 2 * s), mode="nearest")
        x = F.conv2d(x, self.c1_w, self.c1_b, stride=1, padding=1)
        x = F.batch_norm(x, self.bn1_m, self.bn1_v, self.bn1_g, self.bn1_b, training,
                         BN_MOMENTUM, BN_EPS)
        x = F.relu(x)
        x = F.interpolate(x, size=(4 * s, 4 * s), mode="nearest")
        x = F.conv2d(x, self.c2_w, self.c2_b, stride=1, padding=1)
        return torch.tanh(x)


class Discriminator:
    def __init__(self, gen):
        s = IMAGE // 4
        features = D1 * s * s
        self.c1_w = normal(gen, 0, 0.02, D0, 1, 4, 4)
        self.c1_b = const(0, D0)
        self.c2_w = normal(gen, 0, 0.02, D1, D0, 4, 4)
        self.c2_b = const(0, D1)
        self.out_w = normal(gen, 0, 0.02, 1, features)
        self.out_b = const(0, 1)
        self.proj = normal(gen, 0, 0.02, CLASSES, features)

    def parameters(self):
        return [self.c1_w, self.c1_b, self.c2_w, self.c2_b, self.out_w, self.out_b, self.proj]

    def set_frozen(self, frozen):
        for p in self.parameters():
            p.requires_grad_(not frozen)

    def forward(self, images, y_onehot):
        h = F.conv2d(images, self.c1_w, self.c1_b, stride=2, padding=1)
        h = F.leaky_relu(h, 0.2)
        h = F.conv2d(h, self.c2_w, self.c2_b, stride=2, padding=1)
        h = F.leaky_relu(h, 0.2)
        h = h.reshape(h.shape[0], -1)
        unconditional = F.linear(h, self.out_w, self.out_b)
        class_embedding = y_onehot.matmul(self.proj)
        conditional = (class_embedding * h).sum(1)
        return unconditional.reshape(-1) + conditional


def one_hot(labels):
    return F.one_hot(labels, CLASSES).float()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pool", type=int, default=16, help="distinct random batches, cycled")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)
    G = Generator(gen)
    D = Discriminator(gen)
    opt_g = torch.optim.Adam(G.parameters(), lr=LR, betas=BETAS, eps=EPS)
    opt_d = torch.optim.Adam(D.parameters(), lr=LR, betas=BETAS, eps=EPS)

    n = args.batch
    # Random data prepared before timing: images in [-1, 1], random labels.
    pool = [(torch.rand(n * IMAGE * IMAGE, generator=gen) * 2 - 1,
             torch.randint(0, CLASSES, (n,), generator=gen)) for _ in range(args.pool)]

    def step(i):
        flat, labels = pool[i % len(pool)]
        # the Java step copies the float[] batch and builds one-hot labels, latents, fake labels
        real = flat.clone().reshape(n, 1, IMAGE, IMAGE)
        real_y = one_hot(labels)
        fake_labels = torch.randint(0, CLASSES, (n,))
        z = torch.randn(n, LATENT)
        fake_y = one_hot(fake_labels)
        fake = G.forward(z, fake_y, True)

        D.set_frozen(False)
        both = torch.cat((real, fake.detach()))
        both_y = torch.cat((real_y, fake_y))
        logits = D.forward(both, both_y)
        real_logits = logits[:n]
        fake_logits = logits[n:]
        d_loss = F.softplus(real_logits.neg()).mean() + F.softplus(fake_logits).mean()
        d_loss.backward()
        opt_d.step()
        opt_d.zero_grad(set_to_none=False)

        D.set_frozen(True)
        logits_g = D.forward(fake, fake_y)
        g_loss = F.softplus(logits_g.neg()).mean()
        g_loss.backward()
        opt_g.step()
        opt_g.zero_grad(set_to_none=False)
        return (d_loss.item(), g_loss.item(), torch.sigmoid(real_logits).mean().item(),
                torch.sigmoid(fake_logits).mean().item())

    for i in range(args.warmup):
        step(i)
    start = time.perf_counter()
    last = None
    for i in range(args.steps):
        last = step(args.warmup + i)
    elapsed = time.perf_counter() - start
    ips = args.steps * n / elapsed
    print("pytorch images_per_s=%.1f steps=%d threads=%d batch=%d ms_per_step=%.2f torch=%s "
          "d_loss=%.4f g_loss=%.4f" % (ips, args.steps, torch.get_num_threads(), n,
                                       1000 * elapsed / args.steps, torch.__version__,
                                       last[0], last[1]))


if __name__ == "__main__":
    main()
