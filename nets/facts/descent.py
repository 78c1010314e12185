"""Chapter 2 (Gradient descent): the cost of the digit MLP, its slices, its gradient, its training.

``build`` runs the model (its forward pass, autograd, the vectorised cost
landscape); ``reference`` recomputes every key by plain algebra on the stored
weights, the chain rule written out instead of autograd, and a loop over the
grid instead of the vectorised landscape.

The weights whose cost curve and surface are shown are an editorial choice
(``netreel.nets.terrain``: the clearest two-valley slices), read from the store by both.
"""

from __future__ import annotations

import numpy as np
import torch

from netreel.nets import gradients, landscape, mlp, names, terrain
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts, as_arrays
from netreel.nets.facts.network import trained

AVERAGE_SHOWN = 8  # training digits shown one by one before the average
GRADIENT_SHOWN = 5  # largest entries of -grad C shown by name
SNAPSHOT_EPOCHS = (0, 1, 2, 5, 10)  # and the last: the edges recoloured during training
CURVE_POINTS = 121  # samples of the 1-D cost curve
SLICE_STEPS = 400  # gradient steps of each ball on the curve: enough to come to rest in a shallow valley
SURFACE_STEPS = 120  # gradient steps of each path on the surface
RING = 8  # candidate starts of surface paths, on a ring around its centre
SHOWN_PATHS = 3  # at most this many surface paths are shown, each ending in a different valley
STEP_FRACTION = 0.08  # the steepest step is this fraction of the plotted range
LOOP_LR = 1.0  # the learning rate of the full steps w <- w - eta grad C shown on the untrained network
LOOP_STEPS = 4  # how many such steps

STATES = ("untrained", "trained")  # the network before training and after, side by side

KEYS = (
    "classes", "sizes", "data.n_train", "example.index", "example.label", "example.pixels", "example.target",
    *(f"example.{state}.{what}" for state in STATES for what in ("output", "terms", "cost")),
    *(f"avg.{state}.cost" for state in STATES), *(f"cost.{state}" for state in STATES),
    "avg.index", "avg.label", "avg.pixels", "avg.rest",
    "train.cost", "train.accuracy", "train.epochs", "train.shown",
    "train.snap.{snapshot}." + names.layer("{layer}", "weight"),
    "grad.count", "grad.sorted", "grad.top", "grad.top.name", "grad.top.value", "grad.median", "grad.median.name",
    "grad.median.value", "grad.rest", "grad.ratio", "grad.nudge", "terrain.epoch",
    "curve.name", "curve.grid", "curve.cost", "curve.current", "curve.lr", "curve.valleys", "curve.balls",
    "curve.balls.cost", "curve.other", "curve.other.value", "curve.others",
    "curve.tangent", "curve.tangent.w", "curve.tangent.cost", "curve.tangent.slope",
    "surface.name", "surface.grid", "surface.cost", "surface.current", "surface.lr", "surface.valleys",
    "surface.paths", "surface.paths.cost", "surface.gradient",
    "grad." + names.layer("{layer}", "weight"), "grad.up", "grad.up.name", "grad.up.value",
    "loop.lr", "loop.cost", "loop.nudge.{step}." + names.layer("{layer}", "weight"),
)

