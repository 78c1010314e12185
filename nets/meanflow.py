"""MeanFlow in two dimensions: an average-velocity network u(z, r, t) that jumps from noise to two moons in one step.

Geng, Deng, Bai, Kolter and He (2025), "Mean Flows for One-step Generative Modeling".
The straight paths are those of :mod:`netreel.nets.flow`: z_t = (1 - t) x0 + t x1 with
t = 0 noise and t = 1 data, whose velocity is v = x1 - x0. The average velocity between
the times t and r of the flow through z_t is

    u(z_t, r, t) = 1 / (t - r) * integral from r to t of v(z_s, s) ds,

so that z_r = z_t + (r - t) u(z_t, r, t): u is the straight step from time t to time r.
Differentiating (t - r) u = integral with respect to t, with r held fixed, gives the
MeanFlow identity

    u(z_t, r, t) = v(z_t, t) - (t - r) d/dt u(z_t, r, t),  d/dt u = v . grad_z u + du/dt,

the total derivative along the path, which a Jacobian-vector product with tangents
(v, 0, 1) gives in one pass. The identity is the paper's, letter for letter; only the
direction of time differs. The paper's time runs from data (0) to noise (1) and samples
with r < t; here time runs from noise to data, so the step is taken towards a later
time, r >= t. One step from noise to data is x1 = x0 + (1 - 0) u(x0, r=1, t=0).

Training regresses u(z_t, r, t) on the target v - (t - r) d/dt u with the gradient stopped
at the target, where v is the pair's own x1 - x0 (the conditional velocity, as flow
matching uses). With r = t the target is v itself, and the loss is flow matching's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch

from netreel.nets import store
from netreel.nets.flow import PlaneMLP, make_moons, stream


@dataclass(frozen=True)
class MeanFlowConfig:
    """Everything that decides the data and the trained weights (hashed by the store).

    The data fields and their defaults are flow matching's, so both models learn the same moons.
    """

    n_train: int = 4000
    moon_noise: float = 0.08
    scale: float = 1.6
    width: int = 128
    depth: int = 3  # hidden layers
    iterations: int = 3000
    batch_size: int = 256
    lr: float = 3e-3  # Adam, cosine-annealed to zero
    jump_share: float = 0.75  # the share of (r, t) drawn with r > t; the rest have r = t
    eval_every: int = 100  # iterations between records of the batch loss
    seed: int = 0

    def to_dict(self) -> dict:
        return {"model": "meanflow", **asdict(self)}


class AverageVelocityNet(PlaneMLP):
    """u(z, r, t): a point, the time it is at and the time to jump to in, the average velocity out.

    Flow matching's velocity network with one more input.
    """

    inputs = 4

    def forward(self, z: torch.Tensor, r: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        return self.run(torch.cat([z, r[:, None], t[:, None]], dim=1))  # [n, 4]: x, y, r, t -> [n, 2]


def total_derivative(model, z: torch.Tensor, r: torch.Tensor, t: torch.Tensor, v: torch.Tensor):
    """u(z, r, t) and d/dt u(z_t, r, t) along a path moving with velocity v: one JVP, tangents (v, 0, 1)."""
    return torch.func.jvp(model, (z, r, t), (v, torch.zeros_like(r), torch.ones_like(t)))


def meanflow_loss(model, x0: torch.Tensor, x1: torch.Tensor, r: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Mean over pairs of |u(z_t, r, t) - sg(v - (t - r) du/dt)|^2, with v = x1 - x0."""
    z = (1 - t[:, None]) * x0 + t[:, None] * x1  # [n, 2]
    v = x1 - x0  # [n, 2]
    u, dudt = total_derivative(model, z, r, t, v)  # [n, 2], [n, 2]
    target = (v - (t - r)[:, None] * dudt).detach()  # [n, 2]
    return ((u - target) ** 2).sum(dim=1).mean()


def draw_times(n: int, jump_share: float, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """(r, t) for n pairs: t the smaller of two uniform draws and r the larger, then r = t for all
    but about ``jump_share`` of them."""
    a, b = torch.rand(n, generator=generator), torch.rand(n, generator=generator)  # [n], [n]
    jump = torch.rand(n, generator=generator) < jump_share  # [n]
    t = torch.minimum(a, b)
    return torch.where(jump, torch.maximum(a, b), t), t


def train(config: MeanFlowConfig) -> tuple[AverageVelocityNet, list[int], list[float]]:
    """Seeded MeanFlow training with Adam; the model, and the batch loss every ``eval_every`` iterations."""
    data = make_moons(config.n_train, stream(config.seed, "data"), config.moon_noise, config.scale).points
    g = stream(config.seed, "meanflow")
    model = AverageVelocityNet(config)
    model.init_weights(g)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, config.iterations)
    iterations, losses = [], []
    for i in range(1, config.iterations + 1):
        x1 = data[torch.randint(0, len(data), (config.batch_size,), generator=g)]  # [batch, 2]
        x0 = torch.randn(config.batch_size, 2, generator=g)  # [batch, 2]
        r, t = draw_times(config.batch_size, config.jump_share, g)  # [batch], [batch]
        optimiser.zero_grad()
        loss = meanflow_loss(model, x0, x1, r, t)
        loss.backward()
        optimiser.step()
        schedule.step()
        if i % config.eval_every == 0 or i == config.iterations:
            iterations.append(i)
            losses.append(float(loss.detach()))
    return model, iterations, losses


TrainedMeanFlow = store.Trained[AverageVelocityNet, dict]
"""The average-velocity network, its record's loss curve, and the store's record."""


def load_or_train(config: MeanFlowConfig) -> TrainedMeanFlow:
    """The trained network for ``config``, from the cache when present."""

    def trained() -> tuple[list[store.StateDict], dict]:
        model, iterations, losses = train(config)
        return [model.state_dict()], {"iterations": iterations, "losses": losses}

    return store.load_or_train(
        "meanflow",
        config.to_dict(),
        lambda: AverageVelocityNet(config),
        trained,
        lambda record: {"iterations": record["iterations"], "losses": record["losses"]},
    )


@torch.no_grad()
def one_step(model, x0: torch.Tensor) -> torch.Tensor:
    """Noise to data in one network call: x1 = x0 + (1 - 0) u(x0, r=1, t=0)."""
    n = len(x0)
    return x0 + model(x0, torch.ones(n, dtype=x0.dtype), torch.zeros(n, dtype=x0.dtype))
