"""Chapter 1 (What is a neural network): one held-out digit through the trained MLP."""

from __future__ import annotations

import numpy as np
import torch

from netreel.nets import mlp, names
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts, as_arrays

MLP_KEYS = (names.INPUT, *(names.layer("{layer}", tensor) for tensor in names.LAYER_TENSORS))
"""The digit MLP's recorded tensors: its input, and each layer's pre-activation, activation and parameters."""

KEYS = (
    *MLP_KEYS,
    "classes", "sizes", "prediction", "test_accuracy", "data.n_train", "data.n_test", "digit.index", "digit.label",
    "focus.neuron", "focus.terms", "focus.weighted_sum",
    "params.layers.{layer}.weight", "params.layers.{layer}.bias", "params.total", "edges.total",
)

MLP_MEANINGS = {
    names.INPUT: "the digit's pixels, row by row, in [0, 1]: the input layer's activations",
    names.layer("{layer}", "hook_z"): "layer {layer}'s weighted sums plus biases, before the sigmoid (layer 0: the first hidden layer)",
    names.layer("{layer}", "hook_a"): "layer {layer}'s activations, the sigmoid of its hook_z",
    names.layer("{layer}", "weight"): "the weights into layer {layer}, [neurons out, neurons in]",
    names.layer("{layer}", "bias"): "the biases of layer {layer}'s neurons",
}
"""What each of :data:`MLP_KEYS` holds."""

MEANINGS = {
    **MLP_MEANINGS,
    "classes": "the digit classes 0 to 9, the output neurons' labels",
    "sizes": "the neurons per layer, input first",
    "prediction": "the network's answer for the digit: its brightest output neuron",
    "test_accuracy": "the share of held-out digits the trained network gets right",
    "data.n_train": "how many digits it was trained on",
    "data.n_test": "how many digits were held out from training",
    "digit.index": "which held-out digit the chapter follows: the first one the network gets right",
    "digit.label": "that digit's true label",
    "focus.neuron": "the first-layer neuron the chapter follows (not saturated, the most weighted evidence)",
    "focus.terms": "weight times pixel for each pixel into the followed neuron",
    "focus.weighted_sum": "the followed neuron's weighted sum of pixels, without its bias",
    "params.layers.{layer}.weight": "how many weights lead into layer {layer}",
    "params.layers.{layer}.bias": "how many biases layer {layer} has",
    "params.total": "every weight and bias of the network, counted",
    "edges.total": "every connection between neurons (the weights), counted",
}
"""What each of :data:`KEYS` holds (``netreel info network --facts``)."""


def trained(config: NetConfig) -> mlp.TrainedMLP:
    data = config.digits()
    return mlp.load_or_train(mlp.MLPConfig.for_data(data, seed=config.seed), data)


def build(config: NetConfig) -> Facts:
    data = config.digits()
    net = trained(config)
    x_test = torch.from_numpy(data.x_test)  # [n_test, inputs]
    predictions = net.model(x_test).argmax(dim=1).numpy()  # [n_test]
    index = first_correct(predictions, data.y_test)
    _, cache = net.model.run_with_cache(x_test[index : index + 1])
    activations = {name: tensor[0] for name, tensor in cache.items()}  # drop the batch dim
    weights = dict(net.model.state_dict())
    evidence = (weights[names.layer(0, "weight")] * activations[names.INPUT]).abs().sum(dim=1)  # [16]
    focus = pick_focus(activations[names.layer(0, "hook_a")].numpy(), evidence.numpy())
    values = {
        **activations,
        **weights,
        **parameter_counts(weights),
        "digit.index": index,
        "digit.label": data.y_test[index],
        "prediction": int(activations[names.layer(len(net.model.layers) - 1, "hook_a")].argmax()),
        "classes": np.arange(10),
        "sizes": np.array(net.model.config.sizes),
        "focus.neuron": focus,
        "focus.terms": weights[names.layer(0, "weight")][focus] * activations[names.INPUT],
        "focus.weighted_sum": activations[names.layer(0, "hook_z")][focus] - weights[names.layer(0, "bias")][focus],
        "edges.total": sum(w.numel() for name, w in weights.items() if name.endswith("weight")),
        "data.n_train": len(data.y_train),
        "data.n_test": len(data.y_test),
        "test_accuracy": net.record["test_accuracy"],
    }
    return Facts(as_arrays(values), {"dataset": data.name, "side": data.side, "net_key": net.record["key"]})


