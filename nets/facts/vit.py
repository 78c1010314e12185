"""Chapter 8's vision transformer: one patch's real attention to every patch, for two digits, and the
ViT's accuracy and size beside the CNN's and the MLP's (merged into :mod:`netreel.nets.facts.cnn`)."""

from __future__ import annotations

import numpy as np
import torch

from netreel.nets import vit
from netreel.nets.config import NetConfig

SHOWN = (0, 0)  # (layer, head) whose attention the chapter draws: the first head of the first block
PAPER = {"year": 2020, "patch": 16}  # Dosovitskiy et al., "An Image Is Worth 16x16 Words", ICLR 2021 (arXiv 2020)
TRANSFORMER_YEAR = 2017  # Vaswani et al., "Attention Is All You Need"

KEYS = (
    "test_accuracy.vit", "errors.vit", "params.vit", "data.n_train",
    "vit.patch", "vit.grid", "vit.tokens", "vit.layers", "vit.heads", "vit.layer_numbers", "vit.head_numbers",
    "vit.shown", "vit.pattern", "vit.prediction",
    "vit.focus", "vit.row", "vit.other.index", "vit.other.label", "vit.other.image", "vit.other.prediction",
    "vit.other.row", "vit.tv", "vit.tv_mean", "vit.paper.year", "vit.paper.patch", "transformer.year",
)

MEANINGS = {
    "test_accuracy.vit": "the vision transformer's held-out accuracy",
    "errors.vit": "how many held-out digits the vision transformer gets wrong",
    "params.vit": "the vision transformer's parameters, counted",
    "vit.patch": "the side of a patch, in pixels",
    "vit.grid": "patches along each side of the digit",
    "vit.tokens": "the patches of a digit: the transformer's tokens",
    "data.n_train": "how many digits the networks learn from",
    "vit.layers": "the transformer's blocks",
    "vit.heads": "attention heads per block",
    "vit.layer_numbers": "the transformer's blocks, numbered from 0",
    "vit.head_numbers": "the attention heads of each block, numbered from 0",
    "vit.shown": "the block and head whose attention is drawn: [layer, head]",
    "vit.pattern": "every attention pattern on the chapter's digit, [layer, head, query patch, key patch]",
    "vit.prediction": "the vision transformer's answer for the chapter's digit",
    "vit.focus": "the patch whose attention is drawn, [row, column]: it holds the convolution's centre pixel",
    "vit.row": "that patch's attention to every patch on the chapter's digit, in the drawn head, [row, column]",
    "vit.other.index": "the second digit: the first held out after the chapter's, of another label, the ViT gets right",
    "vit.other.label": "its true label",
    "vit.other.image": "its pixels, [row, column]",
    "vit.other.prediction": "the vision transformer's answer for it",
    "vit.other.row": "the same patch's attention on it, [row, column]",
    "vit.tv": "how far apart the two rows are: half the sum of |difference|, 0 for equal rows, 1 for disjoint ones",
    "vit.tv_mean": "the same distance from the chapter digit's row to each other held-out digit's, averaged",
    "vit.paper.year": "the year the vision transformer was published (Dosovitskiy et al., arXiv)",
    "vit.paper.patch": "the patch side in that paper's title, in pixels",
    "transformer.year": "the year the Transformer was published (Vaswani et al.)",
}


def trained(config: NetConfig) -> vit.TrainedViT:
    data = config.digits()
    return vit.load_or_train(vit.ViTConfig.for_data(data, seed=config.seed), data)


def summary(config: NetConfig) -> str:
    """The ViT in one line: its held-out accuracy, size and training time."""
    net = trained(config)
    cfg = net.model.cfg
    return (f"{net.record['test_accuracy']:.2%} ({net.model.n_params():,} parameters; {cfg.patch}x{cfg.patch} patches, "
            f"{cfg.n_layers} blocks of {cfg.n_heads} heads; trained in {net.record['train_seconds']:.1f} s)")