MEANINGS = {
    "classes": "the digit classes 0 to 9",
    "sizes": "the neurons per layer, input first",
    "data.n_train": "how many training digits the cost is averaged over",
    "example.index": "which training digit the cost is first shown on",
    "example.label": "that digit's label",
    "example.pixels": "that digit's pixels, row by row",
    "example.target": "the outputs wanted for it: 1 for its label, 0 elsewhere",
    "example.untrained.output": "the untrained network's ten outputs for the example",
    "example.untrained.terms": "each output's squared difference from the target, untrained",
    "example.untrained.cost": "the example's cost before training: the sum of those terms",
    "example.trained.output": "the trained network's ten outputs for the example",
    "example.trained.terms": "each output's squared difference from the target, trained",
    "example.trained.cost": "the example's cost after training",
    "avg.untrained.cost": "the cost of each of the first training digits shown, untrained",
    "avg.trained.cost": "the cost of each of the first training digits shown, trained",
    "cost.untrained": "the average cost over every training digit, untrained",
    "cost.trained": "the average cost over every training digit, trained",
    "avg.index": "which training digits the average scene shows",
    "avg.label": "their labels",
    "avg.pixels": "their pixels, one row per digit",
    "avg.rest": "how many training digits the average also counts, not shown",
    "train.cost": "the training cost at the start and after each epoch",
    "train.accuracy": "the held-out accuracy at the start and after each epoch",
    "train.epochs": "how many epochs training runs",
    "train.shown": "the epochs whose weights are shown as snapshots",
    "train.snap.{snapshot}.layers.{layer}.weight": "layer {layer}'s weights at shown epoch number {snapshot}",
    "grad.count": "how many parameters the gradient has entries for",
    "grad.sorted": "the size of every entry of the negative gradient, largest first",
    "grad.top": "the indices of the largest entries shown",
    "grad.top.name": "those parameters' names: [layer + 1, neuron, input] (-1 for a bias)",
    "grad.top.value": "those entries of the negative gradient",
    "grad.median": "the index of the entry of median size",
    "grad.median.name": "that parameter's name: [layer + 1, neuron, input] (-1 for a bias)",
    "grad.median.value": "that entry of the negative gradient",
    "grad.rest": "how many entries are not shown",
    "grad.ratio": "how many times the largest entry is the median one",
    "grad.nudge": "the negative gradient of the average cost, one entry per parameter",
    "terrain.epoch": "the training epoch whose weights the cost curve and surface are cut through",
    "curve.name": "the weight the cost curve varies: [layer + 1, neuron, input]",
    "curve.grid": "the values that weight takes along the curve",
    "curve.cost": "the average cost at each of them, every other parameter kept",
    "curve.current": "the weight's value in the network",
    "curve.lr": "the learning rate of the balls' descent along the curve",
    "curve.valleys": "how many distinct valleys the balls end in",
    "curve.balls": "each ball's weight at every step of its descent",
    "curve.balls.cost": "each ball's cost at every step",
    "curve.other": "a second weight, named [layer + 1, neuron, input], the one the surface adds",
    "curve.other.value": "that weight's value in the network",
    "curve.others": "how many other parameters stay fixed",
    "curve.tangent": "which ball the tangent line is drawn at",
    "curve.tangent.w": "that ball's starting weight",
    "curve.tangent.cost": "the cost there",
    "curve.tangent.slope": "the slope of the cost there (autograd)",
    "surface.name": "the two weights the cost surface varies, each [layer + 1, neuron, input]",
    "surface.grid": "the values each of them takes along a side of the surface",
    "surface.cost": "the average cost at every pair of them",
    "surface.current": "the two weights' values in the network",
    "surface.lr": "the learning rate of the descent paths on the surface",
    "surface.valleys": "how many descent paths are shown, each ending in a valley of its own",
    "surface.paths": "each shown path's two weights at every step",
    "surface.paths.cost": "each shown path's cost at every step",
    "surface.gradient": "the gradient of the cost along the two weights at their values in the network (autograd)",
    "grad.layers.{layer}.weight": "the negative gradient's entries for layer {layer}'s weights, [out, in], untrained",
    "grad.up": "the index of the largest positive entry of the negative gradient",
    "grad.up.name": "that parameter's name: [layer + 1, neuron, input] (-1 for a bias)",
    "grad.up.value": "that entry of the negative gradient",
    "loop.lr": "the learning rate of the full gradient steps taken on the untrained network",
    "loop.cost": "the average training cost before the first full step and after each one",
    "loop.nudge.{step}.layers.{layer}.weight": "step {step}'s change of layer {layer}'s weights, -lr times the gradient",
}
"""What each of :data:`KEYS` holds (``netreel info descent --facts``)."""


