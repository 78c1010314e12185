"""Chapter 9 (Flow matching): a velocity network carries Gaussian noise to two moons.

``build`` runs the trained networks (in float64, on their float32 weights): flow matching's
velocity network and MeanFlow's average-velocity network, which takes the same noise to
the same moons in one step; ``reference`` recomputes every fact with numpy from the stored
weights, its own two-moons formula, its own Euler and Heun loops and its own kernel sums.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch

from netreel.nets import flow, meanflow
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts, as_arrays

KEYS = (
    "data.points", "data.moon", "data.n_train", "train.batch", "train.iterations", "model.params",
    "loss.iteration", "loss.value", "pairs.count", "pool.count", "pool.passing", "pool.size",
    "field.grid", "field.probe", "field.t", "field.v",
    "focus.point", "focus.t", "focus.v", "focus.ideal", "focus.radius", "few.steps", "few.x",
    "traj.particles", "traj.moon", "traj.steps", "traj.step", "traj.dt", "traj.t", "traj.x", "traj.v",
    "traj.length_ratio",
    "quality.n", "quality.steps", "quality.sigma", "quality.samples", "quality.euler", "quality.heun",
    "quality.noise", "quality.baseline", "quality.data", "quality.euler_nfe", "quality.heun_nfe",
    "meanflow.params", "meanflow.iterations", "meanflow.jump_share", "meanflow.nfe", "meanflow.samples", "meanflow.mmd",
    "meanflow.steps", "meanflow.flow_mmd", "meanflow.paths",
)

MEANINGS = {
    "data.points": "points of the two-moons data, [point, x y]",
    "data.moon": "which moon each point belongs to",
    "data.n_train": "how many points the model is trained on",
    "train.batch": "the points in each training batch",
    "train.iterations": "how many training steps it takes",
    "model.params": "the velocity model's parameters, counted",
    "loss.iteration": "the training steps where the loss is recorded",
    "loss.value": "the loss there",
    "pairs.count": "how many noise-data pairs are drawn",
    "pool.count": "how many pairs pass near the focus point at the focus time",
    "pool.passing": "those pairs' velocities, x1 - x0",
    "pool.size": "how many pairs are drawn to find them",
    "field.grid": "the points where the velocity field is drawn",
    "field.probe": "the grid point nearest the focus point, whose arrow is followed",
    "field.t": "the times the field is shown at",
    "field.v": "the model's velocity at every grid point and time, [time, point, x y]",
    "focus.point": "the point where the learned velocity is compared with the ideal",
    "focus.t": "the time of the comparison",
    "focus.v": "the model's velocity there",
    "focus.ideal": "the ideal velocity there: the mean of the passing pairs'",
    "focus.radius": "how near a pair must pass to count",
    "few.steps": "the few straight steps of the comparison",
    "few.x": "the particles after each of those steps, [step, particle, x y]",
    "traj.particles": "how many particles move",
    "traj.moon": "the moon each particle ends nearest",
    "traj.steps": "the Euler steps from noise to data",
    "traj.step": "the step numbers, from 0",
    "traj.dt": "the time each step takes",
    "traj.t": "the time at each step",
    "traj.x": "every particle at every step, [step, particle, x y]",
    "traj.v": "the model's velocity of every particle at every step",
    "traj.length_ratio": "how much longer the paths are than straight lines, on average",
    "quality.n": "how many samples each measurement draws",
    "quality.steps": "the step counts compared",
    "quality.sigma": "the kernel width of the distance (MMD²)",
    "quality.samples": "the Euler samples at each step count, [count, particle, x y]",
    "quality.euler": "the distance of Euler's samples from the data at each step count",
    "quality.heun": "the distance of Heun's samples from the data at each step count",
    "quality.noise": "the distance of pure noise from the data",
    "quality.baseline": "the distance of fresh data from the data: the floor",
    "quality.data": "held-out data points the samples are measured against, the first of them, [point, x y]",
    "quality.euler_nfe": "the network evaluations Euler's method makes at each step count",
    "quality.heun_nfe": "the network evaluations Heun's method makes at each step count (two a step)",
    "meanflow.params": "the MeanFlow model's parameters, counted",
    "meanflow.iterations": "how many training steps MeanFlow takes",
    "meanflow.jump_share": "the share of training times that ask for a jump (r > t) rather than a velocity (r = t)",
    "meanflow.nfe": "the network evaluations of MeanFlow's one step",
    "meanflow.samples": "MeanFlow's one-step samples from the quality noise, [particle, x y]",
    "meanflow.mmd": "the distance of MeanFlow's one-step samples (all of them) from the data",
    "meanflow.steps": "the flow-matching Euler step counts MeanFlow is compared with",
    "meanflow.flow_mmd": "the distance of flow matching's samples from the data at those step counts, on the same noise",
    "meanflow.paths": "flow matching's Euler paths of the drawn noise at those step counts, at every 1/32 of the time"
    " (straight within each step), [count, time, particle, x y]",
}
"""What each of :data:`KEYS` holds (``netreel info flow --facts``)."""


@dataclass(frozen=True)
class Lesson:
    """What the chapter shows: how many particles, which times, which step counts."""

    particles: int = 600  # drawn on screen: the first of the samples
    samples: int = 1000  # fresh noise points integrated for the quality measure
    steps: int = 32  # Euler steps of the main run
    few_steps: int = 4  # the "few straight steps" of the comparison
    quality_steps: tuple[int, ...] = (1, 2, 4, 8, 16, 32)
    field_steps: tuple[int, ...] = tuple(range(33))  # Euler steps whose time the field is drawn at: every one
    grid_x: tuple[float, float, int] = (-3.2, 3.2, 17)
    grid_y: tuple[float, float, int] = (-2.4, 2.4, 13)
    pairs: int = 16  # noise-data pairs drawn as straight paths
    focus: tuple[float, float] = (1.2, 0.4)  # a grid point where the network is compared with the pairs passing by
    focus_t: float = 0.5
    focus_radius: float = 0.25  # "passing by": within this distance of the focus at time focus_t
    pool: int = 20000  # random pairs searched for those passing by
    sigma: float = 0.2  # the Gaussian kernel's width in the quality measure
    against_meanflow: tuple[int, ...] = (1, 2, 4, 32)  # of quality_steps: flow matching's counts beside MeanFlow's one step

    def grid(self) -> np.ndarray:
        """The points the velocity field is drawn at, row by row: [rows * cols, 2]."""
        gx, gy = np.meshgrid(np.linspace(*self.grid_x), np.linspace(*self.grid_y))  # [rows, cols] each
        return np.stack([gx.ravel(), gy.ravel()], axis=1)


LESSON = Lesson()


def config_for(config: NetConfig) -> flow.FlowConfig:
    return flow.FlowConfig(seed=config.seed)


def trained(config: NetConfig) -> flow.TrainedFlow:
    return flow.load_or_train(config_for(config))


def meanflow_config_for(config: NetConfig) -> meanflow.MeanFlowConfig:
    return meanflow.MeanFlowConfig(seed=config.seed)


def sample_noise(config: NetConfig, n: int) -> torch.Tensor:
    """The noise points every sample starts from (float64)."""
    return torch.randn(n, 2, generator=flow.stream(config.seed, "samples")).double()  # [n, 2]


def fine_path(path: torch.Tensor, fine: int) -> torch.Tensor:
    """An Euler path [n + 1, points, 2] at every 1/``fine`` of the time (``fine`` a multiple of n): each
    step is a straight segment, crossed at constant speed. [fine + 1, points, 2]"""
    n = path.shape[0] - 1
    s = torch.arange(fine + 1, dtype=torch.float64) * n / fine  # [fine + 1]: steps done
    k = s.floor().long().clamp(max=n - 1)  # [fine + 1]
    frac = (s - k)[:, None, None]
    return path[k] + frac * (path[k + 1] - path[k])


def counted_calls(run) -> int:
    """How many times ``run(velocity)`` calls the velocity it is given (a zero field)."""
    calls = []

    def velocity(x, t):
        calls.append(1)
        return torch.zeros_like(x)

    run(velocity)
    return len(calls)


def build(config: NetConfig) -> Facts:
    lesson = LESSON
    fc = config_for(config)
    net = trained(config)
    model = copy.deepcopy(net.model).double().requires_grad_(False)
    data = flow.train_data(fc)
    holdout = flow.holdout_data(fc).points.double()  # [n_holdout, 2]
    train_points = data.points.double()  # [n_train, 2]
    noise = sample_noise(config, lesson.samples)  # [samples, 2]
    shown = noise[: lesson.particles]  # [particles, 2]

    focus = torch.tensor([lesson.focus], dtype=torch.float64)  # [1, 2]
    g = flow.stream(config.seed, "pool")
    pool_x0 = torch.randn(lesson.pool, 2, generator=g).double()  # [pool, 2]
    pool_x1 = train_points[torch.randint(0, fc.n_train, (lesson.pool,), generator=g)]  # [pool, 2]
    pool_t = torch.full((lesson.pool,), lesson.focus_t, dtype=torch.float64)
    pool_xt, pool_v = flow.interpolate(pool_x0, pool_x1, pool_t)  # [pool, 2], [pool, 2]
    passing = pool_v[(pool_xt - focus).norm(dim=1) < lesson.focus_radius]  # [m, 2]

    xs, vs = flow.euler(model, shown, lesson.steps)  # [steps + 1, particles, 2], [steps, particles, 2]
    times = torch.arange(lesson.steps + 1, dtype=torch.float64) / lesson.steps  # [steps + 1]
    grid = torch.from_numpy(lesson.grid())  # [g, 2]
    field_t = times[list(lesson.field_steps)]  # [T]
    field = []
    for t in field_t:
        _, cache = model.run_with_cache(grid, torch.full((len(grid),), float(t), dtype=torch.float64))
        field.append(cache["hook_velocity"])  # [g, 2]
    probe = int(torch.cdist(focus, grid).argmin())

    euler_samples = torch.stack([flow.euler(model, noise, n)[0][-1] for n in lesson.quality_steps])  # [K, samples, 2]
    heun_samples = [flow.heun(model, noise, n)[-1] for n in lesson.quality_steps]  # K x [samples, 2]
    few, _ = flow.euler(model, shown, lesson.few_steps)  # [few + 1, particles, 2]
    arc = (xs[1:] - xs[:-1]).norm(dim=2).sum(dim=0)  # [particles]
    chord = (xs[-1] - xs[0]).norm(dim=1)  # [particles]
    nearest = torch.cdist(xs[-1], train_points).argmin(dim=1)  # [particles]
    fresh = flow.make_moons(lesson.samples, flow.stream(config.seed, "fresh"), fc.moon_noise, fc.scale).points.double()
    euler_mmd = [flow.mmd2(s, holdout, lesson.sigma) for s in euler_samples]
    mc = meanflow_config_for(config)
    mean_net = meanflow.load_or_train(mc)
    jumped = meanflow.one_step(copy.deepcopy(mean_net.model).double(), noise)  # [samples, 2]
    paths = torch.stack([fine_path(flow.euler(model, shown, n)[0], lesson.steps) for n in lesson.against_meanflow])

    values = {
        "data.points": train_points[: lesson.particles],
        "data.moon": data.moon[: lesson.particles],
        "data.n_train": fc.n_train,
        "pairs.count": lesson.pairs,
        "focus.point": focus[0],
        "focus.t": lesson.focus_t,
        "focus.radius": lesson.focus_radius,
        "focus.v": model(focus, pool_t[:1])[0],
        "focus.ideal": flow.ideal_velocity(focus, lesson.focus_t, train_points)[0],
        "pool.size": lesson.pool,
        "pool.passing": passing,
        "pool.count": len(passing),
        "field.t": field_t,
        "field.grid": grid,
        "field.v": torch.stack(field),
        "field.probe": probe,
        "traj.steps": lesson.steps,
        "traj.dt": 1.0 / lesson.steps,
        "traj.step": torch.arange(lesson.steps + 1),
        "traj.t": times,
        "traj.x": xs,
        "traj.v": vs,
        "traj.moon": data.moon[nearest],
        "traj.particles": lesson.particles,
        "traj.length_ratio": arc.sum() / chord.sum(),
        "few.steps": lesson.few_steps,
        "few.x": few,
        "loss.iteration": net.history.iterations,
        "loss.value": net.history.losses,
        "train.iterations": fc.iterations,
        "train.batch": fc.batch_size,
        "model.params": net.model.n_params(),
        "quality.steps": lesson.quality_steps,
        "quality.samples": euler_samples[:, : lesson.particles],
        "quality.euler": euler_mmd,
        "quality.heun": [flow.mmd2(s, holdout, lesson.sigma) for s in heun_samples],
        "quality.noise": flow.mmd2(noise, holdout, lesson.sigma),
        "quality.baseline": flow.mmd2(fresh, holdout, lesson.sigma),
        "quality.sigma": lesson.sigma,
        "quality.n": lesson.samples,
        "quality.data": holdout[: lesson.particles],
        "quality.euler_nfe": [counted_calls(lambda v: flow.euler(v, noise[:1], n)) for n in lesson.quality_steps],
        "quality.heun_nfe": [counted_calls(lambda v: flow.heun(v, noise[:1], n)) for n in lesson.quality_steps],
        "meanflow.params": mean_net.model.n_params(),
        "meanflow.iterations": mc.iterations,
        "meanflow.jump_share": mc.jump_share,
        "meanflow.nfe": 1,
        "meanflow.samples": jumped[: lesson.particles],
        "meanflow.mmd": flow.mmd2(jumped, holdout, lesson.sigma),
        "meanflow.steps": lesson.against_meanflow,
        "meanflow.flow_mmd": [euler_mmd[lesson.quality_steps.index(n)] for n in lesson.against_meanflow],
        "meanflow.paths": paths,
    }
    return Facts(as_arrays(values), {"net_key": net.record["key"], "meanflow_key": mean_net.record["key"]})


# the reference: numpy, written apart from netreel.nets.flow ---------------------------------


def _moons(n: int, generator: torch.Generator, noise: float, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Two moons from the same raw draws, the lower moon made as the upper one turned half a circle
    about (1/2, 1/4): (1 - cos a, 1/2 - sin a) = 2 (1/2, 1/4) - (cos a, sin a)."""
    angle, lower, jitter = (d.double().numpy() for d in flow.moon_draws(n, generator))
    upper = np.stack([np.cos(angle), np.sin(angle)], axis=1)  # [n, 2]
    centre = np.array([0.5, 0.25])
    base = np.where(lower[:, None] > 0, 2 * centre - upper, upper)  # [n, 2]
    points = base + noise * jitter  # [n, 2]
    return ((points - centre) * scale).astype(np.float32).astype(np.float64), lower.astype(np.float64)