def focus_patch(centre: tuple[int, int], patch: int) -> np.ndarray:
    """The [row, column] of the patch that holds the pixel ``centre``."""
    return np.array(centre) // patch


def pick_other(index: int, predictions: np.ndarray, labels: np.ndarray) -> int:
    """The first held-out digit after ``index`` (wrapping round) with another label that the ViT gets right."""
    n = len(labels)
    for step in range(1, n):
        i = (index + step) % n
        if labels[i] != labels[index] and predictions[i] == labels[i]:
            return i
    raise ValueError("no held-out digit of another label is classified correctly")


def total_variation(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Half the sum of |a - b| over the last axes after the first of b (rows that each sum to one)."""
    return 0.5 * np.abs(a - b).reshape(len(b), -1).sum(axis=1)


def build(config: NetConfig, index: int, centre: tuple[int, int]) -> dict[str, object]:
    """The ViT's facts, for the chapter's digit ``index`` and the convolution's centre pixel ``centre``."""
    data = config.digits()
    net = trained(config)
    cfg = net.model.cfg
    x_test = torch.from_numpy(data.x_test)  # [n_test, side*side]
    _, cache = net.model.run_with_cache(x_test)
    patterns = torch.stack(
        [cache[f"blocks.{n}.attn.hook_pattern"] for n in range(cfg.n_layers)], dim=1
    )  # [n_test, layer, head, q, k]
    predictions = cache["hook_logits"].argmax(dim=1).numpy()  # [n_test]
    layer, head = SHOWN
    focus = focus_patch(centre, cfg.patch)
    rows = patterns[:, layer, head, focus[0] * cfg.grid + focus[1]].reshape(-1, cfg.grid, cfg.grid).double().numpy()
    other = pick_other(index, predictions, data.y_test)
    distances = total_variation(rows[index], rows)
    return {
        "test_accuracy.vit": net.record["test_accuracy"],
        "errors.vit": int((predictions != data.y_test).sum()),
        "params.vit": net.model.n_params(),
        "vit.patch": cfg.patch,
        "vit.grid": cfg.grid,
        "vit.tokens": cfg.n_patches,
        "data.n_train": len(data.y_train),
        "vit.layers": cfg.n_layers,
        "vit.heads": cfg.n_heads,
        "vit.layer_numbers": np.arange(cfg.n_layers),
        "vit.head_numbers": np.arange(cfg.n_heads),
        "vit.shown": np.array(SHOWN),
        "vit.pattern": patterns[index],
        "vit.prediction": int(predictions[index]),
        "vit.focus": focus,
        "vit.row": rows[index],
        "vit.other.index": other,
        "vit.other.label": data.y_test[other],
        "vit.other.image": data.x_test[other].reshape(cfg.side, cfg.side),
        "vit.other.prediction": int(predictions[other]),
        "vit.other.row": rows[other],
        "vit.tv": distances[other],
        "vit.tv_mean": np.delete(distances, index).mean(),
        "vit.paper.year": PAPER["year"],
        "vit.paper.patch": PAPER["patch"],
        "transformer.year": TRANSFORMER_YEAR,
    }


# ---------------------------------------------------------------------------
# The independent route: the stored weights and the pixels, in plain numpy.


def _layer_norm(x: np.ndarray, gain: np.ndarray, shift: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gain + shift


def _softmax(s: np.ndarray) -> np.ndarray:
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def forward_by_hand(w: dict[str, np.ndarray], images: np.ndarray, patch: int) -> tuple[np.ndarray, np.ndarray]:
    """Logits [n, 10] and attention patterns [n, layer, head, q, k] of images [n, side, side], by plain matrix maths:
    patch t = (r, c) holds pixels image[patch r + u, patch c + v], read row by row."""
    n, side, _ = images.shape
    g = side // patch
    tokens = np.stack(
        [images[:, r * patch : (r + 1) * patch, c * patch : (c + 1) * patch].reshape(n, -1)
         for r in range(g) for c in range(g)],
        axis=1,
    )  # [n, g*g, patch*patch]
    h = tokens @ w["embed.weight"].T + w["embed.bias"] + w["W_pos"]  # [n, t, d]
    patterns = []
    layer = 0
    while f"blocks.{layer}.attn.W_Q" in w:
        b = f"blocks.{layer}."
        x = _layer_norm(h, w[b + "ln1.weight"], w[b + "ln1.bias"])
        heads = []
        for head in range(w[b + "attn.W_Q"].shape[0]):
            q, k, v = (x @ w[b + f"attn.{m}"][head] for m in ("W_Q", "W_K", "W_V"))  # [n, t, e]
            a = _softmax(q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1]))  # [n, t, t]
            heads.append(a)
            h = h + a @ v @ w[b + "attn.W_O"][head]
        patterns.append(np.stack(heads, axis=1))
        x = _layer_norm(h, w[b + "ln2.weight"], w[b + "ln2.bias"])
        h = h + np.maximum(x @ w[b + "mlp.W_in"] + w[b + "mlp.b_in"], 0) @ w[b + "mlp.W_out"] + w[b + "mlp.b_out"]
        layer += 1
    pooled = _layer_norm(h.mean(axis=1), w["ln_final.weight"], w["ln_final.bias"])
    return pooled @ w["head.weight"].T + w["head.bias"], np.stack(patterns, axis=1)