def build(config: NetConfig) -> Facts:
    data = config.digits()
    net = trained(config)
    x, y = terrain.training_tensors(data)
    first = net.snapshots[0]
    models = {"untrained": _model(net, first), "trained": net.model}
    values: dict[str, object] = {"classes": np.arange(10), "sizes": np.array(net.model.config.sizes), "data.n_train": len(y)}

    index = first_correct(net.model(x.float()).argmax(dim=1).numpy(), y.numpy())
    values.update({"example.index": index, "example.label": int(y[index]), "example.pixels": x[index], "example.target": mlp.one_hot(y[index : index + 1])[0]})
    for state, model in models.items():
        _, cache = model.run_with_cache(x[index : index + 1].float())
        output = cache[names.layer(len(model.layers) - 1, "hook_a")][0]  # [10]
        terms = (output - values["example.target"]) ** 2  # [10]
        values.update({f"example.{state}.output": output, f"example.{state}.terms": terms, f"example.{state}.cost": terms.sum()})

    shown = np.arange(AVERAGE_SHOWN)
    values.update({"avg.index": shown, "avg.pixels": x[shown], "avg.label": y[shown], "avg.rest": len(y) - AVERAGE_SHOWN})
    for state, model in models.items():
        out = model(x.float())  # [n, 10]
        per_example = ((out - mlp.one_hot(y)) ** 2).sum(dim=1)  # [n]
        values.update({f"avg.{state}.cost": per_example[shown], f"cost.{state}": per_example.mean()})

    land = terrain.load(net, data)
    values.update(curve_facts(land, x, y))
    values.update(surface_facts(land, x, y))
    values.update(gradient_facts(gradients.autograd(terrain.double(first), x, y)))
    values.update(loop_facts(terrain.double(first), x, y))
    values.update(training_facts(net))
    meta = {"dataset": data.name, "side": data.side, "net_key": net.record["key"]}
    return Facts(as_arrays(values), meta)


def first_correct(predictions: np.ndarray, labels: np.ndarray) -> int:
    """The first training digit the trained network gets right: the example, so that training visibly fixes it."""
    return int(np.flatnonzero(predictions == labels)[0])


def _model(net: mlp.TrainedMLP, snapshot: dict[str, torch.Tensor]) -> mlp.MLP:
    model = mlp.MLP(net.model.config)
    model.load_state_dict(snapshot)
    return model.eval()


def name(param: landscape.Param) -> list[int]:
    """A parameter as written on screen, w^(l)_{j,k}: [layer number from 1, row, column]."""
    return [param.layer + 1, param.row, param.col]


# --- one weight -----------------------------------------------------------------
def curve_window(land: terrain.Terrain) -> tuple[float, float]:
    """The part of the first weight's range that frames its two lowest valleys."""
    row = land.surface[:, _nearest(land.grid, land.current()[1])].numpy()  # the surface along the first weight
    found = sorted(sorted(landscape.valleys(row), key=lambda i: row[i])[:2]) or [int(np.argmin(row))]
    lo, hi = float(land.grid[found[0]]), float(land.grid[found[-1]])
    margin = max(0.6 * (hi - lo), 0.15 * terrain.REACH)
    return max(lo - margin, -terrain.REACH), min(hi + margin, terrain.REACH)


def _nearest(grid: torch.Tensor, value: torch.Tensor) -> int:
    return int(torch.argmin((grid - value).abs()))


