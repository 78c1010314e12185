"""Chapter 4 (What backprop is really doing): one real example's wishes, a real minibatch, SGD.

The network is the digit MLP before training (its first snapshot), where every
output is wrong and the nudges are large. ``build`` differentiates with autograd;
``reference`` writes the chain rule out by hand (netreel.nets.gradients.backprop and the
closed forms below). The stochastic-descent paths walk Chapter 2's two-weight
cost surface (netreel.nets.terrain), minibatch by minibatch and with the full training set.
"""

from __future__ import annotations

import numpy as np
import torch

from netreel.nets import gradients, landscape, mlp, names, terrain
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts, as_arrays
from netreel.nets.facts.descent import distinct, learning_rate, name, ring_starts
from netreel.nets.facts.network import trained

EXAMPLE_LABEL = 2  # the series follows a "2"
STRONGEST = 3  # connections highlighted: those whose weight changes most (from the brightest neurons)
SGD_STEPS = 300  # steps of each path on the surface
SGD_MAX_STEP = 0.06  # the minibatch path's longest step, as a fraction of the surface's width
WINDOW_POINTS = 41  # the surface is drawn again, WINDOW_POINTS square, around the two paths

KEYS = (
    "classes", "sizes", "data.n_train", "example.index", "example.label", "example.pixels",
    "out.a", "out.y", "out.z", "out.nudge", "out.biggest", "wishes", "prev.a", "prev.nudge", "prev.autograd",
    "lever.j", "lever.w", "lever.bias", "lever.prev", "lever.dc_da", "lever.sigma_prime",
    "lever.strong", "lever.weights", "back.h1", "back.a1", "back.neuron", "back.w1", "back.w2", "back.w3",
    "batch.count", "batch.index", "batch.label", "batch.pixels", "batch.lr", "batch.step", "batch.mean",
    "batch.rest", "batch.rows", "batch.rows.name", "batch.values",
    "sgd.name", "sgd.u", "sgd.v", "sgd.cost", "sgd.valleys", "sgd.lr", "sgd.steps", "sgd.batch", "sgd.epoch",
    "sgd.examples.full", "sgd.examples.mini", "sgd.full", "sgd.full.cost", "sgd.mini", "sgd.mini.cost",
)

MEANINGS = {
    "classes": "the digit classes 0 to 9",
    "sizes": "the neurons per layer, input first",
    "data.n_train": "how many training digits there are",
    "example.index": "which training digit (a 2) the chapter follows",
    "example.label": "its label",
    "example.pixels": "its pixels, row by row",
    "out.a": "the output layer's activations for it",
    "out.y": "the outputs wanted: 1 for its label, 0 elsewhere",
    "out.z": "the output layer's weighted sums plus biases",
    "out.nudge": "the nudge each output wants: -dC/da",
    "out.biggest": "the output whose nudge is largest",
    "wishes": "each output neuron's wish for each last hidden neuron: its share of -dC/da, [outputs, hidden]",
    "prev.a": "the last hidden layer's activations",
    "prev.nudge": "the wishes summed per hidden neuron: -dC/da of the last hidden layer",
    "prev.autograd": "the same from autograd",
    "lever.j": "the output neuron the levers are shown on (the label's)",
    "lever.w": "the weights into it",
    "lever.bias": "its bias's nudge: -dC/db",
    "lever.prev": "its wish for each hidden activation: -(dC/da) w σ'",
    "lever.dc_da": "dC/da of the neuron",
    "lever.sigma_prime": "σ'(z) of the neuron",
    "lever.strong": "the hidden neurons whose connections into it change the most: the brightest",
    "lever.weights": "its weights' nudges: -dC/dw",
    "back.h1": "the first hidden layer's activations for the example",
    "back.a1": "the first hidden layer's nudges for the example: -dC/da^(1)",
    "back.neuron": "the first hidden neuron whose weighted sum wants the largest nudge, |dC/dz^(1)|",
    "back.w1": "that neuron's 784 incoming weights' nudges, -dC/dW^(1), one per pixel",
    "back.w2": "the second layer's weight nudges, -dC/dW^(2), [16, 16]",
    "back.w3": "the output layer's weight nudges, -dC/dW^(3), [10, 16]",
    "batch.count": "how many parameters each gradient has",
    "batch.index": "the training digits of the minibatch, ordered by label",
    "batch.label": "their labels",
    "batch.pixels": "their pixels, one row each",
    "batch.lr": "the learning rate of the minibatch's step",
    "batch.step": "the step of each shown parameter: learning rate times the mean nudge",
    "batch.mean": "the minibatch's mean nudge of each shown parameter",
    "batch.rest": "how many parameters are not shown",
    "batch.rows": "the indices of the shown parameters: the output layer's ten biases",
    "batch.rows.name": "their names: [layer + 1, neuron, input] (-1 for a bias)",
    "batch.values": "each digit's nudge of each shown parameter, [digits, parameters]",
    "sgd.name": "the two weights of the descent surface, each [layer + 1, neuron, input]",
    "sgd.u": "the values of the first weight across the surface",
    "sgd.v": "the values of the second weight across the surface",
    "sgd.cost": "the average cost at each pair of them",
    "sgd.valleys": "how many distinct valleys the two paths end in",
    "sgd.lr": "the learning rate of both paths",
    "sgd.steps": "how many steps each path takes",
    "sgd.batch": "the digits in each minibatch",
    "sgd.epoch": "the training epoch whose weights the surface is cut through",
    "sgd.examples.full": "how many digits full-batch descent reads in all",
    "sgd.examples.mini": "how many digits minibatch descent reads in all",
    "sgd.full": "the full-batch path's two weights at every step",
    "sgd.full.cost": "its cost at every step",
    "sgd.mini": "the minibatch path's two weights at every step",
    "sgd.mini.cost": "its cost at every step",
}
"""What each of :data:`KEYS` holds (``netreel info backprop --facts``)."""


