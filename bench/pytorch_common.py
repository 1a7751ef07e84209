"""Shared pieces of the PyTorch-Python twins of GenStream's trainer families (bench/pytorch_cgan.py,
bench/pytorch_dcgan.py, bench/pytorch_vae.py), for the side-by-side throughput benchmark
bench/trainer-vs-pytorch.sh. The Java half is io.genstream.trainer.bench.TrainerBenchmark.

Written in the trainer's own style: raw parameter tensors and torch.nn.functional calls, one
function per layer of trainer/src/main/java/io/genstream/trainer/nn, so each op matches the op
DJL's PyTorch engine runs:

  Linear        F.linear(x, W[out, in], b)                          init W ~ N(0, 0.02), b = 0
  Conv2d        F.conv2d(x, W[out, in, k, k], b, stride, padding)   init W ~ N(0, 0.02), b = 0
  BatchNorm     F.batch_norm(x, running_mean, running_var, gamma, beta, training,
                             momentum 0.1, eps 1e-5)                gamma ~ N(1, 0.02), beta = 0
  Upsample      F.interpolate(x, size=(2H, 2W), mode="nearest")
  LeakyReLU     F.leaky_relu(x, 0.2)
  LabelEmbedding  cat(x, onehot(y)[N, K] @ E[K, dim], 1)            E ~ N(0, 1)
  ProjectionHead  linear(h)[N, 1] + sum(onehot(y) @ P[K, F] * h, 1, keepdim)   P ~ N(0, 0.02)
  Adam          torch.optim.Adam(lr, betas, eps 1e-8), zero_grad(set_to_none=False) after the
                step (the Java optimiser zeroes the gradients in place)

Shapes are ModelSpec.defaults(<family>)'s: 28x28x1 images, base 7, generator widths (128, 64),
discriminator (encoder) widths (64, 128).
"""
import argparse
import sys
import time

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # pragma: no cover
    sys.stderr.write("%s: PyTorch is missing. Install it with:\n"
                     "  apt-get update && apt-get install -y python3-torch\n"
                     "and run this script with /usr/bin/python3\n" % sys.argv[0])
    sys.exit(3)

# ModelSpec.defaults(...): shared by cgan, dcgan and vae
IMAGE = 28
CHANNELS = 1
BASE = 7  # imageSize = 7 * 2^2
G_WIDTHS = (128, 64)
D_WIDTHS = (64, 128)
EMBED = 16
BN_EPS = 1e-5
BN_MOMENTUM = 0.1  # DJL's 0.9 ("weight of the old value") is PyTorch's 0.1
LEAKY = 0.2
ADAM_EPS = 1e-8


class Params:
    """Trainable tensors created in declaration order from one generator (as ParameterStore)."""

    def __init__(self, gen):
        self.gen = gen
        self.trainable = []

    def normal(self, mean, std, *shape):
        t = (mean + std * torch.randn(*shape, generator=self.gen)).requires_grad_(True)
        self.trainable.append(t)
        return t

    def const(self, value, *shape):
        t = torch.full(shape, float(value)).requires_grad_(True)
        self.trainable.append(t)
        return t

    def parameters(self):
        return list(self.trainable)

    def set_frozen(self, frozen):
        """ParameterStore.setFrozen: gradient tracking off/on for every trainable tensor."""
        for p in self.trainable:
            p.requires_grad_(not frozen)


class BatchNorm:
    def __init__(self, params, channels):
        self.weight = params.normal(1, 0.02, channels)
        self.bias = params.const(0, channels)
        self.running_mean = torch.zeros(channels)
        self.running_var = torch.ones(channels)

    def __call__(self, x, training):
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                            training, BN_MOMENTUM, BN_EPS)