def first_correct(predictions: np.ndarray, labels: np.ndarray) -> int:
    """The first held-out digit the network gets right: the lesson's example."""
    return int(np.flatnonzero(predictions == labels)[0])


def pick_focus(activation: np.ndarray, evidence: np.ndarray) -> int:
    """The first-layer neuron the chapter follows: of those not saturated (0.1 < a < 0.9),
    the one whose pixels carry the most weight (largest sum of |w a|); else the one nearest 0.5."""
    live = (activation > 0.1) & (activation < 0.9)
    if live.any():
        return int(np.argmax(np.where(live, evidence, -np.inf)))
    return int(np.argmin(np.abs(activation - 0.5)))


def parameter_counts(weights: dict[str, torch.Tensor]) -> dict[str, int]:
    counts = {f"params.{name}": tensor.numel() for name, tensor in weights.items()}
    return {**counts, "params.total": sum(counts.values())}


def reference(config: NetConfig) -> dict[str, np.ndarray]:
    """The same numbers by plain algebra on the stored weights, without the model's forward()."""
    data = config.digits()
    net = trained(config)
    weights = {k: v.double() for k, v in net.snapshots[-1].items()}
    n_layers = len(weights) // 2

    def forward(x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        out, a = [], x  # a: [n, inputs]
        for i in range(n_layers):
            w, b = weights[names.layer(i, "weight")], weights[names.layer(i, "bias")]  # [out, in], [out]
            z = torch.einsum("oi,ni->no", w, a) + b  # [n, out]
            a = 1.0 / (1.0 + torch.exp(-z))  # [n, out]
            out.append((z, a))
        return out

    x_test = torch.from_numpy(data.x_test).double()  # [n_test, inputs]
    all_out = forward(x_test)[-1][1]  # [n_test, 10]
    hits = (all_out.argmax(dim=1).numpy() == data.y_test)
    index = int(np.argmax(hits))
    x = x_test[index]  # [inputs]
    layers = forward(x[None])
    values: dict[str, object] = {names.INPUT: x}
    for i, (z, a) in enumerate(layers):
        values[names.layer(i, "hook_z")] = z[0]
        values[names.layer(i, "hook_a")] = a[0]
    values.update(weights)
    for name, tensor in weights.items():
        values[f"params.{name}"] = int(np.prod(tensor.shape))
    values["params.total"] = sum(int(np.prod(t.shape)) for t in weights.values())
    w0 = weights[names.layer(0, "weight")]  # [16, inputs]
    focus = pick_focus(layers[0][1][0].numpy(), (w0 * x).abs().sum(dim=1).numpy())
    values.update(
        {
            "digit.index": index,
            "digit.label": data.y_test[index],
            "prediction": int(layers[-1][1][0].argmax()),
            "classes": np.arange(10),
            "sizes": [data.n_inputs] + [weights[names.layer(i, "bias")].numel() for i in range(n_layers)],
            "focus.neuron": focus,
            "focus.terms": weights[names.layer(0, "weight")][focus] * x,
            "focus.weighted_sum": float(weights[names.layer(0, "weight")][focus] @ x),
            "edges.total": sum(int(np.prod(t.shape)) for t in weights.values() if t.ndim == 2),
            "data.n_train": len(data.x_train),
            "data.n_test": len(data.x_test),
            "test_accuracy": float(hits.mean()),
        }
    )
    return as_arrays(values)


def summary(config: NetConfig) -> list[tuple[str, str]]:
    data = config.digits()
    net = trained(config)
    history = net.history
    return [
        ("dataset", data.name),
        ("network", " -> ".join(str(s) for s in net.model.config.sizes) + ", sigmoid"),
        ("parameters", f"{net.model.n_params():,}"),
        ("training / held-out digits", f"{len(data.y_train):,} / {len(data.y_test):,}"),
        ("epochs, learning rate, batch", f"{net.model.config.epochs}, {net.model.config.lr}, {net.model.config.batch_size}"),
        ("held-out accuracy", f"{history.test_accuracy[-1]:.2%} (untrained {history.test_accuracy[0]:.2%})"),
        ("held-out cost", f"{history.test_cost[-1]:.4f} (untrained {history.test_cost[0]:.4f})"),
        ("training time", f"{net.record['train_seconds']:.1f} s"),
        ("cache key", net.record["key"]),
    ]
