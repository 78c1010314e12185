"""Chapter 8 (Convolution): one held-out digit through the trained CNN, beside Chapter 1's MLP."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from netreel.nets import cnn
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts, as_arrays
from netreel.nets.facts import network as network_facts
from netreel.nets.facts import vit as vit_facts

DATASET = "digits"  # unless the user chooses: the worked convolution shows every product on an 8x8 digit
CROP = 6  # the pooling scene shows a CROP x CROP corner of a feature map, numbers and all
SHIFT = (0, 1)  # (down, right): the digit's ink spans columns 1 to 6 and every row, so one pixel right loses none
ALIGNED = (0, 2)  # a shift by the pooling window's side
CHANGED = 1e-5  # a pooled cell counts as changed when it moves by more than this share of the pooled range

CNN_KEYS = (
    "hook_input", "hook_pool", "hook_logits", "hook_probs",
    *(f"{conv}.{tensor}" for conv in ("conv1", "conv2") for tensor in ("hook_z", "hook_a", "weight", "bias")),
    "head.weight", "head.bias",
)
"""The CNN's recorded tensors (nets/cnn.py): its hooks on one digit and its parameters."""

KEYS = (
    *CNN_KEYS, *(f"params.{name}" for name in CNN_KEYS if name.endswith(("weight", "bias"))),
    "classes", "prediction", "data.n_test", "digit.index", "digit.label", "filters",
    "focus.filter", "focus.conv2", "dense.focus", "errors.cnn", "errors.mlp", "test_accuracy.cnn", "test_accuracy.mlp",
    "count.cells", "count.conv", "count.dense", "count.inputs", "count.local", "count.outputs",
    "params.mlp", "params.total", "pool.row", "pool.col", "pool.origin", "reach.centre", "reach.conv",
    "rf.box", "rf.size", "shape.channels", "shape.conv1", "shape.kernel", "shape.pool", "shape.side", "shape.window",
    "slide.products", "slide.sums",
    "channels.cell", "channels.partial", "size.padding", "size.stride", "size.out", "arch.shapes", "arch.flat", "arch.params",
    *(f"equivariance.{name}" for name in (
        "shift", "aligned", "image", "maps", "error", "range", "relative", "pooled", "pool_change", "pool_relative",
        "pool_changed", "pool_cells", "aligned_error", "aligned_change", "prediction", "probability",
    )),
    *vit_facts.KEYS,
)

CNN_MEANINGS = {
    "hook_input": "the digit's pixels, [channel, row, column]",
    "hook_pool": "the first convolution's maps after ReLU and max pooling, the second convolution's input, [filter, row, column]",
    "hook_logits": "the ten output logits",
    "hook_probs": "their softmax: the ten probabilities",
    "conv1.hook_z": "the first convolution's feature maps before the ReLU, [filter, row, column]",
    "conv1.hook_a": "the same after the ReLU",
    "conv1.weight": "the first convolution's kernels, [filter, channel, row, column]",
    "conv1.bias": "their biases",
    "conv2.hook_z": "the second convolution's feature maps before the ReLU",
    "conv2.hook_a": "the same after the ReLU",
    "conv2.weight": "the second convolution's kernels, [filter, channel, row, column]",
    "conv2.bias": "their biases",
    "head.weight": "the dense output layer's weights, [class, pooled value]",
    "head.bias": "its biases",
}
"""What each of :data:`CNN_KEYS` holds."""