class Generator(Params):
    """GanNetworks.generatorBody with upsampling=nearest (also the VAE's decoder):
    [embedding ->] linear(in -> w0*b*b) -> reshape [w0, b, b] -> BN -> ReLU -> per stage i=1..k:
    nearest x2 -> conv3x3/1 pad1 (w[i-1] -> w[i], or -> channels in the last) -> (BN -> ReLU
    except in the last) -> tanh."""

    def __init__(self, gen, latent, classes=0, embed=EMBED, widths=G_WIDTHS, base=BASE,
                 channels=CHANNELS, batch_norm=True):
        super().__init__(gen)
        self.classes = classes
        self.widths = widths
        self.base = base
        fan_in = latent
        if classes:
            self.embedding = self.normal(0, 1, classes, embed)
            fan_in += embed
        self.fc_w = self.normal(0, 0.02, widths[0] * base * base, fan_in)
        self.fc_b = self.const(0, widths[0] * base * base)
        # As a VAE's decoder the generator has no BatchNorm (GanNetworks.generatorHasBatchNorm).
        self.bn = [BatchNorm(self, widths[0]) if batch_norm else None]
        self.convs = []
        k = len(widths)
        for i in range(1, k + 1):
            out = widths[i] if i < k else channels
            self.convs.append((self.normal(0, 0.02, out, widths[i - 1], 3, 3),
                               self.const(0, out)))
            if i < k:
                self.bn.append(BatchNorm(self, out) if batch_norm else None)

    def __call__(self, z, y_onehot=None, training=True):
        n = z.shape[0]
        x = z
        if self.classes:
            x = torch.cat((x, y_onehot.matmul(self.embedding)), 1)
        x = F.linear(x, self.fc_w, self.fc_b)
        x = x.reshape(n, self.widths[0], self.base, self.base)
        x = F.relu(self.bn[0](x, training) if self.bn[0] else x)
        k = len(self.convs)
        for i, (w, b) in enumerate(self.convs, 1):
            h = x.shape[2]
            x = F.interpolate(x, size=(2 * h, 2 * h), mode="nearest")
            x = F.conv2d(x, w, b, stride=1, padding=1)
            if i < k:
                x = F.relu(self.bn[i](x, training) if self.bn[i] else x)
        return torch.tanh(x)


class Discriminator(Params):
    """GanNetworks.discriminatorTrunk + discriminatorHead (also the VAE's encoder trunk):
    per stage i conv4x4/2 pad1 (-> d[i]) -> (BN if batch_norm and i > 0) -> LeakyReLU(0.2);
    flatten [N, d_last*b*b]; then linear(F -> outputs) or, conditional, the projection head."""

    def __init__(self, gen, classes=0, batch_norm=False, outputs=1, widths=D_WIDTHS, base=BASE,
                 channels=CHANNELS):
        super().__init__(gen)
        self.classes = classes
        self.convs = []
        self.bn = []
        c = channels
        for i, d in enumerate(widths):
            self.convs.append((self.normal(0, 0.02, d, c, 4, 4), self.const(0, d)))
            self.bn.append(BatchNorm(self, d) if batch_norm and i > 0 else None)
            c = d
        features = widths[-1] * base * base
        self.out_w = self.normal(0, 0.02, outputs, features)
        self.out_b = self.const(0, outputs)
        if classes:
            self.proj = self.normal(0, 0.02, classes, features)

    def trunk(self, x, training=True):
        for (w, b), bn in zip(self.convs, self.bn):
            x = F.conv2d(x, w, b, stride=2, padding=1)
            if bn is not None:
                x = bn(x, training)
            x = F.leaky_relu(x, LEAKY)
        return x

    def head(self, h, y_onehot=None):
        h = h.reshape(h.shape[0], -1)
        out = F.linear(h, self.out_w, self.out_b)  # [N, outputs]
        if self.classes:
            out = out + (y_onehot.matmul(self.proj) * h).sum(1, keepdim=True)
        return out

    def __call__(self, x, y_onehot=None, training=True):
        return self.head(self.trunk(x, training), y_onehot)


def adam(params, lr, betas):
    return torch.optim.Adam(params, lr=lr, betas=betas, eps=ADAM_EPS)


def one_hot(labels, classes):
    return F.one_hot(labels, classes).float()


def parse_args(doc):
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--pool", type=int, default=16, help="distinct random batches, cycled")
    return ap.parse_args()


