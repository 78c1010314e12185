"""Chapter 5 (Backprop calculus): the chain network's derivatives, then one real layer of the digit MLP.

``build`` takes every gradient from autograd and every activation from the
models' own forward passes; ``reference`` recomputes them by hand, with the
chain rule written out on plain float64 numbers.
"""

from __future__ import annotations

import numpy as np
import torch

from netreel.nets import chain as chain_mod
from netreel.nets import mlp, names
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts, as_arrays
from netreel.nets.facts.network import trained

SWEEP_HALF_WIDTH = 2.0  # w(L) is swept over [w - 2, w + 2] ...
SWEEP_STEP = 0.05  # ... in steps of 0.05
NUDGE_STEPS = 2  # the nudge the scenes follow: w(L) + 2 steps
COST_THRESHOLD = 0.1  # the layer example: the first training digit classified right with C0 above this
AVERAGE_EXAMPLES = 8  # the layer example and the training digits after it, whose dC/dw_jk are averaged

KEYS = (
    "classes",
    "chain.depth", "chain.w", "chain.b", "chain.y", "chain.z", "chain.a", "chain.cost", "chain.dc_da_out",
    "chain.sigma_prime", "chain.grad.w", "chain.grad.b", "chain.grad.a",
    "chain.product.w", "chain.product.w_prev", "chain.product.b", "chain.product.a",
    "nudge.dw", "nudge.dz", "nudge.da", "nudge.dc", "nudge.ratio", "nudge.slope",
    "sweep.center", "sweep.moved", "sweep.w", "sweep.z", "sweep.a", "sweep.cost",
    "layer.index", "layer.sizes", "layer.example", "layer.image", "layer.label", "layer.j", "layer.k",
    "layer.a_prev", "layer.w", "layer.z", "layer.a", "layer.y", "layer.cost", "layer.dc_da", "layer.sigma_prime",
    "layer.product", "layer.terms", "layer.terms_sum", "layer.grad_w", "layer.grad_b", "layer.grad_a_prev",
    "layer.neurons",
    "average.index", "average.image", "average.label", "average.grad", "average.mean", "average.autograd", "average.params",
)

MEANINGS = {
    "classes": "the digit classes 0 to 9",
    "chain.depth": "the chain's number of weights, one neuron per layer",
    "chain.w": "the chain's weights, first to last",
    "chain.b": "the chain's biases",
    "chain.y": "the output the chain is trained towards",
    "chain.z": "each layer's weighted input plus bias",
    "chain.a": "each layer's activation, the input first",
    "chain.cost": "the chain's cost, (a(L) - y)²",
    "chain.dc_da_out": "dC/da(L) = 2 (a(L) - y)",
    "chain.sigma_prime": "σ'(z) of each layer",
    "chain.grad.w": "autograd's dC/dw of each weight",
    "chain.grad.b": "autograd's dC/db of each bias",
    "chain.grad.a": "autograd's dC/da of each activation",
    "chain.product.w": "dC/dw(L) as the product of the three factors shown",
    "chain.product.w_prev": "dC/dw(L-1) as the product of its factors",
    "chain.product.b": "dC/db(L) as the product of its factors",
    "chain.product.a": "dC/da(L-1) as the product of its factors",
    "nudge.dw": "the nudge given to w(L)",
    "nudge.dz": "the change it makes in z(L)",
    "nudge.da": "the change that makes in a(L)",
    "nudge.dc": "the change that makes in the cost",
    "nudge.ratio": "the ratios of those changes: dz/dw, da/dz, dC/da",
    "nudge.slope": "dC/dw measured by the nudge",
    "sweep.center": "the step of the sweep where w(L) has its real value",
    "sweep.moved": "the step after the nudge",
    "sweep.w": "the values w(L) takes on the number line",
    "sweep.z": "z(L) at each of them",
    "sweep.a": "a(L) at each of them",
    "sweep.cost": "the cost at each of them",
    "layer.index": "the MLP layer shown, numbered from 1 (the output layer)",
    "layer.sizes": "its size and the size of the layer before it",
    "layer.example": "the training digit it is shown on",
    "layer.image": "that digit's pixels",
    "layer.label": "its label",
    "layer.j": "the output neuron followed (the label's)",
    "layer.k": "the previous neuron whose weight into j has the largest gradient",
    "layer.a_prev": "the previous layer's activations",
    "layer.w": "the layer's weights, [neurons, previous neurons]",
    "layer.z": "its weighted sums plus biases",
    "layer.a": "its activations",
    "layer.y": "the outputs wanted",
    "layer.cost": "the digit's cost C0",
    "layer.dc_da": "dC0/da of each output",
    "layer.sigma_prime": "σ'(z) of each output",
    "layer.product": "dC0/dw_jk as the product of the three factors shown",
    "layer.terms": "each output neuron's share of dC0/da_k",
    "layer.terms_sum": "their sum, dC0/da_k",
    "layer.grad_w": "autograd's dC0/dw of every weight of the layer",
    "layer.grad_b": "autograd's dC0/db of every bias",
    "layer.grad_a_prev": "autograd's dC0/da of every previous activation",
    "layer.neurons": "the previous layer's neuron indices k",
    "average.index": "the layer example and the training digits after it",
    "average.image": "their pixels, one row each",
    "average.label": "their labels",
    "average.grad": "each one's own dC_i/dw_jk of the followed weight, by autograd",
    "average.mean": "their average",
    "average.autograd": "autograd's dC/dw_jk of their average cost",
    "average.params": "how many parameters the network has: the entries of its gradient",
}
"""What each of :data:`KEYS` holds (``netreel info calculus --facts``)."""


