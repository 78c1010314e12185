"""The cost as a function of a few chosen parameters, every other one held fixed.

A 1-D slice (the cost along one weight), a 2-D surface (along two), and the
paths gradient descent takes on them: full-batch steps, or minibatch steps (SGD).
``costs`` / ``slope`` / ``descend`` are vectorised over the grid of parameter
values and differentiated by autograd; :class:`ChainRule` computes the same for
weights into the last hidden layer by the chain rule written out, as their check.

Examples
--------
>>> import torch
>>> from netreel.nets.mlp import MLP, MLPConfig
>>> model = MLP(MLPConfig(sizes=(4, 3, 2)))
>>> model.init_weights(torch.Generator().manual_seed(0))
>>> weights = {k: v.double() for k, v in model.state_dict().items()}
>>> x, y = torch.rand(6, 4).double(), torch.tensor([0, 1, 1, 0, 1, 0])
>>> w = Param(1, 0, 2)
>>> grid = torch.linspace(-3, 3, 7, dtype=torch.float64)[:, None]
>>> costs(weights, x, y, [w], grid).shape
torch.Size([7])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from netreel.nets import gradients, mlp

Weights = gradients.Weights


@dataclass(frozen=True)
class Param:
    """One scalar parameter: weight (row, col) of a layer, or the bias of neuron ``row`` (col -1)."""

    layer: int
    row: int
    col: int = -1

    @property
    def tensor(self) -> str:
        return f"layers.{self.layer}.{'bias' if self.col < 0 else 'weight'}"

    @property
    def index(self) -> tuple[int, ...]:
        return (self.row,) if self.col < 0 else (self.row, self.col)

    def value(self, weights: Weights) -> float:
        return float(weights[self.tensor][self.index])

    def as_list(self) -> list[int]:
        return [self.layer, self.row, self.col]

    def below(self, layers: int) -> Param:
        """The same parameter in a network whose first ``layers`` layers were cut off."""
        return Param(self.layer - layers, self.row, self.col)


def cut(weights: Weights, x: torch.Tensor, layers: int) -> tuple[Weights, torch.Tensor]:
    """The network above its first ``layers`` layers (renumbered from 0), and the input it sees.

    Varying parameters above the cut leaves the layers below unchanged, so they run once.
    """
    hidden = gradients.forward({k: v for k, v in weights.items() if int(k.split(".")[1]) < layers}, x)[-1]  # [n, in]
    upper = {}
    for key, tensor in weights.items():
        _, index, kind = key.split(".")
        if int(index) >= layers:
            upper[f"layers.{int(index) - layers}.{kind}"] = tensor
    return upper, hidden


def costs(weights: Weights, x: torch.Tensor, y: torch.Tensor, params: list[Param], values: torch.Tensor, chunk: int = 64) -> torch.Tensor:
    """The average cost over (x, y) at each row of ``values`` [G, P] (value of each param): [G].

    Differentiable in ``values``.
    """
    first = min(p.layer for p in params)
    upper, below = cut(weights, x, first)  # below: [n, in]
    params = [p.below(first) for p in params]
    target = mlp.one_hot(y, upper[f"layers.{gradients.n_layers(upper) - 1}.bias"].numel()).to(below.dtype)  # [n, 10]
    out = []
    for start in range(0, len(values), chunk):
        block = values[start : start + chunk]  # [g, P]
        a = below.expand(len(block), *below.shape)  # [g, n, in]
        for layer in range(gradients.n_layers(upper)):
            w = _with_values(upper[f"layers.{layer}.weight"], params, block, layer, weight=True)  # [g, out, in]
            b = _with_values(upper[f"layers.{layer}.bias"], params, block, layer, weight=False)  # [g, out]
            a = torch.sigmoid(a @ w.transpose(1, 2) + b[:, None, :])  # [g, n, out]
        out.append(((a - target) ** 2).sum(dim=2).mean(dim=1))  # [g]
    return torch.cat(out)  # [G]


def _with_values(tensor: torch.Tensor, params: list[Param], block: torch.Tensor, layer: int, weight: bool) -> torch.Tensor:
    """``tensor`` repeated once per grid row, the chosen params of this layer set to that row's values."""
    mine = [(i, p) for i, p in enumerate(params) if p.layer == layer and (p.col >= 0) == weight]
    if not mine:
        return tensor.expand(len(block), *tensor.shape)
    mask = torch.zeros(len(params), *tensor.shape, dtype=block.dtype)  # [P, *shape]
    for i, p in mine:
        mask[(i, *p.index)] = 1.0
    keep = 1.0 - mask.sum(dim=0)  # [*shape] 0 where a chosen param sits
    return tensor * keep + torch.einsum("gp,p...->g...", block, mask)  # [g, *shape]


