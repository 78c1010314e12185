"""Flow matching in two dimensions: a velocity network v(x, t) that carries Gaussian noise to two moons.

Conditional flow matching: pair a noise point x0 ~ N(0, I) with a data point x1,
walk the straight line x_t = (1 - t) x0 + t x1, whose velocity is x1 - x0, and
train v(x_t, t) to predict that velocity. Integrating dx/dt = v(x, t) from t = 0
to t = 1 (Euler or Heun steps) then turns fresh noise into new data points.

Everything random is drawn from named, seeded streams (:func:`stream`), so the
data, the training and every sample are the same on every run.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import nn

from netreel.nets import store
from netreel.nets.hooks import HookedModule, HookPoint

Velocity = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]
"""v(x [n, 2], t [n]) -> [n, 2]: the model, or any field written by hand."""


@dataclass(frozen=True)
class FlowConfig:
    """Everything that decides the data and the trained weights (hashed by the store)."""

    n_train: int = 4000  # two-moons points the network learns from
    n_holdout: int = 2000  # fresh points: the loss curve and the sample-quality measure
    moon_noise: float = 0.08  # jitter of each point around its moon, before scaling
    scale: float = 1.6  # the moons are centred and scaled by this, to about the noise's size
    width: int = 128
    depth: int = 3  # hidden layers
    iterations: int = 3000
    batch_size: int = 256
    lr: float = 3e-3  # Adam, cosine-annealed to zero
    eval_every: int = 100  # iterations between checkpoints of the held-out loss
    n_loss: int = 4096  # held-out (x0, x1, t) triples the loss curve is measured on
    seed: int = 0

    def to_dict(self) -> dict:
        return {"model": "flow", **asdict(self)}


def stream(seed: int, name: str) -> torch.Generator:
    """An independent seeded random stream per purpose ('data', 'train', 'loss', 'samples', ...)."""
    digest = hashlib.sha256(f"{seed}/{name}".encode()).digest()
    return torch.Generator().manual_seed(int.from_bytes(digest[:8], "little"))


# data ----------------------------------------------------------------------


@dataclass
class Moons:
    points: torch.Tensor  # [n, 2]
    moon: torch.Tensor  # [n] 0 = upper moon, 1 = lower moon


def moon_draws(n: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The raw randomness of n two-moons points: angle in [0, pi), which moon, Gaussian jitter."""
    angle = torch.rand(n, generator=generator) * math.pi  # [n]
    lower = torch.rand(n, generator=generator) < 0.5  # [n]
    jitter = torch.randn(n, 2, generator=generator)  # [n, 2]
    return angle, lower, jitter


def make_moons(n: int, generator: torch.Generator, noise: float, scale: float) -> Moons:
    """Two interleaving half circles: the upper one (cos a, sin a), the lower one (1 - cos a, 1/2 - sin a).

    Jittered by ``noise``, then centred on (1/2, 1/4) and scaled by ``scale``.
    """
    angle, lower, jitter = moon_draws(n, generator)
    x = torch.where(lower, 1 - torch.cos(angle), torch.cos(angle))  # [n]
    y = torch.where(lower, 0.5 - torch.sin(angle), torch.sin(angle))  # [n]
    points = torch.stack([x, y], dim=1) + noise * jitter  # [n, 2]
    centred = (points - torch.tensor([0.5, 0.25])) * scale  # [n, 2]
    return Moons(centred, lower.long())


def train_data(config: FlowConfig) -> Moons:
    return make_moons(config.n_train, stream(config.seed, "data"), config.moon_noise, config.scale)


def holdout_data(config: FlowConfig) -> Moons:
    return make_moons(config.n_holdout, stream(config.seed, "holdout"), config.moon_noise, config.scale)