def chain_config(config: NetConfig) -> chain_mod.ChainConfig:
    return chain_mod.ChainConfig(seed=config.seed)


def sweep_weights(w: float) -> np.ndarray:
    """The values w(L) takes on the number line: the real w at the centre."""
    n = int(round(SWEEP_HALF_WIDTH / SWEEP_STEP))
    return w + SWEEP_STEP * np.arange(-n, n + 1)  # [2n+1]


def build(config: NetConfig) -> Facts:
    values = {**chain_facts(chain_config(config)), **layer_facts(config)}
    data = config.digits()
    meta = {"dataset": data.name, "side": data.side, "net_key": trained(config).record["key"]}
    return Facts(as_arrays(values), meta)


def chain_facts(config: chain_mod.ChainConfig) -> dict[str, object]:
    """The chain's forward pass from its hooks, its gradients from autograd, and the sweep of w(L)."""
    model = chain_mod.Chain(config)
    depth = config.depth
    _, cache = model.run_with_cache(model.input[None])
    z = torch.stack([cache[names.layer(i, "hook_z")][0] for i in range(depth)])  # [L]
    a = torch.stack([cache[names.INPUT][0]] + [cache[names.layer(i, "hook_a")][0] for i in range(depth)])  # [L+1]
    grads = model.gradients()
    last = model.layers[-1]
    sweep_w = sweep_weights(last.weight.item())
    sweep = {"z": [], "a": [], "cost": []}
    original = last.weight.detach().clone()
    with torch.no_grad():
        for w in sweep_w:
            last.weight.fill_(float(w))
            out, swept = model.run_with_cache(model.input[None])
            sweep["z"].append(float(swept[names.layer(depth - 1, "hook_z")][0]))
            sweep["a"].append(float(out[0]))
            sweep["cost"].append(float(chain_mod.cost(out[0], model.target)))
        last.weight.copy_(original)
    center = len(sweep_w) // 2
    moved = center + NUDGE_STEPS
    nudge = {
        "dw": sweep_w[moved] - sweep_w[center],
        "dz": sweep["z"][moved] - sweep["z"][center],
        "da": sweep["a"][moved] - sweep["a"][center],
        "dc": sweep["cost"][moved] - sweep["cost"][center],
    }
    activation = torch.sigmoid(z)  # [L]
    sigma_prime = activation * (1 - activation)  # [L]
    dc_da_out = 2 * (a[-1] - model.target)
    return {
        **chain_products(a, model.layers[-1].weight.detach(), sigma_prime, dc_da_out),
        "chain.depth": depth,
        "chain.y": model.target,
        "chain.w": torch.stack([link.weight.detach() for link in model.layers]),  # [L]
        "chain.b": torch.stack([link.bias.detach() for link in model.layers]),  # [L]
        "chain.z": z,
        "chain.a": a,
        "chain.cost": chain_mod.cost(a[-1], model.target),
        "chain.sigma_prime": sigma_prime,
        "chain.dc_da_out": dc_da_out,
        "chain.grad.w": grads["w"],
        "chain.grad.b": grads["b"],
        "chain.grad.a": grads["a"],
        "sweep.w": sweep_w,
        "sweep.z": np.array(sweep["z"]),
        "sweep.a": np.array(sweep["a"]),
        "sweep.cost": np.array(sweep["cost"]),
        "sweep.center": center,
        "sweep.moved": moved,
        **{f"nudge.{k}": v for k, v in nudge.items()},
        "nudge.ratio": [nudge["dz"] / nudge["dw"], nudge["da"] / nudge["dz"], nudge["dc"] / nudge["da"]],
        "nudge.slope": nudge["dc"] / nudge["dw"],
    }