def build(config: NetConfig) -> Facts:
    data = config.digits()
    net = trained(config)
    x, y = terrain.training_tensors(data)
    weights = terrain.double(net.snapshots[0])
    index = example_index(y)
    values: dict[str, object] = {
        "classes": np.arange(10),
        "sizes": np.array(net.model.config.sizes),
        "data.n_train": len(y),
        "example.index": index,
        "example.label": int(y[index]),
        "example.pixels": x[index],
    }
    model = mlp.MLP(net.model.config).double()
    model.load_state_dict(weights)
    values.update(wishes(model, x[index], int(y[index])))
    values.update(sweep(model, x[index], int(y[index])))
    values.update(minibatch(weights, x, y, config.seed, net.model.config))
    values.update(stochastic(net, data, x, y, config.seed))
    meta = {"dataset": data.name, "side": data.side, "net_key": net.record["key"]}
    return Facts(as_arrays(values), meta)


def example_index(y: torch.Tensor) -> int:
    """The first training digit labelled EXAMPLE_LABEL."""
    return int(torch.nonzero(y == EXAMPLE_LABEL)[0])


# --- one example ----------------------------------------------------------------------
def wishes(model: mlp.MLP, x: torch.Tensor, label: int) -> dict[str, object]:
    """What the output layer wants for one example, by autograd on its cost C0 = sum_j (a_j - y_j)^2.

    The last hidden layer's activations come from the model's hooks; the output layer is
    run again from them as a leaf, so that autograd can say what each output wants of them.
    """
    last = len(model.layers) - 1
    _, cache = model.run_with_cache(x[None])
    hidden = cache[names.layer(last - 1, "hook_a")][0].clone().requires_grad_(True)  # [16] a^(L-1), a leaf
    layer = model.layers[last]
    w, b = layer.weight.detach().clone().requires_grad_(True), layer.bias.detach().clone().requires_grad_(True)  # [10, 16], [10]
    z = w @ hidden + b  # [10]
    a = torch.sigmoid(z)  # [10]
    y = mlp.one_hot(torch.tensor([label]))[0].double()  # [10]
    terms = (a - y) ** 2  # [10]
    (d_a,) = torch.autograd.grad(terms.sum(), a, retain_graph=True)  # [10] dC0/da^(L)
    per_output = torch.stack([torch.autograd.grad(terms[j], hidden, retain_graph=True)[0] for j in range(10)])  # [10, 16]
    d_hidden, d_w, d_b = torch.autograd.grad(terms.sum(), [hidden, w, b])  # [16], [10, 16], [10]
    j = label
    a_prev = hidden.detach()
    return {
        "out.a": a.detach(),
        "out.y": y,
        "out.z": z.detach(),
        "out.nudge": -d_a,
        "out.biggest": int(torch.argmax(d_a.abs())),
        "lever.j": j,
        "lever.sigma_prime": (a[j] * (1 - a[j])).detach(),
        "lever.dc_da": d_a[j],
        "lever.bias": -d_b[j],
        "lever.w": w[j].detach(),
        "lever.weights": -d_w[j],
        "lever.prev": -per_output[j],
        "lever.strong": torch.argsort(d_w[j].abs(), descending=True, stable=True)[:STRONGEST],
        "prev.a": a_prev,
        "wishes": -per_output,
        "prev.nudge": -per_output.sum(dim=0),
        "prev.autograd": -d_hidden,
    }