def interpolate(x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The straight path between paired points: x_t = (1 - t) x0 + t x1, and its velocity x1 - x0."""
    xt = (1 - t[:, None]) * x0 + t[:, None] * x1  # [n, 2]
    return xt, x1 - x0  # [n, 2], [n, 2]


def ideal_velocity(points: torch.Tensor, t: float, data: torch.Tensor) -> torch.Tensor:
    """The average of x1 - x0 over every pair that passes through each point at time t (t < 1).

    With x0 ~ N(0, I) and x1 one of the data points d_j, x_t = (1 - t) x0 + t d_j is
    N(t d_j, (1 - t)^2 I); a point p weighs data point j by that density, and on
    the line through p and d_j the velocity is (d_j - p) / (1 - t). This is the
    field the training loss is smallest for. points [n, 2], data [m, 2] -> [n, 2].
    """
    log_w = -torch.cdist(points, t * data) ** 2 / (2 * (1 - t) ** 2)  # [n, m]
    w = torch.softmax(log_w, dim=1)  # [n, m]
    return (w @ data - points) / (1 - t)  # [n, 2]


# the network ------------------------------------------------------------------


class Hidden(HookedModule):
    """One hidden layer: h' = silu(W h + b)."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.linear = nn.Linear(n_in, n_out)
        self.hook_h = HookPoint()

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.hook_h(torch.nn.functional.silu(self.linear(h)))  # [n, out]


class PlaneMLP(HookedModule):
    """A point of the plane and ``inputs - 2`` times in, a velocity out: an MLP with SiLU hidden layers.

    ``config`` needs ``width`` and ``depth``; a subclass's ``forward`` joins its inputs and calls :meth:`run`.
    """

    inputs = 3

    def __init__(self, config) -> None:
        super().__init__()
        self.config = config
        sizes = [self.inputs] + [config.width] * config.depth
        self.hook_input = HookPoint()
        self.layers = nn.ModuleList(Hidden(i, o) for i, o in zip(sizes[:-1], sizes[1:]))
        self.out = nn.Linear(config.width, 2)
        self.hook_velocity = HookPoint()
        self.setup_hooks()

    def run(self, h: torch.Tensor) -> torch.Tensor:
        h = self.hook_input(h)  # [n, inputs]
        for layer in self.layers:
            h = layer(h)  # [n, width]
        return self.hook_velocity(self.out(h))  # [n, 2]

    def init_weights(self, generator: torch.Generator) -> None:
        """Uniform in +-1/sqrt(fan_in), like torch's default, but from a seeded stream."""
        with torch.no_grad():
            for linear in [layer.linear for layer in self.layers] + [self.out]:
                bound = linear.in_features**-0.5
                linear.weight.uniform_(-bound, bound, generator=generator)
                linear.bias.uniform_(-bound, bound, generator=generator)

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


class VelocityNet(PlaneMLP):
    """v(x, t): the point and the time in, a velocity out."""

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.run(torch.cat([x, t[:, None]], dim=1))  # [n, 3]: x, y, t -> [n, 2]


def flow_matching_loss(model: Velocity, x0: torch.Tensor, x1: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Mean over pairs of |v(x_t, t) - (x1 - x0)|^2."""
    xt, target = interpolate(x0, x1, t)  # [n, 2], [n, 2]
    return ((model(xt, t) - target) ** 2).sum(dim=1).mean()


def loss_triples(config: FlowConfig, holdout: Moons) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Fixed held-out (x0, x1, t) triples: the loss curve is measured on these."""
    g = stream(config.seed, "loss")
    x0 = torch.randn(config.n_loss, 2, generator=g)  # [n_loss, 2]
    x1 = holdout.points[torch.randint(0, len(holdout.points), (config.n_loss,), generator=g)]  # [n_loss, 2]
    t = torch.rand(config.n_loss, generator=g)  # [n_loss]
    return x0, x1, t


def train(config: FlowConfig) -> tuple[VelocityNet, list[int], list[float], list[dict[str, torch.Tensor]]]:
    """Seeded flow-matching training with Adam.

    Returns the model and, every ``eval_every`` iterations (0 = untrained), the
    iteration, the held-out loss and a snapshot of the weights.
    """
    data = train_data(config).points  # [n_train, 2]
    x0_eval, x1_eval, t_eval = loss_triples(config, holdout_data(config))
    g = stream(config.seed, "train")
    model = VelocityNet(config)
    model.init_weights(g)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, config.iterations)
    iterations, losses, snapshots = [], [], []

    def checkpoint(i: int) -> None:
        with torch.no_grad():
            losses.append(float(flow_matching_loss(model, x0_eval, x1_eval, t_eval)))
        iterations.append(i)
        snapshots.append({k: v.detach().clone() for k, v in model.state_dict().items()})

    checkpoint(0)
    for i in range(1, config.iterations + 1):
        x1 = data[torch.randint(0, len(data), (config.batch_size,), generator=g)]  # [batch, 2]
        x0 = torch.randn(config.batch_size, 2, generator=g)  # [batch, 2]
        t = torch.rand(config.batch_size, generator=g)  # [batch]
        optimiser.zero_grad()
        flow_matching_loss(model, x0, x1, t).backward()
        optimiser.step()
        schedule.step()
        if i % config.eval_every == 0 or i == config.iterations:
            checkpoint(i)
    return model, iterations, losses, snapshots


@dataclass
class History:
    """The held-out flow-matching loss at each checkpoint, and the checkpoints' iterations (0 first)."""

    iterations: list[int]
    losses: list[float]


TrainedFlow = store.Trained[VelocityNet, History]
"""The velocity network, its loss curve, a snapshot per checkpoint and the store's record."""


def load_or_train(config: FlowConfig) -> TrainedFlow:
    """The trained network for ``config``, from the cache when present."""

    def trained() -> tuple[list[store.StateDict], dict]:
        _, iterations, losses, snapshots = train(config)
        return snapshots, {"iterations": iterations, "losses": losses, "final_loss": losses[-1]}

    return store.load_or_train(
        "flow",
        config.to_dict(),
        lambda: VelocityNet(config),
        trained,
        lambda record: History(record["iterations"], record["losses"]),
        snapshots="checkpoint",
    )


# sampling -----------------------------------------------------------------------


@torch.no_grad()
def euler(velocity: Velocity, x0: torch.Tensor, steps: int) -> tuple[torch.Tensor, torch.Tensor]:
    """x_{k+1} = x_k + dt v(x_k, t_k) with dt = 1/steps, t_k = k dt.

    Returns every position [steps + 1, n, 2] and the velocity used at each step [steps, n, 2].
    """
    dt = 1.0 / steps
    xs, vs = [x0], []
    for k in range(steps):
        v = velocity(xs[-1], torch.full((len(x0),), k * dt, dtype=x0.dtype))  # [n, 2]
        vs.append(v)
        xs.append(xs[-1] + dt * v)  # [n, 2]
    return torch.stack(xs), torch.stack(vs)


@torch.no_grad()
def heun(velocity: Velocity, x0: torch.Tensor, steps: int) -> torch.Tensor:
    """Heun's method: an Euler guess, then the average of the velocities at both ends of the step.

    Two network calls per step; returns every position [steps + 1, n, 2].
    """
    dt = 1.0 / steps
    xs = [x0]
    for k in range(steps):
        t0 = torch.full((len(x0),), k * dt, dtype=x0.dtype)  # [n]
        v0 = velocity(xs[-1], t0)  # [n, 2]
        guess = xs[-1] + dt * v0  # [n, 2]
        v1 = velocity(guess, t0 + dt)  # [n, 2]
        xs.append(xs[-1] + dt * (v0 + v1) / 2)  # [n, 2]
    return torch.stack(xs)


def mmd2(a: torch.Tensor, b: torch.Tensor, sigma: float) -> float:
    """Squared maximum mean discrepancy with a Gaussian kernel exp(-|p - q|^2 / (2 sigma^2)).

    The biased (V-statistic) estimate: mean k(a, a') + mean k(b, b') - 2 mean k(a, b),
    over all pairs including each point with itself. Zero when the clouds coincide.
    """

    def k(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        return torch.exp(-torch.cdist(p, q) ** 2 / (2 * sigma**2)).mean()

    return float(k(a, a) + k(b, b) - 2 * k(a, b))