class _Numpy:
    """A network of either chapter's models as plain matrix algebra on one snapshot of its weights:
    the point and its times in (t for the velocity, r then t for the average velocity)."""

    def __init__(self, weights: dict[str, torch.Tensor]) -> None:
        w = {k: v.double().numpy() for k, v in weights.items()}
        n_hidden = sum(1 for k in w if k.startswith("layers.") and k.endswith(".weight"))
        self.hidden = [(w[f"layers.{i}.linear.weight"], w[f"layers.{i}.linear.bias"]) for i in range(n_hidden)]
        self.out = (w["out.weight"], w["out.bias"])

    def __call__(self, x: np.ndarray, *times: np.ndarray) -> np.ndarray:
        h = np.column_stack([x, *times])  # [n, 2 + times]
        for weight, bias in self.hidden:
            z = h @ weight.T + bias  # [n, width]
            h = z / (1.0 + np.exp(-z))  # [n, width]: silu
        return h @ self.out[0].T + self.out[1]  # [n, 2]


def _euler(v: _Numpy, x: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    path, used = [x], []
    for k in range(steps):
        step = v(path[-1], np.full(len(x), k / steps))  # [n, 2]
        used.append(step)
        path.append(path[-1] + step / steps)
    return np.array(path), np.array(used)


def _heun(v: _Numpy, x: np.ndarray, steps: int) -> np.ndarray:
    """Heun's method; it calls ``v`` twice a step."""
    for k in range(steps):
        start = v(x, np.full(len(x), k / steps))  # [n, 2]
        end = v(x + start / steps, np.full(len(x), (k + 1) / steps))  # [n, 2]
        x = x + (start + end) / (2 * steps)
    return x


def _calls(run) -> int:
    """The calls ``run(v)`` makes to the field it is given."""
    calls = [0]

    def v(x: np.ndarray, t: np.ndarray) -> np.ndarray:
        calls[0] += 1
        return np.zeros_like(x)

    run(v)
    return calls[0]


def _ideal(p: np.ndarray, t: float, data: np.ndarray) -> np.ndarray:
    """E[x1 - x0 | x_t = p]: each data point weighted by the Gaussian density of reaching p from it."""
    d2 = ((data * t - p) ** 2).sum(axis=1)  # [m]
    w = np.exp(-(d2 - d2.min()) / (2 * (1 - t) ** 2))  # [m]
    return (w @ (data - p)) / w.sum() / (1 - t)


def _mmd2(a: np.ndarray, b: np.ndarray, sigma: float) -> float:
    def mean_kernel(p: np.ndarray, q: np.ndarray) -> float:
        d2 = (p**2).sum(1)[:, None] + (q**2).sum(1)[None, :] - 2 * p @ q.T  # [n, m]
        return float(np.exp(-np.maximum(d2, 0) / (2 * sigma * sigma)).mean())

    return mean_kernel(a, a) + mean_kernel(b, b) - 2 * mean_kernel(a, b)


def reference(config: NetConfig) -> dict[str, np.ndarray]:
    lesson = LESSON
    fc = config_for(config)
    net = trained(config)
    v = _Numpy(net.snapshots[-1])
    train_points, train_moon = _moons(fc.n_train, flow.stream(config.seed, "data"), fc.moon_noise, fc.scale)
    holdout, _ = _moons(fc.n_holdout, flow.stream(config.seed, "holdout"), fc.moon_noise, fc.scale)
    fresh, _ = _moons(lesson.samples, flow.stream(config.seed, "fresh"), fc.moon_noise, fc.scale)
    noise = torch.randn(lesson.samples, 2, generator=flow.stream(config.seed, "samples")).double().numpy()
    shown = noise[: lesson.particles]

    t, focus = lesson.focus_t, np.array(lesson.focus)
    g = flow.stream(config.seed, "pool")
    pool_x0 = torch.randn(lesson.pool, 2, generator=g).double().numpy()
    pool_x1 = train_points[torch.randint(0, fc.n_train, (lesson.pool,), generator=g).numpy()]
    near = np.hypot(*((1 - t) * pool_x0 + t * pool_x1 - focus).T) < lesson.focus_radius
    passing = pool_x1[near] - pool_x0[near]
    grid = lesson.grid()
    path, used = _euler(v, shown, lesson.steps)
    times = np.array([k / lesson.steps for k in range(lesson.steps + 1)])
    field_t = times[list(lesson.field_steps)]
    few, _ = _euler(v, shown, lesson.few_steps)
    lengths = np.sqrt(((path[1:] - path[:-1]) ** 2).sum(axis=2)).sum(axis=0)  # [particles]
    nearest = np.array([np.argmin(((train_points - p) ** 2).sum(axis=1)) for p in path[-1]])

    loss_gen = flow.stream(config.seed, "loss")
    x0_eval = torch.randn(fc.n_loss, 2, generator=loss_gen).double().numpy()
    x1_eval = holdout[torch.randint(0, fc.n_holdout, (fc.n_loss,), generator=loss_gen).numpy()]
    t_eval = torch.rand(fc.n_loss, generator=loss_gen).double().numpy()
    x_eval = x0_eval + t_eval[:, None] * (x1_eval - x0_eval)
    losses = [
        float((((_Numpy(snapshot)(x_eval, t_eval)) - (x1_eval - x0_eval)) ** 2).sum(axis=1).mean())
        for snapshot in net.snapshots
    ]
    finals = np.array([_euler(v, noise, n)[0][-1] for n in lesson.quality_steps])  # [K, samples, 2]
    mc = meanflow_config_for(config)
    mean_weights = meanflow.load_or_train(mc).snapshots[-1]
    jumped = noise + _Numpy(mean_weights)(noise, np.ones(len(noise)), np.zeros(len(noise)))  # r = 1, t = 0
    compared = [finals[list(lesson.quality_steps).index(n)] for n in lesson.against_meanflow]
    fine = np.arange(lesson.steps + 1) / lesson.steps  # [steps + 1]: the times of the fine grid
    paths = []
    for n in lesson.against_meanflow:
        coarse = _euler(v, shown, n)[0]  # [n + 1, particles, 2]
        grid_t = np.arange(n + 1) / n
        paths.append(np.stack([
            np.stack([np.interp(fine, grid_t, coarse[:, i, d]) for d in range(2)], axis=1) for i in range(len(shown))
        ], axis=1))  # [steps + 1, particles, 2]

    values = {
        "data.points": train_points[: lesson.particles],
        "data.moon": train_moon[: lesson.particles],
        "data.n_train": len(train_points),
        "pairs.count": lesson.pairs,
        "focus.point": focus,
        "focus.t": t,
        "focus.radius": lesson.focus_radius,
        "focus.v": v(focus[None], np.array([t]))[0],
        "pool.size": lesson.pool,
        "pool.passing": passing,
        "pool.count": int(near.sum()),
        "focus.ideal": _ideal(focus, t, train_points),
        "field.t": field_t,
        "field.grid": grid,
        "field.v": np.array([v(grid, np.full(len(grid), s)) for s in field_t]),
        "field.probe": int(np.argmin(((grid - focus) ** 2).sum(axis=1))),
        "traj.steps": lesson.steps,
        "traj.dt": 1.0 / lesson.steps,
        "traj.step": np.arange(lesson.steps + 1),
        "traj.t": times,
        "traj.x": path,
        "traj.v": used,
        "traj.moon": train_moon[nearest],
        "traj.particles": len(shown),
        "traj.length_ratio": float(lengths.sum() / np.sqrt(((path[-1] - path[0]) ** 2).sum(axis=1)).sum()),
        "few.steps": lesson.few_steps,
        "few.x": few,
        "loss.iteration": [fc.eval_every * c for c in range(len(net.snapshots) - 1)] + [fc.iterations],
        "loss.value": losses,
        "train.iterations": fc.iterations,
        "train.batch": fc.batch_size,
        "model.params": sum(int(np.prod(w.shape)) for w in net.snapshots[-1].values()),
        "quality.steps": list(lesson.quality_steps),
        "quality.samples": finals[:, : lesson.particles],
        "quality.euler": [_mmd2(s, holdout, lesson.sigma) for s in finals],
        "quality.heun": [_mmd2(_heun(v, noise, n), holdout, lesson.sigma) for n in lesson.quality_steps],
        "quality.noise": _mmd2(noise, holdout, lesson.sigma),
        "quality.baseline": _mmd2(fresh, holdout, lesson.sigma),
        "quality.sigma": lesson.sigma,
        "quality.n": len(noise),
        "quality.data": holdout[: lesson.particles],
        "quality.euler_nfe": [_calls(lambda v: _euler(v, noise[:1], n)) for n in lesson.quality_steps],
        "quality.heun_nfe": [_calls(lambda v: _heun(v, noise[:1], n)) for n in lesson.quality_steps],
        "meanflow.params": sum(int(np.prod(w.shape)) for w in mean_weights.values()),
        "meanflow.iterations": mc.iterations,
        "meanflow.jump_share": mc.jump_share,
        "meanflow.nfe": 1,
        "meanflow.samples": jumped[: lesson.particles],
        "meanflow.mmd": _mmd2(jumped, holdout, lesson.sigma),
        "meanflow.steps": list(lesson.against_meanflow),
        "meanflow.flow_mmd": [_mmd2(s, holdout, lesson.sigma) for s in compared],
        "meanflow.paths": np.array(paths),
    }
    return as_arrays(values)


def summary(config: NetConfig) -> list[tuple[str, str]]:
    fc = config_for(config)
    net = trained(config)
    mean_net = meanflow.load_or_train(meanflow_config_for(config))
    facts = build(config)
    steps = [int(n) for n in facts["quality.steps"]]
    euler = ", ".join(f"{n}: {m:.4f}" for n, m in zip(steps, facts["quality.euler"]))
    heun = ", ".join(f"{n}: {m:.4f}" for n, m in zip(steps, facts["quality.heun"]))
    return [
        ("data", f"two moons, {fc.n_train:,} training points, seed {config.seed}"),
        ("network", f"(x, y, t) -> {' -> '.join([str(fc.width)] * fc.depth)} -> 2, SiLU"),
        ("parameters", f"{net.model.n_params():,}"),
        ("iterations, batch, lr", f"{fc.iterations:,}, {fc.batch_size}, {fc.lr} (Adam, cosine)"),
        ("held-out loss", f"{net.history.losses[-1]:.4f} (untrained {net.history.losses[0]:.4f})"),
        (f"MMD^2 (sigma {LESSON.sigma}), Euler", euler),
        ("MMD^2, Heun", heun),
        ("MMD^2, noise / fresh data", f"{facts['quality.noise']:.4f} / {facts['quality.baseline']:.4f}"),
        ("path length / straight line", f"{facts['traj.length_ratio']:.4f}"),
        ("training time", f"{net.record['train_seconds']:.1f} s"),
        ("cache key", net.record["key"]),
        ("MeanFlow MMD^2, one step", f"{facts['meanflow.mmd']:.4f}"),
        ("MeanFlow training time", f"{mean_net.record['train_seconds']:.1f} s"),
        ("MeanFlow cache key", mean_net.record["key"]),
    ]