MEANINGS = {
    **CNN_MEANINGS,
    **{f"params.{name}": f"how many numbers {name} has" for name in CNN_KEYS if name.endswith(("weight", "bias"))},
    "classes": "the digit classes 0 to 9",
    "prediction": "the CNN's answer for the digit",
    "data.n_test": "how many held-out digits there are",
    "digit.index": "which held-out digit the chapter follows",
    "digit.label": "its true label",
    "filters": "the first convolution's filter numbers",
    "focus.filter": "the first-layer filter followed",
    "focus.conv2": "the second-layer filter most active on the digit",
    "dense.focus": "a dense layer's weights from every pixel to each cell of the followed map, [cell, pixel]",
    "errors.cnn": "how many held-out digits the CNN gets wrong",
    "errors.mlp": "how many the digit MLP gets wrong",
    "test_accuracy.cnn": "the CNN's held-out accuracy",
    "test_accuracy.mlp": "the digit MLP's held-out accuracy",
    "count.cells": "the cells of one first-layer feature map",
    "count.conv": "the first convolution's weights and biases, counted",
    "count.dense": "the weights and biases of a dense layer with the same inputs and outputs",
    "count.inputs": "the pixels of a digit",
    "count.local": "the same with local connections but no sharing",
    "count.outputs": "the first convolution's outputs: filters times cells",
    "params.mlp": "the digit MLP's parameters, counted",
    "params.total": "the CNN's parameters, counted",
    "pool.row": "the row of each pooled maximum in its window",
    "pool.col": "the column of each pooled maximum in its window",
    "pool.origin": "the corner of the feature map the pooling scene shows",
    "reach.centre": "the pixel at the centre of the neighbourhood the chapter's convolution output reads, [row, column]",
    "reach.conv": "how many pixels one convolution output reaches",
    "rf.box": "the receptive field of a neuron of each layer: [top, left, bottom, right]",
    "rf.size": "its side, in pixels",
    "shape.channels": "the filters of each convolution",
    "shape.conv1": "the side of a first-layer feature map",
    "shape.kernel": "the side of a kernel",
    "shape.pool": "the side of a pooled map",
    "shape.side": "the side of a digit, in pixels",
    "shape.window": "the side of the pooling window",
    "slide.products": "kernel times pixels at every position of the followed filter, [row, column, kernel row, kernel column]",
    "slide.sums": "their sums: the followed feature map before its bias",
    "channels.cell": "the cell of the second-layer map in focus whose window the channels scene shows, [row, column]",
    "channels.partial": "each input channel's part of that cell: its kernel slice times the pooled map under the window, summed, [channel]",
    "size.padding": "the padding of each first-layer setting compared: the network's own, stride 2, padding 1",
    "size.stride": "the stride of each of those settings",
    "size.out": "the side of the first layer's output under each setting, by floor((n + 2p - k) / s) + 1",
    "arch.shapes": "the shape of each recorded map: the digit, the first convolution after ReLU, the pool, the second convolution after ReLU, [stage, channels/rows/columns]",
    "arch.flat": "the dense layer's inputs and outputs",
    "arch.params": "the weights and biases of each layer: first convolution, second convolution, dense",
    "equivariance.shift": "the shift applied to the digit: [rows down, columns right], zero fill",
    "equivariance.aligned": "a second shift, by the pooling window's side: [rows down, columns right]",
    "equivariance.image": "the shifted digit, [row, column]",
    "equivariance.maps": "the first convolution's maps (after ReLU) of the shifted digit, [filter, row, column]",
    "equivariance.error": "max |map(shift(x)) - shift(map(x))| over every filter and every cell both define",
    "equivariance.range": "the range (max - min) of the first convolution's maps of the digit",
    "equivariance.relative": "that error as a share of the range",
    "equivariance.pooled": "the pooled maps of the shifted digit, [filter, row, column]",
    "equivariance.pool_change": "max |pool(map(shift(x))) - pool(map(x))|: how far pooling is from invariant",
    "equivariance.pool_relative": "that change as a share of the pooled maps' range",
    "equivariance.pool_changed": "how many pooled cells the shift changes",
    "equivariance.pool_cells": "how many pooled cells there are, every filter together",
    "equivariance.aligned_error": "max |pool(map(shift2(x))) - shift(pool(map(x)))| for the aligned shift, one pooled cell, where both define",
    "equivariance.aligned_change": "max |pool(map(shift2(x))) - pool(map(x))| for the aligned shift",
    "equivariance.prediction": "the CNN's answer for the digit and for its shift",
    "equivariance.probability": "the probability of each answer",
    **vit_facts.MEANINGS,
}
"""What each of :data:`KEYS` holds (``netreel info cnn --facts``)."""


def trained(config: NetConfig) -> cnn.TrainedCNN:
    data = config.digits()
    return cnn.load_or_train(cnn.CNNConfig.for_data(data, seed=config.seed), data)