def ball_starts(grid: np.ndarray, curve: np.ndarray) -> np.ndarray:
    """Where the balls are dropped: halfway between each of the two lowest valleys and the ridge
    or the end of the range on either side of it."""
    found = sorted(sorted(landscape.valleys(curve), key=lambda i: curve[i])[:2]) or [int(np.argmin(curve))]
    walls = [0]
    for left, right in zip(found, found[1:]):
        walls.append(left + int(np.argmax(curve[left : right + 1])))
    walls.append(len(grid) - 1)
    starts = []
    for k, valley in enumerate(found):
        starts += [(grid[walls[k]] + grid[valley]) / 2, (grid[valley] + grid[walls[k + 1]]) / 2]
    return np.array(starts)


def learning_rate(values: np.ndarray, grid: np.ndarray) -> float:
    """A round learning rate (1, 2 or 5 times a power of ten) for a sampled curve [G] or surface [G, G].

    Small enough that the steepest step covers at most STEP_FRACTION of the range, and
    that no valley is overshot (at most 1 / the largest curvature, from finite differences).
    """
    if values.ndim == 1:
        slopes = np.gradient(values, grid)
        steepest, curvature = np.abs(slopes).max(), np.gradient(slopes, grid).max()
    else:
        du, dv = np.gradient(values, grid, grid)
        (duu, duv), (_, dvv) = np.gradient(du, grid, grid), np.gradient(dv, grid, grid)
        steepest = np.hypot(du, dv).max()
        curvature = ((duu + dvv) / 2 + np.sqrt(((duu - dvv) / 2) ** 2 + duv**2)).max()  # largest Hessian eigenvalue
    raw = min(STEP_FRACTION * (grid[-1] - grid[0]) / steepest, 1.0 / curvature if curvature > 0 else np.inf)
    return round_down(raw)


def round_down(value: float) -> float:
    """The largest of 1, 2, 5 times a power of ten that is at most ``value``."""
    scale = 10.0 ** np.floor(np.log10(value))
    return float(max(m for m in (1, 2, 5) if m * scale <= value) * scale)


def curve_facts(land: terrain.Terrain, x: torch.Tensor, y: torch.Tensor) -> dict[str, object]:
    """The cost along the first weight (the second held at its snapshot value), and balls rolling down it."""
    upper, hidden, (first, _) = land.above(x)
    lo, hi = curve_window(land)
    grid = torch.linspace(lo, hi, CURVE_POINTS, dtype=torch.float64)  # [G]
    curve = landscape.costs(upper, hidden, y, [first], grid[:, None])  # [G]
    lr = learning_rate(curve.numpy(), grid.numpy())
    starts = torch.from_numpy(ball_starts(grid.numpy(), curve.numpy()))[:, None]  # [B, 1]
    paths, path_costs = landscape.descend(upper, hidden, y, [first], starts, lr, SLICE_STEPS)  # [B, S+1, 1], [B, S+1]
    balls = paths[:, :, 0]  # [B, S+1]
    tangent = int(np.argmax(np.abs(balls[:, 1] - balls[:, 0]).numpy()))  # the ball whose first step is longest
    tangent_cost, tangent_slope = landscape.slope(upper, hidden, y, [first], balls[tangent, :1, None])
    chosen, other = land.params
    return {
        "terrain.epoch": land.epoch,
        "curve.name": name(chosen),
        "curve.other": name(other),
        "curve.other.value": other.value(land.weights),
        "curve.current": chosen.value(land.weights),
        "curve.others": sum(t.numel() for t in land.weights.values()) - 1,
        "curve.grid": grid,
        "curve.cost": curve,
        "curve.lr": lr,
        "curve.balls": balls,
        "curve.balls.cost": path_costs,
        "curve.tangent": tangent,
        "curve.tangent.w": balls[tangent, 0],
        "curve.tangent.cost": tangent_cost[0],
        "curve.tangent.slope": tangent_slope[0, 0],
        "curve.valleys": distinct(balls[:, -1:].numpy(), grid.numpy(), curve.numpy()),
    }


