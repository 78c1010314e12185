"""The cost's gradient for the digit MLP, two ways: autograd, and the chain rule written out.

``autograd`` differentiates the model's own forward pass with torch; ``backprop``
runs the same sigmoid layers by plain algebra on a weight dict and walks the
chain rule back by hand, layer by layer (Chapter 4's "what backprop is really
doing"). Each is the other's independent check.

Parameters are named as in the model's ``state_dict`` (``layers.2.weight``)
and flattened in its order, layer by layer, weight before bias, whatever the
order of the dict holding them (a cache file lists them alphabetically).

Examples
--------
>>> import torch
>>> from netreel.nets.mlp import MLP, MLPConfig
>>> model = MLP(MLPConfig(sizes=(4, 3, 2)))
>>> model.init_weights(torch.Generator().manual_seed(0))
>>> x, y = torch.rand(5, 4), torch.tensor([0, 1, 1, 0, 1])
>>> weights = {k: v.double() for k, v in model.state_dict().items()}
>>> by_hand = backprop(weights, x.double(), y)
>>> torch.allclose(flatten(by_hand), flatten(autograd(weights, x.double(), y)))
True
"""

from __future__ import annotations

import torch

from netreel.nets import mlp

Weights = dict[str, torch.Tensor]


def n_layers(weights: Weights) -> int:
    return sum(1 for k in weights if k.endswith(".weight"))


def keys(weights: Weights) -> list[str]:
    """The parameter names in the model's order: layers.0.weight, layers.0.bias, layers.1.weight, ..."""
    return [f"layers.{i}.{kind}" for i in range(n_layers(weights)) for kind in ("weight", "bias")]


def forward(weights: Weights, x: torch.Tensor) -> list[torch.Tensor]:
    """Every layer's activations by plain algebra: [a0 = x, a1, ..., aL], each [n, size]."""
    activations = [x]
    for i in range(n_layers(weights)):
        z = activations[-1] @ weights[f"layers.{i}.weight"].T + weights[f"layers.{i}.bias"]  # [n, out]
        activations.append(torch.sigmoid(z))  # [n, out]
    return activations


def cost(weights: Weights, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """The average over examples of sum_j (a_j - y_j)^2."""
    out = forward(weights, x)[-1]  # [n, 10]
    return ((out - mlp.one_hot(y, out.shape[1]).to(out.dtype)) ** 2).sum(dim=1).mean()


def autograd(weights: Weights, x: torch.Tensor, y: torch.Tensor) -> Weights:
    """dC/d(every parameter) of the average cost over (x, y), by torch autograd."""
    leaves = {k: weights[k].detach().clone().requires_grad_(True) for k in keys(weights)}
    grads = torch.autograd.grad(cost(leaves, x, y), list(leaves.values()))
    return dict(zip(leaves, grads))


def backprop(weights: Weights, x: torch.Tensor, y: torch.Tensor) -> Weights:
    """dC/d(every parameter) of the average cost over (x, y), by the chain rule by hand.

    With delta = dC/dz of a layer: dC/dW = delta^T a_prev, dC/db = sum of delta,
    and the layer below gets dC/da_prev = delta W, then delta_prev = that times sigma'(z_prev).
    """
    activations = forward(weights, x)
    out = activations[-1]  # [n, 10]
    target = mlp.one_hot(y, out.shape[1]).to(out.dtype)  # [n, 10]
    d_a = 2 * (out - target) / len(x)  # [n, 10]  dC/da of the output layer
    grads: Weights = {}
    for i in reversed(range(n_layers(weights))):
        a, a_prev = activations[i + 1], activations[i]  # [n, out], [n, in]
        delta = d_a * a * (1 - a)  # [n, out]  sigma'(z) = a (1 - a)
        grads[f"layers.{i}.weight"] = delta.T @ a_prev  # [out, in]
        grads[f"layers.{i}.bias"] = delta.sum(dim=0)  # [out]
        d_a = delta @ weights[f"layers.{i}.weight"]  # [n, in]
    return {k: grads[k] for k in keys(weights)}


def per_example(weights: Weights, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each example's own gradient, flattened: [n, n_params] (row k = dC_k/d params)."""
    return torch.stack([flatten(autograd(weights, x[k : k + 1], y[k : k + 1])) for k in range(len(x))])


def flatten(grads: Weights) -> torch.Tensor:
    """All parameters in one vector, in the model's order."""
    return torch.cat([grads[k].reshape(-1) for k in keys(grads)])


def names(weights: Weights) -> list[tuple[int, int, int]]:
    """For each flat position: (layer, row, column), column -1 for a bias."""
    out = []
    for name in keys(weights):
        tensor = weights[name]
        layer = int(name.split(".")[1])
        if name.endswith(".weight"):
            out += [(layer, r, c) for r in range(tensor.shape[0]) for c in range(tensor.shape[1])]
        else:
            out += [(layer, r, -1) for r in range(tensor.shape[0])]
    return out