def build(config: NetConfig) -> Facts:
    data = config.digits()
    net = trained(config)
    mlp_net = network_facts.trained(config)
    shape = net.model.config
    x_test = torch.from_numpy(data.x_test)  # [n_test, side*side]
    with torch.no_grad():
        cnn_predictions = net.model(x_test).argmax(dim=1).numpy()  # [n_test]
        mlp_predictions = mlp_net.model(x_test).argmax(dim=1).numpy()  # [n_test]
    index = pick_digit(network_facts.first_correct(mlp_predictions, data.y_test), cnn_predictions, data.y_test)
    _, cache = net.model.run_with_cache(x_test[index : index + 1])
    acts = {name: tensor[0] for name, tensor in cache.items()}  # drop the batch dim
    weights = dict(net.model.state_dict())
    focus = pick_filter(acts["conv1.hook_z"].numpy())
    image = acts["hook_input"][0]  # [side, side]
    kernel = weights["conv1.weight"][focus, 0]  # [k, k]
    k, m = shape.kernel, shape.conv1_side
    patches = image.unfold(0, k, 1).unfold(1, k, 1)  # [m, m, k, k]
    products = patches * kernel  # [m, m, k, k]
    relu = acts["conv1.hook_a"]  # [c1, m, m]
    _, flat = F.max_pool2d(relu[None], shape.pool, return_indices=True)  # [1, c1, p, p] indices into m*m
    basis = torch.eye(shape.side**2).reshape(-1, 1, shape.side, shape.side)  # [side*side, 1, side, side]
    boxes = receptive_boxes(shape)
    dense = F.conv2d(basis, weights["conv1.weight"][focus : focus + 1]).reshape(shape.side**2, m * m).T  # [m*m, side*side]
    counts = layer_counts(shape)
    values = {
        **architecture(acts, weights, shape, int(acts["conv2.hook_a"].sum(dim=(1, 2)).argmax())),
        **acts,
        **weights,
        **equivariance(net.model, image, shape),
        **network_facts.parameter_counts(weights),
        **counts,
        **vit_facts.build(config, index, tuple(counts["reach.centre"])),
        "digit.index": index,
        "digit.label": data.y_test[index],
        "prediction": int(acts["hook_logits"].argmax()),
        "classes": np.arange(10),
        "focus.filter": focus,
        "focus.conv2": int(acts["conv2.hook_a"].sum(dim=(1, 2)).argmax()),
        "slide.products": products,
        "slide.sums": products.sum(dim=(2, 3)),
        "pool.row": flat[0] // m,
        "pool.col": flat[0] % m,
        "pool.origin": pick_crop(relu[focus].numpy(), shape.pool),
        "dense.focus": dense,
        "rf.box": boxes,
        "rf.size": boxes[:, 2] - boxes[:, 0] + 1,
        "test_accuracy.cnn": net.record["test_accuracy"],
        "test_accuracy.mlp": mlp_net.record["test_accuracy"],
        "errors.cnn": int((cnn_predictions != data.y_test).sum()),
        "errors.mlp": int((mlp_predictions != data.y_test).sum()),
        "params.mlp": mlp_net.model.n_params(),
        "data.n_test": len(data.y_test),
    }
    return Facts(as_arrays(values), {"dataset": data.name, "side": data.side, "net_key": net.record["key"]})


SETTINGS = ((0, 1), (0, 2), (1, 1))  # (padding, stride): the first convolution's own, then stride 2, then padding 1