def basin(values: np.ndarray, index: tuple[int, ...]) -> tuple[int, ...]:
    """The grid valley reached from ``index`` by always moving to the lowest neighbour (curve or surface)."""
    while True:
        around = [tuple(np.clip(np.add(index, np.subtract(step, 1)), 0, np.array(values.shape) - 1)) for step in np.ndindex(*(3,) * values.ndim)]
        lowest = min(around, key=lambda i: values[i])
        if values[lowest] >= values[index]:
            return index
        index = lowest


def nearest(grid: np.ndarray, point: np.ndarray) -> tuple[int, ...]:
    return tuple(int(np.argmin(np.abs(grid - p))) for p in np.atleast_1d(point))


def distinct(ends: np.ndarray, grid: np.ndarray, values: np.ndarray) -> int:
    """In how many different valleys of the sampled curve or surface the ends [B, P] lie."""
    return len({basin(values, nearest(grid, end)) for end in ends})


# --- two weights ------------------------------------------------------------------
def ring_starts(grid: np.ndarray) -> np.ndarray:
    """Candidate starts: RING points on a circle of 0.6 times the half-width around the centre. [RING, 2]"""
    centre, radius = (grid[0] + grid[-1]) / 2, 0.6 * (grid[-1] - grid[0]) / 2
    angles = np.pi / 2 - 2 * np.pi * np.arange(RING) / RING
    return centre + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def pick_paths(paths: np.ndarray, grid: np.ndarray, surface: np.ndarray) -> list[int]:
    """Which candidate paths to show: one per valley of the surface they end in (the first on the
    ring), lowest valley first, leaving out paths that leapt over a wall (a step longer than a
    tenth of the range)."""
    width = grid[-1] - grid[0]
    chosen: dict[tuple[int, ...], int] = {}
    for b, path in enumerate(paths):
        if np.linalg.norm(np.diff(path, axis=0), axis=1).max() <= 0.1 * width:
            chosen.setdefault(basin(surface, nearest(grid, path[-1])), b)
    return [chosen[v] for v in sorted(chosen, key=lambda v: surface[v])][:SHOWN_PATHS]


def surface_facts(land: terrain.Terrain, x: torch.Tensor, y: torch.Tensor) -> dict[str, object]:
    upper, hidden, params = land.above(x)
    grid = land.grid.numpy()
    lr = learning_rate(land.surface.numpy(), grid)
    paths, path_costs = landscape.descend(upper, hidden, y, params, torch.from_numpy(ring_starts(grid)), lr, SURFACE_STEPS)  # [B, S+1, 2]
    shown = pick_paths(paths.numpy(), grid, land.surface.numpy())
    _, gradient = landscape.slope(upper, hidden, y, params, land.current()[None])  # [1, 2]
    return {
        "surface.name": [name(p) for p in land.params],
        "surface.grid": land.grid,
        "surface.cost": land.surface,
        "surface.current": land.current(),
        "surface.lr": lr,
        "surface.paths": paths[shown],
        "surface.paths.cost": path_costs[shown],
        "surface.valleys": len(shown),
        "surface.gradient": gradient[0],
    }