def random_pool(gen, args, classes):
    """Random data prepared before timing (as TrainerBenchmark): images in [-1, 1] as flat
    float arrays, random labels (zeros for an unconditional family)."""
    n = args.batch
    pool = []
    for _ in range(args.pool):
        images = torch.rand(n * CHANNELS * IMAGE * IMAGE, generator=gen) * 2 - 1
        labels = (torch.randint(0, classes, (n,), generator=gen) if classes
                  else torch.zeros(n, dtype=torch.long))
        pool.append((images, labels))
    return pool


def real_images(flat, n):
    # the Java step copies the float[] batch into a native [N, C, H, W] array
    return flat.clone().reshape(n, CHANNELS, IMAGE, IMAGE)


def run(family, args, step):
    """Warm-up, timed steps, one result line (step(i) returns a dict of metrics)."""
    for i in range(args.warmup):
        step(i)
    start = time.perf_counter()
    last = {}
    for i in range(args.steps):
        last = step(args.warmup + i)
    elapsed = time.perf_counter() - start
    metrics = "".join(" %s=%.4f" % kv for kv in last.items())
    print("pytorch images_per_s=%.1f steps=%d threads=%d batch=%d ms_per_step=%.2f family=%s "
          "torch=%s%s" % (args.steps * args.batch / elapsed, args.steps, torch.get_num_threads(),
                          args.batch, 1000 * elapsed / args.steps, family, torch.__version__,
                          metrics))


def gan_benchmark(family, args, classes, d_batch_norm, lr=2e-4, betas=(0.5, 0.999), latent=64):
    """GanFamily.step with objective nonsaturating, nCritic 1 and no stabilisers:

    fake = G(z, y') (G's graph kept); D unfrozen; scores of real and fake.detach(): one pass of
    2N on cat(real, fake) when D has no BatchNorm, else two passes (real, then fake);
    d_loss = mean(softplus(-r)) + mean(softplus(f)); backward; Adam(D) (+ zero grad); read
    d_loss; D frozen; G's scores = D(fake, y') (training mode); g_loss = mean(softplus(-f_g));
    backward; Adam(G) (+ zero grad); D unfrozen; reads g_loss, mean sigmoid(r), mean sigmoid(f)
    (the Java StepResult's four scalars).
    """
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(args.seed)
    torch.manual_seed(args.seed)
    G = Generator(gen, latent, classes)
    D = Discriminator(gen, classes, batch_norm=d_batch_norm)
    opt_g = adam(G.parameters(), lr, betas)
    opt_d = adam(D.parameters(), lr, betas)
    n = args.batch
    pool = random_pool(gen, args, classes)

    def step(i):
        flat, labels = pool[i % len(pool)]
        real = real_images(flat, n)
        real_y = one_hot(labels, classes) if classes else None
        z = torch.randn(n, latent)
        fake_y = one_hot(torch.randint(0, classes, (n,)), classes) if classes else None
        fake = G(z, fake_y)

        D.set_frozen(False)
        if d_batch_norm:
            r = D(real, real_y).reshape(-1)
            f = D(fake.detach(), fake_y).reshape(-1)
        else:
            both_y = torch.cat((real_y, fake_y)) if classes else None
            both = D(torch.cat((real, fake.detach())), both_y).reshape(-1)
            r, f = both[:n], both[n:]
        d_loss = F.softplus(r.neg()).mean() + F.softplus(f).mean()
        d_loss.backward()
        opt_d.step()
        opt_d.zero_grad(set_to_none=False)
        d_value = d_loss.item()

        D.set_frozen(True)
        g_loss = F.softplus(D(fake, fake_y).reshape(-1).neg()).mean()
        g_loss.backward()
        opt_g.step()
        opt_g.zero_grad(set_to_none=False)
        D.set_frozen(False)
        return {"dLoss": d_value, "gLoss": g_loss.item(),
                "D_x_": torch.sigmoid(r).mean().item(), "D_G_z__": torch.sigmoid(f).mean().item()}

    run(family, args, step)