def reference(config: NetConfig, index: int, centre: tuple[int, int]) -> dict[str, object]:
    """The same facts from the stored weights by :func:`forward_by_hand`, the distances by explicit sums."""
    data = config.digits()
    net = trained(config)
    cfg = net.model.cfg
    w = {k: v.detach().double().numpy() for k, v in net.model.state_dict().items()}
    images = data.x_test.astype(np.float64).reshape(-1, cfg.side, cfg.side)
    logits, patterns = forward_by_hand(w, images, cfg.patch)
    predictions = logits.argmax(axis=1)
    layer, head = SHOWN
    fr, fc = (c // cfg.patch for c in centre)
    rows = patterns[:, layer, head, fr * cfg.grid + fc].reshape(-1, cfg.grid, cfg.grid)
    other = pick_other(index, predictions, data.y_test)
    distances = [0.5 * sum(abs(rows[index][i, j] - rows[n][i, j]) for i in range(cfg.grid) for j in range(cfg.grid))
                 for n in range(len(rows))]
    return {
        "test_accuracy.vit": float((predictions == data.y_test).mean()),
        "errors.vit": int((predictions != data.y_test).sum()),
        "params.vit": sum(v.size for v in w.values()),
        "vit.patch": cfg.patch,
        "vit.grid": int(round(w["W_pos"].shape[0] ** 0.5)),
        "vit.tokens": w["W_pos"].shape[0],
        "data.n_train": len(data.x_train),
        "vit.layers": patterns.shape[1],
        "vit.heads": patterns.shape[2],
        "vit.layer_numbers": np.arange(patterns.shape[1]),
        "vit.head_numbers": np.arange(patterns.shape[2]),
        "vit.shown": SHOWN,
        "vit.pattern": patterns[index],
        "vit.prediction": int(predictions[index]),
        "vit.focus": (fr, fc),
        "vit.row": rows[index],
        "vit.other.index": other,
        "vit.other.label": data.y_test[other],
        "vit.other.image": images[other],
        "vit.other.prediction": int(predictions[other]),
        "vit.other.row": rows[other],
        "vit.tv": distances[other],
        "vit.tv_mean": (sum(distances) - distances[index]) / (len(distances) - 1),
        "vit.paper.year": PAPER["year"],
        "vit.paper.patch": PAPER["patch"],
        "transformer.year": TRANSFORMER_YEAR,
    }