# --- the gradient of every parameter ------------------------------------------------
def gradient_facts(grads: dict[str, torch.Tensor]) -> dict[str, object]:
    """-grad C of the untrained network over the training set: its largest entries and one typical one."""
    nudge = -gradients.flatten(grads)  # [P]
    names = np.array(gradients.names(grads))  # [P, 3]
    order = torch.argsort(nudge.abs(), descending=True, stable=True)  # [P]
    top = order[:GRADIENT_SHOWN]
    median = order[len(order) // 2]
    shown_names = names[top.numpy()] + [1, 0, 0]
    return {
        "grad.nudge": nudge,
        "grad.count": len(nudge),
        "grad.rest": len(nudge) - GRADIENT_SHOWN,
        "grad.top": top,
        "grad.top.name": shown_names,
        "grad.top.value": nudge[top],
        "grad.median": median,
        "grad.median.name": names[int(median)] + [1, 0, 0],
        "grad.median.value": nudge[median],
        "grad.ratio": nudge[top[0]].abs() / nudge[median].abs(),
        "grad.sorted": nudge.abs()[order],
        **up_facts(nudge.numpy(), names),
        **{"grad." + key: -grads[key] for key in grads if key.endswith("weight")},
    }


def up_facts(nudge: np.ndarray, names: np.ndarray) -> dict[str, object]:
    """The largest positive entry of -grad C: a parameter the descent nudges up."""
    up = int(np.argmax(np.where(nudge > 0, nudge, -np.inf)))
    return {"grad.up": up, "grad.up.name": names[up] + [1, 0, 0], "grad.up.value": nudge[up]}


def loop_facts(weights: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> dict[str, object]:
    """LOOP_STEPS full steps w <- w - LOOP_LR grad C (autograd) from the untrained network, the cost recomputed after each."""
    values: dict[str, object] = {"loop.lr": LOOP_LR}
    costs = [gradients.cost(weights, x, y)]
    for step in range(LOOP_STEPS):
        grads = gradients.autograd(weights, x, y)
        weights = {k: weights[k] - LOOP_LR * grads[k] for k in weights}
        costs.append(gradients.cost(weights, x, y))
        for key in grads:
            if key.endswith("weight"):
                values[f"loop.nudge.{step}.{key}"] = -LOOP_LR * grads[key]
    values["loop.cost"] = torch.stack(costs)
    return values


# --- training ------------------------------------------------------------------------
def snapshot_epochs(n_epochs: int) -> list[int]:
    return sorted({e for e in SNAPSHOT_EPOCHS if e < n_epochs} | {n_epochs})


def training_facts(net: mlp.TrainedMLP) -> dict[str, object]:
    epochs = snapshot_epochs(net.model.config.epochs)
    values: dict[str, object] = {
        "train.cost": net.history.train_cost,
        "train.accuracy": net.history.test_accuracy,
        "train.epochs": net.model.config.epochs,
        "train.shown": epochs,
    }
    for i, epoch in enumerate(epochs):
        for k in range(len(net.model.layers)):
            values[f"train.snap.{i}." + names.layer(k, "weight")] = net.snapshots[epoch][names.layer(k, "weight")]
    return values


# --- the independent route -------------------------------------------------------------
def reference(config: NetConfig) -> dict[str, np.ndarray]:
    """Every key again: plain algebra on the stored weights, the chain rule by hand, grid loops."""
    data = config.digits()
    net = trained(config)
    x, y = terrain.training_tensors(data)
    states = {"untrained": terrain.double(net.snapshots[0]), "trained": terrain.double(net.snapshots[-1])}
    n_layers = len(net.model.config.sizes) - 1
    target = torch.eye(10, dtype=torch.float64)[y]  # [n, 10]
    index = int(np.argmax(_plain_forward(states["trained"], x).argmax(dim=1).numpy() == y.numpy()))
    values: dict[str, object] = {
        "classes": np.arange(10),
        "sizes": [x.shape[1]] + [states["trained"][names.layer(i, "bias")].numel() for i in range(n_layers)],
        "data.n_train": x.shape[0],
        "example.index": index,
        "example.label": y[index],
        "example.pixels": x[index],
        "example.target": target[index],
        "avg.index": np.arange(AVERAGE_SHOWN),
        "avg.pixels": x[:AVERAGE_SHOWN],
        "avg.label": y[:AVERAGE_SHOWN],
        "avg.rest": x.shape[0] - AVERAGE_SHOWN,
    }
    for state, weights in states.items():
        out = _plain_forward(weights, x)  # [n, 10]
        per_example = np.array([float(((out[k] - target[k]) ** 2).sum()) for k in range(len(out))])  # [n]
        values.update(
            {
                f"example.{state}.output": out[index],
                f"example.{state}.terms": (out[index] - target[index]) ** 2,
                f"example.{state}.cost": per_example[index],
                f"avg.{state}.cost": per_example[:AVERAGE_SHOWN],
                f"cost.{state}": per_example.sum() / len(per_example),
            }
        )
    land = terrain.load(net, data)
    values.update(_reference_landscape(land, x, y))
    values.update(_reference_gradient(states["untrained"], x, y))
    values.update(_reference_loop(states["untrained"], x, y))
    values.update(_reference_training(net, data))
    return as_arrays(values)


def _plain_forward(weights: dict[str, torch.Tensor], a: torch.Tensor) -> torch.Tensor:
    """Every layer as z = W a + b and 1 / (1 + e^-z), one after another."""
    i = 0
    while names.layer(i, "weight") in weights:
        w, b = weights[names.layer(i, "weight")], weights[names.layer(i, "bias")]  # [out, in], [out]
        z = torch.einsum("oi,ni->no", w, a) + b  # [n, out]
        a = 1.0 / (1.0 + torch.exp(-z))  # [n, out]
        i += 1
    return a


def _reference_landscape(land: terrain.Terrain, x: torch.Tensor, y: torch.Tensor) -> dict[str, object]:
    first, second = land.params
    along_first = landscape.ChainRule(land.weights, [first], x, y)
    both = landscape.ChainRule(land.weights, land.params, x, y)
    lo, hi = curve_window(land)
    grid = np.linspace(lo, hi, CURVE_POINTS)
    curve, _ = along_first(grid[:, None])
    lr = learning_rate(curve, grid)
    balls_path, balls_cost = along_first.descend(ball_starts(grid, curve)[:, None], lr, SLICE_STEPS)
    balls = balls_path[:, :, 0]
    tangent = int(np.argmax(np.abs(balls[:, 1] - balls[:, 0])))
    tangent_slope = along_first(balls[tangent, :1, None])[1][0, 0]
    surface_grid = land.grid.numpy()
    surface = both(np.array([(u, v) for u in surface_grid for v in surface_grid]))[0].reshape(len(surface_grid), -1)
    surface_lr = learning_rate(surface, surface_grid)
    paths, paths_cost = both.descend(ring_starts(surface_grid), surface_lr, SURFACE_STEPS)
    shown = pick_paths(paths, surface_grid, surface)
    return {
        "terrain.epoch": land.epoch,
        "curve.name": name(first),
        "curve.other": name(second),
        "curve.other.value": both.now[1],
        "curve.current": both.now[0],
        "curve.others": sum(int(np.prod(t.shape)) for t in land.weights.values()) - 1,
        "curve.grid": grid,
        "curve.cost": curve,
        "curve.lr": lr,
        "curve.balls": balls,
        "curve.balls.cost": balls_cost,
        "curve.tangent": tangent,
        "curve.tangent.w": balls[tangent, 0],
        "curve.tangent.cost": balls_cost[tangent, 0],
        "curve.tangent.slope": tangent_slope,
        "curve.valleys": distinct(balls[:, -1:], grid, curve),
        "surface.name": [name(p) for p in land.params],
        "surface.grid": surface_grid,
        "surface.cost": surface,
        "surface.current": both.now,
        "surface.lr": surface_lr,
        "surface.paths": paths[shown],
        "surface.paths.cost": paths_cost[shown],
        "surface.valleys": len(shown),
        "surface.gradient": both(np.array([both.now]))[1][0],
    }


def _reference_gradient(weights: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> dict[str, object]:
    grads = gradients.backprop(weights, x, y)
    nudge = -gradients.flatten(grads).numpy()
    names = np.array(gradients.names(weights)) + [1, 0, 0]
    order = np.argsort(-np.abs(nudge), kind="stable")
    top, median = order[:GRADIENT_SHOWN], order[len(order) // 2]
    return {
        "grad.nudge": nudge,
        "grad.count": nudge.size,
        "grad.rest": nudge.size - GRADIENT_SHOWN,
        "grad.top": top,
        "grad.top.name": names[top],
        "grad.top.value": nudge[top],
        "grad.median": median,
        "grad.median.name": names[median],
        "grad.median.value": nudge[median],
        "grad.ratio": abs(nudge[top[0]]) / abs(nudge[median]),
        "grad.sorted": np.sort(np.abs(nudge))[::-1],
        **{"grad.up": (up := order[np.flatnonzero(nudge[order] > 0)[0]]), "grad.up.name": names[up], "grad.up.value": nudge[up]},
        **{"grad." + key: -grads[key] for key in grads if key.endswith("weight")},
    }


def _reference_loop(weights: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> dict[str, object]:
    """The same steps with the chain rule by hand and the cost by plain forward passes."""
    target = torch.eye(10, dtype=torch.float64)[y]
    values: dict[str, object] = {"loop.lr": LOOP_LR}
    costs = [float(((_plain_forward(weights, x) - target) ** 2).sum(dim=1).mean())]
    for step in range(LOOP_STEPS):
        grads = gradients.backprop(weights, x, y)
        for key in weights:
            if key.endswith("weight"):
                values[f"loop.nudge.{step}.{key}"] = -LOOP_LR * grads[key]
        weights = {k: weights[k] - LOOP_LR * grads[k] for k in weights}
        costs.append(float(((_plain_forward(weights, x) - target) ** 2).sum(dim=1).mean()))
    values["loop.cost"] = costs
    return values


def _reference_training(net: mlp.TrainedMLP, data) -> dict[str, object]:
    """The loss and accuracy curves re-evaluated from the stored snapshots, not from the training log."""
    x_train, y_train = torch.from_numpy(data.x_train).double(), torch.from_numpy(data.y_train)
    x_test, y_test = torch.from_numpy(data.x_test).double(), data.y_test
    costs, accuracies = [], []
    for snapshot in net.snapshots:
        weights = terrain.double(snapshot)
        out = _plain_forward(weights, x_train)
        costs.append(float(((out - torch.eye(10, dtype=torch.float64)[y_train]) ** 2).sum(dim=1).mean()))
        accuracies.append(float(np.mean(_plain_forward(weights, x_test).argmax(dim=1).numpy() == y_test)))
    epochs = snapshot_epochs(len(net.snapshots) - 1)
    values: dict[str, object] = {"train.cost": costs, "train.accuracy": accuracies, "train.epochs": len(net.snapshots) - 1, "train.shown": epochs}
    for i, epoch in enumerate(epochs):
        for key, tensor in net.snapshots[epoch].items():
            if key.endswith("weight"):
                values[f"train.snap.{i}.{key}"] = tensor
    return values


def summary(config: NetConfig) -> list[tuple[str, str]]:
    data = config.digits()
    net = trained(config)
    land = terrain.load(net, data)
    x, y = terrain.training_tensors(data)
    nudge = gradients.flatten(gradients.autograd(terrain.double(net.snapshots[0]), x, y))
    return [
        ("dataset", data.name),
        ("entries of grad C", f"{nudge.numel():,}"),
        ("training cost start / end", f"{net.history.train_cost[0]:.4f} / {net.history.train_cost[-1]:.4f}"),
        ("held-out accuracy by epoch", " ".join(f"{a:.0%}" for a in net.history.test_accuracy[:: max(1, len(net.history.test_accuracy) // 6)])),
        ("cost landscape snapshot", f"epoch {land.epoch}"),
        ("weights varied", ", ".join(f"layers.{p.layer}.weight[{p.row}, {p.col}]" for p in land.params)),
        ("two-valley scores", ", ".join(f"{s:.3f}" for s in land.scores)),
        ("cache key", net.record["key"]),
    ]