def chain_products(a, w_last, sigma_prime, dc_da_out) -> dict[str, object]:
    """The chain rule's products of the factors shown on screen, to set beside autograd's gradients."""
    dc_da_prev = w_last * sigma_prime[-1] * dc_da_out  # dC0/da(L-1)
    return {
        "chain.product.w": a[-2] * sigma_prime[-1] * dc_da_out,  # dC0/dw(L) = a(L-1) sigma'(z(L)) 2(a(L) - y)
        "chain.product.b": sigma_prime[-1] * dc_da_out,  # dC0/db(L) = 1 sigma'(z(L)) 2(a(L) - y)
        "chain.product.a": dc_da_prev,
        "chain.product.w_prev": a[-3] * sigma_prime[-2] * dc_da_prev,  # dC0/dw(L-1) = a(L-2) sigma'(z(L-1)) dC0/da(L-1)
    }


def pick_example(costs: np.ndarray, hits: np.ndarray) -> int:
    """The layer's example: the first training digit the network gets right while its cost is still above the threshold."""
    candidates = np.flatnonzero(hits & (costs > COST_THRESHOLD))
    if not len(candidates):
        raise ValueError(f"no training digit is classified right with a cost above {COST_THRESHOLD}")
    return int(candidates[0])


def layer_facts(config: NetConfig) -> dict[str, object]:
    """The output layer of the trained MLP on one training digit: autograd's dC0/dw_jk and dC0/da_k."""
    data = config.digits()
    model = trained(config).model
    x_train = torch.from_numpy(data.x_train)  # [n, inputs]
    labels = torch.from_numpy(data.y_train)  # [n]
    with torch.no_grad():
        outputs = model(x_train)  # [n, 10]
    costs = ((outputs - mlp.one_hot(labels)) ** 2).sum(dim=1).numpy()  # [n]
    example = pick_example(costs, (outputs.argmax(dim=1) == labels).numpy())
    x = x_train[example : example + 1]  # [1, inputs]
    _, cache = model.run_with_cache(x)
    last = len(model.layers) - 1
    a_prev = cache[names.layer(last - 1, "hook_a")][0]  # [16]
    z = cache[names.layer(last, "hook_z")][0]  # [10]
    a = cache[names.layer(last, "hook_a")][0]  # [10]
    y = mlp.one_hot(labels[example : example + 1])[0]  # [10]
    out_layer = model.layers[last]
    model.zero_grad()
    a_prev_leaf = a_prev.clone().requires_grad_(True)  # [16]
    c0 = ((out_layer(a_prev_leaf[None])[0] - y) ** 2).sum()
    c0.backward()
    grad_w = out_layer.weight.grad.clone()  # [10, 16]
    grad_b = out_layer.bias.grad.clone()  # [10]
    grad_a_prev = a_prev_leaf.grad.clone()  # [16]
    model.zero_grad()
    weight = out_layer.weight.detach()  # [10, 16]
    j = int(labels[example])
    k = int(torch.argmax(grad_w[j].abs()))
    sigma_prime = a * (1 - a)  # [10]
    dc_da = 2 * (a - y)  # [10]
    terms = weight[:, k] * sigma_prime * dc_da  # [10]: each output neuron's share of dC0/da_k
    batch = torch.arange(example, example + AVERAGE_EXAMPLES)  # [n]
    per_example = torch.stack([weight_gradient(model, x_train[i : i + 1], labels[i : i + 1])[j, k] for i in batch])
    return {
        "average.index": batch,
        "average.image": x_train[batch],
        "average.label": labels[batch],
        "average.grad": per_example,
        "average.mean": per_example.mean(),
        "average.autograd": weight_gradient(model, x_train[batch], labels[batch])[j, k],
        "average.params": sum(p.numel() for p in model.parameters()),
        "classes": np.arange(weight.shape[0]),
        "layer.neurons": np.arange(weight.shape[1]),
        "layer.index": last + 1,
        "layer.example": example,
        "layer.image": x[0],
        "layer.label": labels[example],
        "layer.sizes": [weight.shape[0], weight.shape[1]],
        "layer.a_prev": a_prev,
        "layer.z": z,
        "layer.a": a,
        "layer.y": y,
        "layer.w": weight,
        "layer.cost": c0.detach(),
        "layer.sigma_prime": sigma_prime,
        "layer.dc_da": dc_da,
        "layer.j": j,
        "layer.k": k,
        "layer.grad_w": grad_w,
        "layer.grad_b": grad_b,
        "layer.grad_a_prev": grad_a_prev,
        "layer.terms": terms,
        "layer.terms_sum": terms.sum(),
        "layer.product": a_prev[k] * sigma_prime[j] * dc_da[j],  # dC0/dw_jk from the three factors shown
    }