def sweep(model: mlp.MLP, x: torch.Tensor, label: int) -> dict[str, object]:
    """The backward sweep to the first layer for one example, by autograd through the whole model:
    the first hidden layer's nudges, every weight nudge of the two layers above it, and the
    first-layer weights of the neuron that wants the most."""
    kept: dict[str, torch.Tensor] = {}

    def keep(module, _inputs, output: torch.Tensor) -> None:
        output.retain_grad()
        kept["a1"] = output

    first = model.layers[0]
    handle = first.hook_a.register_forward_hook(keep)
    try:
        model.zero_grad()
        out = model(x[None])  # [1, 10]
        ((out - mlp.one_hot(torch.tensor([label])).double()) ** 2).sum().backward()
    finally:
        handle.remove()
    neuron = int(torch.argmax(first.bias.grad.abs()))  # dC/db^(1) = dC/dz^(1)
    return {
        "back.h1": kept["a1"].detach()[0],
        "back.a1": -kept["a1"].grad[0],
        "back.neuron": neuron,
        "back.w1": -first.weight.grad[neuron],
        "back.w2": -model.layers[1].weight.grad,
        "back.w3": -model.layers[2].weight.grad,
    }


# --- a minibatch ------------------------------------------------------------------------
def batch_indices(y: torch.Tensor, size: int, seed: int) -> torch.Tensor:
    """A minibatch drawn the way training draws them, the first ``size`` of a seeded shuffle,
    listed by label so that each digit's own nudges line up (its average does not depend on order)."""
    batch = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))[:size]
    return batch[torch.argsort(y[batch], stable=True)]


def minibatch(weights: gradients.Weights, x: torch.Tensor, y: torch.Tensor, seed: int, config: mlp.MLPConfig) -> dict[str, object]:
    """Each example's own -grad C_k (autograd), their average, and the step -eta grad C they add up to."""
    batch = batch_indices(y, config.batch_size, seed)
    per_example = -gradients.per_example(weights, x[batch], y[batch]).numpy()  # [B, P]
    return batch_values(weights, x, y, batch, per_example, per_example.mean(axis=0), config.lr)


def batch_values(weights, x, y, batch, per_example: np.ndarray, mean: np.ndarray, lr: float) -> dict[str, object]:
    """The minibatch grid: the output layer's ten biases, where each digit wants its own label up."""
    last = gradients.n_layers(weights) - 1
    rows = np.array([i for i, (layer, _, column) in enumerate(gradients.names(weights)) if layer == last and column == -1])
    return {
        "batch.index": batch,
        "batch.pixels": x[batch],
        "batch.label": y[batch],
        "batch.rows": rows,
        "batch.rows.name": np.array(gradients.names(weights))[rows] + [1, 0, 0],
        "batch.values": per_example[:, rows],
        "batch.mean": mean[rows],
        "batch.lr": lr,
        "batch.step": lr * mean[rows],
        "batch.count": per_example.shape[1],
        "batch.rest": per_example.shape[1] - len(rows),
    }