def slope(weights: Weights, x: torch.Tensor, y: torch.Tensor, params: list[Param], points: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The cost at each of ``points`` [B, P] and its gradient with respect to the chosen params, by autograd: [B], [B, P]."""
    leaf = points.detach().clone().requires_grad_(True)
    value = costs(weights, x, y, params, leaf)  # [B]
    (grad,) = torch.autograd.grad(value.sum(), leaf)  # [B, P]: each point's cost depends on its own row only
    return value.detach(), grad


def descend(
    weights: Weights,
    x: torch.Tensor,
    y: torch.Tensor,
    params: list[Param],
    starts: torch.Tensor,
    lr: float,
    steps: int,
    batches: list[torch.Tensor] | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Gradient descent on the chosen params from each of ``starts`` [B, P]: the points [B, steps+1, P]
    and the full cost at each [B, steps+1]. With ``batches`` (index tensors, one per step) each step
    follows that minibatch's gradient instead of the full one (stochastic gradient descent)."""
    points = [starts.detach().clone()]
    for step in range(steps):
        xs, ys = (x, y) if batches is None else (x[batches[step]], y[batches[step]])
        _, grad = slope(weights, xs, ys, params, points[-1])
        points.append(points[-1] - lr * grad)
    path = torch.stack(points, dim=1)  # [B, steps+1, P]
    return path, costs(weights, x, y, params, path.reshape(-1, len(params))).reshape(path.shape[:2])


def valleys(curve: np.ndarray) -> list[int]:
    """Grid positions of the curve's strict interior local minima."""
    return [i for i in range(1, len(curve) - 1) if curve[i] < curve[i - 1] and curve[i] < curve[i + 1]]


def two_valley_score(curve: np.ndarray) -> float:
    """How clearly a sampled curve has two valleys, as a fraction of its range (0 when it has one).

    The two lowest valleys count by the lower of: the ridge between them, and how far
    the curve climbs beyond each of them towards the ends (a valley must be walled on both sides).
    """
    found = valleys(curve)
    if len(found) < 2:
        return 0.0
    left, right = sorted(sorted(found, key=lambda i: curve[i])[:2])
    ridge = curve[left : right + 1].max() - max(curve[left], curve[right])
    walls = min(curve[: left + 1].max() - curve[left], curve[right:].max() - curve[right])
    span = curve.max() - curve.min()
    return float(min(ridge, walls) / span) if span > 0 else 0.0


def scan(weights: Weights, x: torch.Tensor, y: torch.Tensor, grid: torch.Tensor) -> list[tuple[float, Param]]:
    """Every weight into the last hidden layer with its curve's :func:`two_valley_score` over ``grid`` [G], best first.

    Such a weight (j, k) moves only hidden neuron j, so all of them are scored at once:
    the output layer's input changes by its column j times the change of that neuron.
    """
    layer = gradients.n_layers(weights) - 2
    upper, hidden = cut(weights, x, layer)  # hidden: [n, in]
    w, b = upper["layers.0.weight"], upper["layers.0.bias"]  # [mid, in], [mid]
    w_out, b_out = upper["layers.1.weight"], upper["layers.1.bias"]  # [10, mid], [10]
    z = hidden @ w.T + b  # [n, mid]
    z_out = torch.sigmoid(z) @ w_out.T + b_out  # [n, 10]
    target = mlp.one_hot(y, len(b_out)).to(z.dtype)  # [n, 10]
    scored = []
    for row in range(len(b)):
        shift = (grid[None, :] - w[row][:, None])[:, :, None] * hidden.T[:, None, :]  # [in, G, n]
        change = torch.sigmoid(z[:, row] + shift) - torch.sigmoid(z[:, row])  # [in, G, n]
        out = torch.sigmoid(z_out + change[..., None] * w_out[:, row])  # [in, G, n, 10]
        curves = ((out - target) ** 2).sum(dim=-1).mean(dim=-1)  # [in, G]
        scored += [(two_valley_score(c.numpy()), Param(layer, row, col)) for col, c in enumerate(curves)]
    return sorted(scored, key=lambda s: -s[0])


class ChainRule:
    """The cost and its slope along weights into the last hidden layer, by the chain rule written out.

    A weight (j, k) there moves only hidden neuron j: z_j changes by (w - w_now) a_k. The
    outputs follow from the new hidden layer; dC/dw = sum over examples of
    dC/dz_j a_k, with dC/dz_j = sum_o 2 (a_o - y_o) sigma'(z_o) w_oj sigma'(z_j) / n.
    """

    def __init__(self, weights: Weights, params: list[Param], x: torch.Tensor, y: torch.Tensor) -> None:
        last = len(weights) // 2 - 1
        if any(p.layer != last - 1 or p.col < 0 for p in params):
            raise ValueError("the chain rule here is written for weights into the last hidden layer")
        below = {k: v for k, v in weights.items() if int(k.split(".")[1]) < last - 1}
        self.a_in = gradients.forward(below, x)[-1]  # [n, in] what the chosen weights multiply
        self.z = self.a_in @ weights[f"layers.{last - 1}.weight"].T + weights[f"layers.{last - 1}.bias"]  # [n, mid]
        self.w_out, self.b_out = weights[f"layers.{last}.weight"], weights[f"layers.{last}.bias"]  # [10, mid], [10]
        self.params = params
        self.now = [float(weights[p.tensor][p.index]) for p in params]
        self.target = torch.eye(10, dtype=torch.float64)[y]  # [n, 10]

    def __call__(self, points: np.ndarray, chunk: int = 32) -> tuple[np.ndarray, np.ndarray]:
        """Cost [B] and gradient [B, P] at ``points`` [B, P]."""
        costs, grads = [], []
        for start in range(0, len(points), chunk):
            block = torch.as_tensor(points[start : start + chunk], dtype=torch.float64)  # [b, P]
            z = self.z.expand(len(block), *self.z.shape).clone()  # [b, n, mid]
            for i, p in enumerate(self.params):
                z[:, :, p.row] += (block[:, i, None] - self.now[i]) * self.a_in[:, p.col]
            a = 1.0 / (1.0 + torch.exp(-z))  # [b, n, mid]
            out = 1.0 / (1.0 + torch.exp(-(a @ self.w_out.T + self.b_out)))  # [b, n, 10]
            costs.append(((out - self.target) ** 2).sum(dim=2).mean(dim=1))  # [b]
            d_out = 2 * (out - self.target) * out * (1 - out) / out.shape[1]  # [b, n, 10]
            d_mid = (d_out @ self.w_out) * a * (1 - a)  # [b, n, mid]
            grads.append(torch.stack([(d_mid[:, :, p.row] * self.a_in[:, p.col]).sum(dim=1) for p in self.params], dim=1))  # [b, P]
        return torch.cat(costs).numpy(), torch.cat(grads).numpy()

    def descend(self, starts: np.ndarray, lr: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
        """Plain gradient steps from each start [B, P]: points [B, steps+1, P], costs [B, steps+1]."""
        points = [np.asarray(starts, dtype=np.float64)]
        for _ in range(steps):
            points.append(points[-1] - lr * self(points[-1])[1])
        path = np.stack(points, axis=1)
        return path, self(path.reshape(-1, path.shape[2]))[0].reshape(path.shape[:2])