def weight_gradient(model: mlp.MLP, x: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Autograd's gradient of the average cost over ``x`` with respect to the output layer's weights [10, 16]."""
    out_layer = model.layers[-1]
    model.zero_grad()
    mlp.cost(model(x), labels).backward()
    grad = out_layer.weight.grad.clone()
    model.zero_grad()
    return grad


def reference(config: NetConfig) -> dict[str, np.ndarray]:
    """The same numbers by hand: plain float64 forward passes and the chain rule written out."""
    return as_arrays({**chain_reference(chain_config(config)), **layer_reference(config)})


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def chain_reference(config: chain_mod.ChainConfig) -> dict[str, object]:
    model = chain_mod.Chain(config)  # only its stored parameters and input are read, not its forward()
    w = np.array([link.weight.item() for link in model.layers])  # [L]
    b = np.array([link.bias.item() for link in model.layers])  # [L]
    x = float(model.input)
    y = config.target
    a, z = [x], []
    for l in range(config.depth):
        z.append(w[l] * a[-1] + b[l])
        a.append(_sigmoid(z[-1]))
    z, a = np.array(z), np.array(a)  # [L], [L+1]
    sigma_prime = a[1:] * (1 - a[1:])  # [L]
    # Backwards through the chain: dC0/da(L) = 2(a(L) - y), then each link multiplies by sigma'(z) and w.
    grad_a = np.zeros(config.depth + 1)
    grad_a[-1] = 2 * (a[-1] - y)
    grad_w, grad_b = np.zeros(config.depth), np.zeros(config.depth)
    for l in reversed(range(config.depth)):
        dc_dz = sigma_prime[l] * grad_a[l + 1]
        grad_w[l] = a[l] * dc_dz
        grad_b[l] = dc_dz
        grad_a[l] = w[l] * dc_dz
    sweep_w = sweep_weights(w[-1])
    sweep_z = sweep_w * a[-2] + b[-1]
    sweep_a = _sigmoid(sweep_z)
    sweep_cost = (sweep_a - y) ** 2
    center = int(np.argmin(np.abs(sweep_w - w[-1])))
    moved = center + NUDGE_STEPS
    d = {name: arr[moved] - arr[center] for name, arr in (("dw", sweep_w), ("dz", sweep_z), ("da", sweep_a), ("dc", sweep_cost))}
    return {
        **chain_products(a, w[-1], sigma_prime, 2 * (a[-1] - y)),
        "chain.depth": config.depth,
        "chain.y": y,
        "chain.w": w,
        "chain.b": b,
        "chain.z": z,
        "chain.a": a,
        "chain.cost": (a[-1] - y) ** 2,
        "chain.sigma_prime": sigma_prime,
        "chain.dc_da_out": 2 * (a[-1] - y),
        "chain.grad.w": grad_w,
        "chain.grad.b": grad_b,
        "chain.grad.a": grad_a,
        "sweep.w": sweep_w,
        "sweep.z": sweep_z,
        "sweep.a": sweep_a,
        "sweep.cost": sweep_cost,
        "sweep.center": center,
        "sweep.moved": moved,
        **{f"nudge.{k}": v for k, v in d.items()},
        "nudge.ratio": [d["dz"] / d["dw"], d["da"] / d["dz"], d["dc"] / d["da"]],
        "nudge.slope": d["dc"] / d["dw"],
    }


def layer_reference(config: NetConfig) -> dict[str, object]:
    data = config.digits()
    weights = {k: v.double().numpy() for k, v in trained(config).snapshots[-1].items()}
    n_layers = len(weights) // 2
    activations = [data.x_train.astype(np.float64)]  # [n, inputs] each step: [n, layer size]
    zs = []
    for i in range(n_layers):
        zs.append(activations[-1] @ weights[names.layer(i, "weight")].T + weights[names.layer(i, "bias")])
        activations.append(_sigmoid(zs[-1]))
    y_all = np.eye(10)[data.y_train]  # [n, 10]
    costs = ((activations[-1] - y_all) ** 2).sum(axis=1)  # [n]
    example = pick_example(costs, activations[-1].argmax(axis=1) == data.y_train)
    a_prev = activations[-2][example]  # [16]
    z, a, y = zs[-1][example], activations[-1][example], y_all[example]  # [10] each
    w = weights[names.layer(n_layers - 1, "weight")]  # [10, 16]
    sigma_prime = a * (1 - a)
    dc_da = 2 * (a - y)
    delta = sigma_prime * dc_da  # [10] dC0/dz_j
    grad_w = np.outer(delta, a_prev)  # dC0/dw_jk = a_k(L-1) sigma'(z_j) 2(a_j - y_j)
    j = int(data.y_train[example])
    k = int(np.argmax(np.abs(grad_w[j])))
    terms = w[:, k] * delta  # [10]
    batch = np.arange(example, example + AVERAGE_EXAMPLES)
    a_out = activations[-1][batch, j]  # [n]: the followed output neuron on each digit
    per_example = activations[-2][batch, k] * a_out * (1 - a_out) * 2 * (a_out - y_all[batch, j])
    return {
        "average.index": batch,
        "average.image": data.x_train[batch],
        "average.label": data.y_train[batch],
        "average.grad": per_example,
        "average.mean": sum(float(g) for g in per_example) / len(batch),
        "average.autograd": per_example.mean(),
        "average.params": sum(v.size for v in weights.values()),
        "classes": range(w.shape[0]),
        "layer.neurons": range(w.shape[1]),
        "layer.index": n_layers,
        "layer.example": example,
        "layer.image": data.x_train[example],
        "layer.label": data.y_train[example],
        "layer.sizes": list(w.shape),
        "layer.a_prev": a_prev,
        "layer.z": z,
        "layer.a": a,
        "layer.y": y,
        "layer.w": w,
        "layer.cost": ((a - y) ** 2).sum(),
        "layer.sigma_prime": sigma_prime,
        "layer.dc_da": dc_da,
        "layer.j": j,
        "layer.k": k,
        "layer.grad_w": grad_w,
        "layer.grad_b": delta,
        "layer.grad_a_prev": w.T @ delta,  # the sum over j of w_jk sigma'(z_j) 2(a_j - y_j)
        "layer.terms": terms,
        "layer.terms_sum": sum(float(t) for t in terms),
        "layer.product": a_prev[k] * delta[j],
    }


def summary(config: NetConfig) -> list[tuple[str, str]]:
    facts = build(config)
    depth = int(facts["chain.depth"])
    w, b = facts["chain.w"], facts["chain.b"]
    links = ", ".join(f"w{l + 1}={w[l]:.3f} b{l + 1}={b[l]:.3f}" for l in range(depth))
    return [
        ("chain", "-".join(["1"] * (depth + 1)) + ", sigmoid, seed " + str(config.seed)),
        ("chain parameters", links),
        ("chain input, target", f"a0={facts['chain.a'][0]:.3f}, y={facts['chain.y']:.2f}"),
        ("chain cost C0", f"{float(facts['chain.cost']):.4f}"),
        ("dC0/dw(L) (autograd)", f"{float(facts['chain.grad.w'][-1]):.4f}"),
        ("MLP layer example", f"training digit {int(facts['layer.example'])} (label {int(facts['layer.label'])})"),
        ("its cost C0", f"{float(facts['layer.cost']):.4f}"),
        ("MLP cache key", facts.meta["net_key"]),
    ]