# --- stochastic gradient descent -------------------------------------------------------------
def sgd_batches(n: int, size: int, steps: int, seed: int) -> list[torch.Tensor]:
    """``steps`` minibatches: successive slices of seeded shuffles of the training set."""
    generator = torch.Generator().manual_seed(seed)
    order = torch.cat([torch.randperm(n, generator=generator) for _ in range(steps * size // n + 1)])
    return [order[s * size : (s + 1) * size] for s in range(steps)]


def sgd_start(grid: np.ndarray, surface: np.ndarray) -> np.ndarray:
    """The highest point of the ring of starts Chapter 2 uses: a start far up the surface."""
    starts = ring_starts(grid)
    heights = [surface[np.argmin(np.abs(grid - u)), np.argmin(np.abs(grid - v))] for u, v in starts]
    return starts[int(np.argmax(heights))]


def sgd_rates(top: float) -> list[float]:
    """Round learning rates from ``top`` down: top, then 5, 2, 1 times each lower power of ten."""
    rates, scale = [top], 10.0 ** np.floor(np.log10(top))
    while len(rates) < 12:
        rates += [m * scale for m in (5, 2, 1) if m * scale < rates[-1]]
        scale /= 10
    return rates


def window(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A square grid around ``points`` [n, 2] with a tenth of margin: the u and v values [WINDOW_POINTS] each."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    half = 0.6 * float((hi - lo).max())
    centre = (lo + hi) / 2
    return tuple(np.linspace(c - half, c + half, WINDOW_POINTS) for c in centre)


def stochastic(net: mlp.TrainedMLP, data, x: torch.Tensor, y: torch.Tensor, seed: int) -> dict[str, object]:
    """Full-batch and minibatch descent on the two-weight surface, same start, rate and number of steps.

    The rate is the largest round rate at most Chapter 2's at which no minibatch step
    jumps more than SGD_MAX_STEP of the surface's width.
    """
    land = terrain.load(net, data)
    upper, hidden, params = land.above(x)
    grid = land.grid.numpy()
    width = float(grid[-1] - grid[0])
    start = torch.from_numpy(sgd_start(grid, land.surface.numpy()))[None]  # [1, 2]
    batches = sgd_batches(len(y), net.model.config.batch_size, SGD_STEPS, seed)
    for lr in sgd_rates(learning_rate(land.surface.numpy(), grid)):
        mini, mini_cost = landscape.descend(upper, hidden, y, params, start, lr, SGD_STEPS, batches)
        if np.linalg.norm(np.diff(mini[0].numpy(), axis=0), axis=1).max() <= SGD_MAX_STEP * width:
            break
    full, full_cost = landscape.descend(upper, hidden, y, params, start, lr, SGD_STEPS)
    u, v = window(np.concatenate([full[0].numpy(), mini[0].numpy()]))
    zoom = landscape.costs(upper, hidden, y, params, terrain.mesh_of(torch.from_numpy(u), torch.from_numpy(v))).reshape(len(u), len(v))
    return {
        "sgd.name": [name(p) for p in land.params],
        "sgd.epoch": land.epoch,
        "sgd.u": u,
        "sgd.v": v,
        "sgd.cost": zoom,
        "sgd.lr": lr,
        "sgd.steps": SGD_STEPS,
        "sgd.batch": net.model.config.batch_size,
        "sgd.full": full[0],
        "sgd.full.cost": full_cost[0],
        "sgd.mini": mini[0],
        "sgd.mini.cost": mini_cost[0],
        "sgd.examples.full": SGD_STEPS * len(y),
        "sgd.examples.mini": SGD_STEPS * net.model.config.batch_size,
        "sgd.valleys": distinct(torch.stack([full[0, -1], mini[0, -1]]).numpy(), grid, land.surface.numpy()),
    }


# --- the independent route ------------------------------------------------------------------
def reference(config: NetConfig) -> dict[str, np.ndarray]:
    """Every key again, with the chain rule written out instead of autograd."""
    data = config.digits()
    net = trained(config)
    x, y = terrain.training_tensors(data)
    weights = terrain.double(net.snapshots[0])
    last = len(weights) // 2 - 1
    index = int(np.flatnonzero(y.numpy() == EXAMPLE_LABEL)[0])
    values: dict[str, object] = {
        "classes": np.arange(10),
        "sizes": [x.shape[1]] + [weights[names.layer(i, "bias")].numel() for i in range(last + 1)],
        "data.n_train": x.shape[0],
        "example.index": index,
        "example.label": int(y[index]),
        "example.pixels": x[index],
    }
    values.update(_hand_wishes(weights, x[index], int(y[index]), last))
    values.update(_hand_sweep(weights, x[index], int(y[index])))
    values.update(_hand_minibatch(weights, x, y, config.seed, net.model.config))
    values.update(_hand_stochastic(net, data, x, y, config.seed))
    return as_arrays(values)


def _hand_wishes(weights, x, label, last) -> dict[str, object]:
    a_prev = gradients.forward(weights, x[None])[-2][0].numpy()  # [16]
    w, b = weights[names.layer(last, "weight")].numpy(), weights[names.layer(last, "bias")].numpy()
    z = w @ a_prev + b
    a = 1 / (1 + np.exp(-z))
    y = np.eye(10)[label]
    dc_da = 2 * (a - y)  # [10]
    delta = dc_da * a * (1 - a)  # [10] dC0/dz
    wish = -delta[:, None] * w  # [10, 16] output j's wish for each previous neuron
    j = label
    return {
        "out.a": a,
        "out.y": y,
        "out.z": z,
        "out.nudge": -dc_da,
        "out.biggest": int(np.argmax(np.abs(dc_da))),
        "lever.j": j,
        "lever.sigma_prime": a[j] * (1 - a[j]),
        "lever.dc_da": dc_da[j],
        "lever.bias": -delta[j],
        "lever.w": w[j],
        "lever.weights": -delta[j] * a_prev,
        "lever.prev": wish[j],
        "lever.strong": np.argsort(-np.abs(delta[j] * a_prev), kind="stable")[:STRONGEST],
        "prev.a": a_prev,
        "wishes": wish,
        "prev.nudge": wish.sum(axis=0),
        "prev.autograd": -(delta @ w),
    }


def _hand_sweep(weights, x, label) -> dict[str, object]:
    """The chain rule by hand down to the first layer: delta = dC/dz, layer by layer back."""
    a0, a1, a2, a3 = (a[0].numpy() for a in gradients.forward(weights, x[None]))
    w1, w2 = (weights[names.layer(i, "weight")].numpy() for i in (1, 2))
    delta3 = 2 * (a3 - np.eye(10)[label]) * a3 * (1 - a3)
    delta2 = delta3 @ w2 * a2 * (1 - a2)
    d_a1 = delta2 @ w1
    delta1 = d_a1 * a1 * (1 - a1)
    neuron = int(np.argmax(np.abs(delta1)))
    return {
        "back.h1": a1,
        "back.a1": -d_a1,
        "back.neuron": neuron,
        "back.w1": -delta1[neuron] * a0,
        "back.w2": -np.outer(delta2, a1),
        "back.w3": -np.outer(delta3, a2),
    }


def _hand_minibatch(weights, x, y, seed, config) -> dict[str, object]:
    """Each example's gradient by the chain rule by hand; the average as the minibatch's own gradient."""
    batch = batch_indices(y, config.batch_size, seed)
    per_example = -np.stack([gradients.flatten(gradients.backprop(weights, x[k : k + 1], y[k : k + 1])).numpy() for k in batch])
    mean = -gradients.flatten(gradients.backprop(weights, x[batch], y[batch])).numpy()
    return batch_values(weights, x, y, batch, per_example, mean, config.lr)


def _hand_stochastic(net, data, x, y, seed) -> dict[str, object]:
    """The same walks with the chain rule by hand, on a surface recomputed the same way."""
    land = terrain.load(net, data)
    grid = land.grid.numpy()
    whole = landscape.ChainRule(land.weights, land.params, x, y)
    parts = [landscape.ChainRule(land.weights, land.params, x[b], y[b]) for b in sgd_batches(len(y), net.model.config.batch_size, SGD_STEPS, seed)]
    surface = whole(np.array([(u, v) for u in grid for v in grid]))[0].reshape(len(grid), len(grid))
    start = sgd_start(grid, surface)

    def walk(lr: float, slopes) -> np.ndarray:
        points = [start]
        for slope in slopes:
            points.append(points[-1] - lr * slope(points[-1][None])[1][0])
        return np.array(points)

    for lr in sgd_rates(learning_rate(surface, grid)):
        mini = walk(lr, parts)
        if np.linalg.norm(np.diff(mini, axis=0), axis=1).max() <= SGD_MAX_STEP * float(grid[-1] - grid[0]):
            break
    full = walk(lr, [whole] * SGD_STEPS)
    u, v = window(np.concatenate([full, mini]))
    return {
        "sgd.name": [name(p) for p in land.params],
        "sgd.epoch": land.epoch,
        "sgd.u": u,
        "sgd.v": v,
        "sgd.cost": whole(np.array([(a, b) for a in u for b in v]))[0].reshape(len(u), len(v)),
        "sgd.lr": lr,
        "sgd.steps": SGD_STEPS,
        "sgd.batch": net.model.config.batch_size,
        "sgd.full": full,
        "sgd.full.cost": whole(full)[0],
        "sgd.mini": mini,
        "sgd.mini.cost": whole(mini)[0],
        "sgd.examples.full": SGD_STEPS * x.shape[0],
        "sgd.examples.mini": SGD_STEPS * net.model.config.batch_size,
        "sgd.valleys": distinct(np.stack([full[-1], mini[-1]]), grid, surface),
    }


def summary(config: NetConfig) -> list[tuple[str, str]]:
    data = config.digits()
    facts = build(config)
    return [
        ("dataset", data.name),
        ("example", f"training digit {int(facts['example.index'])}, a {int(facts['example.label'])}"),
        ("its cost, untrained network", f"{float(((facts['out.a'] - facts['out.y']) ** 2).sum()):.4f}"),
        ("largest gap, summed wishes vs autograd", f"{float(np.abs(facts['prev.nudge'] - facts['prev.autograd']).max()):.2e}"),
        ("minibatch", ", ".join(str(int(i)) for i in facts["batch.index"])),
        ("SGD rate, steps, batch", f"{facts['sgd.lr']:g}, {int(facts['sgd.steps'])}, {int(facts['sgd.batch'])}"),
        ("final cost full / minibatch", f"{facts['sgd.full.cost'][-1]:.5f} / {facts['sgd.mini.cost'][-1]:.5f}"),
    ]