def architecture(acts: dict, weights: dict, shape: cnn.CNNConfig, focus2: int) -> dict[str, object]:
    """Channels: the second convolution's centre cell of filter ``focus2``, split by input channel (a grouped
    convolution keeps each channel's sum apart). Sizes: the first layer's output side under each of
    :data:`SETTINGS` by the formula. Architecture: the recorded maps' shapes and each layer's parameters."""
    pooled, w2 = acts["hook_pool"], weights["conv2.weight"][focus2]  # [c1, p, p], [c1, k, k]
    centre = (shape.pool_side - 1) // 2
    parts = F.conv2d(pooled[None], w2[:, None], padding=shape.kernel // 2, groups=len(w2))[0, :, centre, centre]
    n, k = shape.side, shape.kernel
    layers = ("conv1", "conv2", "head")
    return {
        "channels.cell": np.array([centre, centre]),
        "channels.partial": parts,
        "size.padding": np.array([p for p, _ in SETTINGS]),
        "size.stride": np.array([s for _, s in SETTINGS]),
        "size.out": np.array([(n + 2 * p - k) // s + 1 for p, s in SETTINGS]),
        "arch.shapes": np.array([acts[key].shape for key in ("hook_input", "conv1.hook_a", "hook_pool", "conv2.hook_a")]),
        "arch.flat": np.array(weights["head.weight"].shape[::-1]),
        "arch.params": np.array([weights[f"{layer}.weight"].numel() + weights[f"{layer}.bias"].numel() for layer in layers]),
    }


def shift(a: torch.Tensor, down: int, right: int) -> torch.Tensor:
    """The last two axes moved ``down`` rows and ``right`` columns (both >= 0); what enters is zero."""
    out = torch.zeros_like(a)
    h, w = a.shape[-2:]
    out[..., down:, right:] = a[..., : h - down, : w - right]
    return out


@torch.no_grad()
def equivariance(model: cnn.CNN, image: torch.Tensor, shape: cnn.CNNConfig) -> dict[str, object]:
    """The digit [side, side] shifted; its first maps against the shifted maps where both define them; pooling's
    change under a shift that is not a multiple of the window, and its equivariance under one that is."""
    s = shape.pool

    def run(x: torch.Tensor) -> dict[str, torch.Tensor]:
        _, cache = model.run_with_cache(x.reshape(1, -1))
        return {name: tensor[0] for name, tensor in cache.items()}

    before, after, aligned = run(image), run(shift(image, *SHIFT)), run(shift(image, *ALIGNED))
    a, a_shifted = before["conv1.hook_a"], after["conv1.hook_a"]  # [c1, m, m]
    (dy, dx), m = SHIFT, a.shape[-1]
    error = (a_shifted[:, dy:, dx:] - a[:, : m - dy, : m - dx]).abs().max()
    pooled, pooled_shifted = before["hook_pool"], after["hook_pool"]  # [c1, p, p]
    pool_range = pooled.max() - pooled.min()
    change = (pooled_shifted - pooled).abs()
    (ay, ax), p = (d // s for d in ALIGNED), pooled.shape[-1]
    aligned_pooled = aligned["hook_pool"]
    return {
        "equivariance.shift": np.array(SHIFT),
        "equivariance.aligned": np.array(ALIGNED),
        "equivariance.image": shift(image, *SHIFT),
        "equivariance.maps": a_shifted,
        "equivariance.error": error,
        "equivariance.range": a.max() - a.min(),
        "equivariance.relative": error / (a.max() - a.min()),
        "equivariance.pooled": pooled_shifted,
        "equivariance.pool_change": change.max(),
        "equivariance.pool_relative": change.max() / pool_range,
        "equivariance.pool_changed": int((change > CHANGED * pool_range).sum()),
        "equivariance.pool_cells": change.numel(),
        "equivariance.aligned_error": (aligned_pooled[:, ay:, ax:] - pooled[:, : p - ay, : p - ax]).abs().max(),
        "equivariance.aligned_change": (aligned_pooled - pooled).abs().max(),
        "equivariance.prediction": [int(before["hook_probs"].argmax()), int(after["hook_probs"].argmax())],
        "equivariance.probability": [float(before["hook_probs"].max()), float(after["hook_probs"].max())],
    }


def pick_digit(chapter_one_digit: int, predictions: np.ndarray, labels: np.ndarray) -> int:
    """Chapter 1's digit when the CNN gets it right too; else the first held-out digit the CNN gets right."""
    if predictions[chapter_one_digit] == labels[chapter_one_digit]:
        return chapter_one_digit
    return int(np.flatnonzero(predictions == labels)[0])


def pick_filter(z: np.ndarray) -> int:
    """The first-layer filter the chapter follows: the one whose map [c, m, m] holds most of both signs
    (largest min(sum of positive parts, sum of negative parts)), so ReLU visibly removes something."""
    positive = np.clip(z, 0, None).sum(axis=(1, 2))
    negative = np.clip(-z, 0, None).sum(axis=(1, 2))
    return int(np.argmax(np.minimum(positive, negative)))


def pick_crop(relu: np.ndarray, pool: int) -> np.ndarray:
    """Top-left corner of the CROP x CROP window of a map [m, m] shown in the pooling scene: aligned with
    the pooling windows, inside the map, holding the largest total activation (the first such)."""
    m = relu.shape[0]
    size = min(CROP, m // pool * pool)
    best, corner = -1.0, (0, 0)
    for r in range(0, m // pool * pool - size + 1, pool):
        for c in range(0, m // pool * pool - size + 1, pool):
            total = float(relu[r : r + size, c : c + size].sum())
            if total > best:
                best, corner = total, (r, c)
    return np.array(corner)


def layer_counts(shape: cnn.CNNConfig) -> dict[str, int]:
    """The first layer's sizes, and what a layer with its inputs and outputs costs in weights and biases:
    fully connected, locally connected (own weights per output cell), convolutional (shared)."""
    c1, m, k = shape.channels[0], shape.conv1_side, shape.kernel
    inputs, outputs = shape.side**2, c1 * m * m
    return {
        "shape.side": shape.side,
        "shape.conv1": m,
        "shape.pool": shape.pool_side,
        "shape.kernel": k,
        "shape.window": shape.pool,
        "shape.channels": np.array(shape.channels),
        "filters": np.arange(c1),
        "count.inputs": inputs,
        "count.cells": m * m,
        "count.outputs": outputs,
        "count.dense": inputs * outputs + outputs,
        "count.local": outputs * k * k + outputs,
        "count.conv": c1 * k * k + c1,
        "reach.conv": k * k,
        "reach.centre": np.array([(m - 1) // 2 + k // 2] * 2),
    }


def receptive_boxes(shape: cnn.CNNConfig) -> np.ndarray:
    """The input pixels seen by the centre cell of conv1, of the pool and of conv2, as rows
    (top, left, bottom, right), inclusive, clipped to the image: by the layer arithmetic
    r' = r + (k - 1) j, j' = j s, start' = start - pad j."""
    k, s = shape.kernel, shape.pool
    layers = [(k, 1, 0, shape.conv1_side), (s, s, 0, shape.pool_side), (k, 1, k // 2, shape.pool_side)]
    size, jump, start = 1, 1, 0
    boxes = []
    for kernel, stride, pad, side in layers:
        size, start, jump = size + (kernel - 1) * jump, start - pad * jump, jump * stride
        centre = (side - 1) // 2
        lo, hi = max(0, start + centre * jump), min(shape.side - 1, start + centre * jump + size - 1)
        boxes.append((lo, lo, hi, hi))
    return np.array(boxes)


# ---------------------------------------------------------------------------
# The independent route: plain tensor algebra on the stored weights.


def _conv(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor | None, pad: int) -> torch.Tensor:
    """sum over channels and kernel offsets of w[o, c, u, v] x[n, c, i+u, j+v], plus b[o]."""
    n, c, h, wd = x.shape
    padded = x.new_zeros(n, c, h + 2 * pad, wd + 2 * pad)  # [n, c, h+2p, w+2p]
    padded[:, :, pad : pad + h, pad : pad + wd] = x
    k = w.shape[-1]
    oh, ow = h + 2 * pad - k + 1, wd + 2 * pad - k + 1
    out = sum(
        torch.einsum("oc,nchw->nohw", w[:, :, u, v], padded[:, :, u : u + oh, v : v + ow]) for u in range(k) for v in range(k)
    )  # [n, o, oh, ow]
    return out if b is None else out + b[None, :, None, None]


def _pool(a: np.ndarray, s: int) -> tuple[np.ndarray, np.ndarray]:
    """Max over s x s windows of maps [c, m, m], and the flat offset (row-major) of the first maximum in each."""
    c, m, _ = a.shape
    p = m // s
    windows = a[:, : p * s, : p * s].reshape(c, p, s, p, s).transpose(0, 1, 3, 2, 4).reshape(c, p, p, s * s)
    return windows.max(axis=-1), windows.argmax(axis=-1)


def reference(config: NetConfig) -> dict[str, np.ndarray]:
    """The same numbers by plain algebra on the stored weights, without the model's forward()."""
    data = config.digits()
    net = trained(config)
    shape = net.model.config
    weights = {k: v.detach().double() for k, v in net.model.state_dict().items()}
    side, s = shape.side, shape.pool

    def forward(x: torch.Tensor) -> dict[str, torch.Tensor]:
        image = x.reshape(-1, 1, side, side)  # [n, 1, side, side]
        z1 = _conv(image, weights["conv1.weight"], weights["conv1.bias"], 0)  # [n, c1, m, m]
        a1 = z1.clamp(min=0)
        p = z1.shape[-1] // s
        pooled = a1[:, :, : p * s, : p * s].reshape(*a1.shape[:2], p, s, p, s).amax(dim=(3, 5))  # [n, c1, p, p]
        z2 = _conv(pooled, weights["conv2.weight"], weights["conv2.bias"], 1)  # [n, c2, p, p]
        a2 = z2.clamp(min=0)
        logits = a2.reshape(len(x), -1) @ weights["head.weight"].T + weights["head.bias"]  # [n, 10]
        probs = torch.exp(logits - logits.max(dim=1, keepdim=True).values)
        return {"hook_input": image, "conv1.hook_z": z1, "conv1.hook_a": a1, "hook_pool": pooled,
                "conv2.hook_z": z2, "conv2.hook_a": a2, "hook_logits": logits, "hook_probs": probs / probs.sum(dim=1, keepdim=True)}

    x_test = torch.from_numpy(data.x_test).double()  # [n_test, side*side]
    predictions = forward(x_test)["hook_logits"].argmax(dim=1).numpy()
    chapter_one = network_facts.reference(config)
    index = pick_digit(int(chapter_one["digit.index"]), predictions, data.y_test)
    acts = {name: t[0] for name, t in forward(x_test[index : index + 1]).items()}
    z1 = acts["conv1.hook_z"].numpy()
    focus = pick_filter(z1)
    image, kernel = acts["hook_input"][0].numpy(), weights["conv1.weight"][focus, 0].numpy()
    k, m = kernel.shape[0], z1.shape[-1]
    products = np.array([[image[i : i + k, j : j + k] * kernel for j in range(m)] for i in range(m)])  # [m, m, k, k]
    relu = acts["conv1.hook_a"].numpy()
    _, offset = _pool(relu, s)
    p = offset.shape[-1]
    base = np.arange(p) * s
    dense = np.zeros((m * m, side * side))
    for i in range(m):
        for j in range(m):
            for u in range(k):
                for v in range(k):
                    dense[i * m + j, (i + u) * side + (j + v)] = kernel[u, v]
    values: dict[str, object] = {**acts, **weights, **equivariance_by_loops(forward, image, s)}
    for name, tensor in weights.items():
        values[f"params.{name}"] = tensor.numel()
    values.update(structure_by_autograd(weights, shape))
    values.update(architecture_by_loops(acts, weights, int(values["shape.side"]), int(values["shape.kernel"])))
    values.update(vit_facts.reference(config, index, tuple(values["reach.centre"])))
    values.update(
        {
            "params.total": sum(t.numel() for t in weights.values()),
            "digit.index": index,
            "digit.label": data.y_test[index],
            "prediction": int(acts["hook_logits"].argmax()),
            "classes": np.arange(10),
            "focus.filter": focus,
            "focus.conv2": int(np.argmax(acts["conv2.hook_a"].numpy().sum(axis=(1, 2)))),
            "slide.products": products,
            "slide.sums": products.sum(axis=(2, 3)),
            "pool.row": base[None, :, None] + offset // s,
            "pool.col": base[None, None, :] + offset % s,
            "pool.origin": pick_crop(relu[focus], s),
            "dense.focus": dense,
            "test_accuracy.cnn": float((predictions == data.y_test).mean()),
            "test_accuracy.mlp": chapter_one["test_accuracy"],
            "errors.cnn": int((predictions != data.y_test).sum()),
            "errors.mlp": round((1.0 - float(chapter_one["test_accuracy"])) * len(data.y_test)),
            "params.mlp": chapter_one["params.total"],
            "data.n_test": len(data.x_test),
        }
    )
    return as_arrays(values)


def architecture_by_loops(acts: dict, weights: dict, side: int, k: int) -> dict[str, object]:
    """The architecture facts another way: the channel parts term by term with the padding as a bounds check;
    the output sides as the shapes F.conv2d returns; the shapes from the reference forward pass; the parameter
    counts by the layers' own products of sizes."""
    a2 = acts["conv2.hook_a"].numpy()
    o = int(np.argmax(a2.sum(axis=(1, 2))))
    pooled, w = acts["hook_pool"].numpy(), weights["conv2.weight"][o].numpy()  # [c1, p, p], [c1, k, k]
    c1, p, _ = pooled.shape
    r = c = (p - 1) // 2
    half = k // 2
    parts = [
        sum(w[ch, u, v] * pooled[ch, r + u - half, c + v - half]
            for u in range(k) for v in range(k) if 0 <= r + u - half < p and 0 <= c + v - half < p)
        for ch in range(c1)
    ]
    image, kernel = torch.zeros(1, 1, side, side), torch.zeros(1, 1, k, k)
    out = [F.conv2d(image, kernel, stride=s, padding=pad).shape[-1] for pad, s in SETTINGS]
    head = weights["head.weight"]
    return {
        "channels.cell": [r, c],
        "channels.partial": parts,
        "size.padding": [pad for pad, _ in SETTINGS],
        "size.stride": [s for _, s in SETTINGS],
        "size.out": out,
        "arch.shapes": [list(acts[key].shape) for key in ("hook_input", "conv1.hook_a", "hook_pool", "conv2.hook_a")],
        "arch.flat": [head.shape[1], head.shape[0]],
        "arch.params": [int(np.prod(weights[f"{n}.weight"].shape)) + len(weights[f"{n}.bias"]) for n in ("conv1", "conv2", "head")],
    }


def shifted_by_index(a: np.ndarray, down: int, right: int) -> np.ndarray:
    """out[..., i, j] = a[..., i - down, j - right] where that cell exists, else 0."""
    out = np.zeros_like(a)
    h, w = a.shape[-2:]
    for i in range(h):
        for j in range(w):
            if 0 <= i - down < h and 0 <= j - right < w:
                out[..., i, j] = a[..., i - down, j - right]
    return out


def equivariance_by_loops(forward, image: np.ndarray, s: int) -> dict[str, object]:
    """The equivariance facts by the reference forward pass, cell by cell: every cell (i, j) of the shifted
    input's maps compared with cell (i - down, j - right) of the digit's, wherever that cell exists."""
    run = {shift: {k: v[0].numpy() for k, v in forward(torch.from_numpy(shifted_by_index(image, *shift)).reshape(1, -1)).items()}
           for shift in ((0, 0), SHIFT, ALIGNED)}

    def worst(moved: np.ndarray, still: np.ndarray, down: int, right: int) -> float:
        h, w = still.shape[-2:]
        return max(
            float(np.abs(moved[:, i, j] - still[:, i - down, j - right]).max())
            for i in range(down, h) for j in range(right, w)
        )

    a, a_shifted = run[(0, 0)]["conv1.hook_a"], run[SHIFT]["conv1.hook_a"]
    pooled, pooled_shifted, aligned = (run[key]["hook_pool"] for key in ((0, 0), SHIFT, ALIGNED))
    error, pool_range = worst(a_shifted, a, *SHIFT), pooled.max() - pooled.min()
    change = np.abs(pooled_shifted - pooled)
    probs = [run[key]["hook_probs"] for key in ((0, 0), SHIFT)]
    return {
        "equivariance.shift": SHIFT,
        "equivariance.aligned": ALIGNED,
        "equivariance.image": shifted_by_index(image, *SHIFT),
        "equivariance.maps": a_shifted,
        "equivariance.error": error,
        "equivariance.range": a.max() - a.min(),
        "equivariance.relative": error / (a.max() - a.min()),
        "equivariance.pooled": pooled_shifted,
        "equivariance.pool_change": change.max(),
        "equivariance.pool_relative": change.max() / pool_range,
        "equivariance.pool_changed": int((change > CHANGED * pool_range).sum()),
        "equivariance.pool_cells": change.size,
        "equivariance.aligned_error": worst(aligned, pooled, *(d // s for d in ALIGNED)),
        "equivariance.aligned_change": np.abs(aligned - pooled).max(),
        "equivariance.prediction": [int(np.argmax(p)) for p in probs],
        "equivariance.probability": [float(np.max(p)) for p in probs],
    }


def structure_by_autograd(weights: dict[str, torch.Tensor], shape: cnn.CNNConfig) -> dict[str, object]:
    """Sizes, parameter counts and receptive fields read off gradients, not computed from the layer arithmetic.

    The first layer's Jacobian (outputs x pixels) is the fully connected layer it amounts to: its entries
    count a dense layer's weights, its non-zero entries a locally connected layer's, its distinct non-zero
    values the shared weights. Receptive fields are the pixels with a non-zero gradient in a copy of the
    network whose weights are all one (so no weight or ReLU can hide a pixel) and whose max-pool is an
    average (which passes gradient to every cell of its window).
    """
    side, s = shape.side, shape.pool
    w1, b1 = weights["conv1.weight"], weights["conv1.bias"]
    pixel = torch.zeros(1, 1, side, side, dtype=torch.float64)
    jacobian = torch.autograd.functional.jacobian(
        lambda x: _conv(x, w1, None, 0), pixel, vectorize=True, strategy="forward-mode"
    )  # [1, c1, m, m, 1, 1, side, side]
    outputs = jacobian[0].numel() // side**2
    m = int(round((outputs / len(b1)) ** 0.5))
    jacobian = jacobian.reshape(outputs, side * side)  # [c1*m*m, side*side]
    nonzero = jacobian[jacobian != 0]
    centre_row = jacobian[(m - 1) // 2 * m + (m - 1) // 2]

    ones1, ones2 = torch.ones_like(w1), torch.ones_like(weights["conv2.weight"])
    stages = [
        lambda x: _conv(x, ones1, None, 0),
        lambda x: F.avg_pool2d(_conv(x, ones1, None, 0), s),
        lambda x: _conv(F.avg_pool2d(_conv(x, ones1, None, 0), s), ones2, None, 1),
    ]
    boxes, reached = [], []
    for stage in stages:
        x = pixel.clone().requires_grad_(True)
        out = stage(x)[0, 0]  # [h, w]
        centre = (out.shape[0] - 1) // 2
        (grad,) = torch.autograd.grad(out[centre, centre], x)
        reached.append(grad[0, 0].numpy() != 0)
        rows, cols = np.nonzero(reached[-1])
        boxes.append((rows.min(), cols.min(), rows.max(), cols.max()))
    return {
        "shape.side": side,
        "shape.conv1": m,
        "shape.pool": m // s,
        "shape.kernel": w1.shape[-1],
        "shape.window": s,
        "shape.channels": [len(b1), len(weights["conv2.bias"])],
        "filters": np.arange(len(b1)),
        "count.inputs": jacobian.shape[1],
        "count.cells": m * m,
        "count.outputs": outputs,
        "count.dense": jacobian.numel() + outputs,
        "count.local": len(nonzero) + outputs,
        "count.conv": len(torch.unique(nonzero)) + len(torch.unique(b1)),
        "reach.conv": int((centre_row != 0).sum()),
        "reach.centre": np.argwhere(centre_row.reshape(side, side).numpy() != 0).mean(axis=0).round().astype(int),
        "rf.box": boxes,
        "rf.size": [int(np.sum(np.any(grid, axis=1))) for grid in reached],
    }


def summary(config: NetConfig) -> list[tuple[str, str]]:
    data = config.digits()
    net = trained(config)
    shape = net.model.config
    c1, c2 = shape.channels
    history = net.history
    mlp_accuracy = network_facts.trained(config).record["test_accuracy"]
    return [
        ("dataset", data.name),
        ("network", f"conv {shape.kernel}x{shape.kernel} x{c1}, ReLU, max-pool {shape.pool}, conv {shape.kernel}x{shape.kernel} x{c2}, ReLU, linear 10"),
        ("parameters", f"{net.model.n_params():,}"),
        ("training / held-out digits", f"{len(data.y_train):,} / {len(data.y_test):,}"),
        ("epochs, learning rate, batch", f"{shape.epochs}, {shape.lr} (Adam, cosine), {shape.batch_size}"),
        ("held-out accuracy", f"{history.test_accuracy[-1]:.2%} (untrained {history.test_accuracy[0]:.2%})"),
        ("Chapter 1 MLP, held-out", f"{mlp_accuracy:.2%}"),
        ("vision transformer, held-out", vit_facts.summary(config)),
        ("training loss", f"{history.train_loss[-1]:.4f} (untrained {history.train_loss[0]:.4f})"),
        ("training time", f"{net.record['train_seconds']:.1f} s"),
        ("cache key", net.record["key"]),
    ]
