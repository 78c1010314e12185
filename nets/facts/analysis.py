"""Chapter 3 (Analyzing the network): the trained MLP on held-out digits, its first-layer weights, and noise.

``build`` runs the model's own forward pass; ``reference`` recomputes every
number with plain float64 algebra on the stored weights and fresh counts.
"""

from __future__ import annotations

import numpy as np
import torch

from netreel.nets import minibatch, mlp, names, store
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts, as_arrays
from netreel.nets.facts.network import MLP_MEANINGS, trained

RUN_LENGTH = 100  # held-out digits in the run, in the test set's order
MISTAKES_SHOWN = 12  # the first mistakes of the test set, shown in two rows
NOISE_IMAGES = 100  # seeded random images fed to the network
CONFIDENT = 0.5  # an output above this counts as a confident answer
SHUFFLED_EPOCHS = 100  # the same network trained this long on shuffled labels (about a minute on MNIST)
PAPER_YEAR = 2017  # Zhang et al., "Understanding deep learning requires rethinking generalization", ICLR 2017

KEYS = (
    names.layer("{layer}", "weight"), names.layer("{layer}", "bias"),
    "classes", "sizes", "neurons", "pixels.n", "pixels.blank", "pixels.n_blank", "weights.blank_change",
    "test.n", "test.correct", "test.accuracy", "test.mean_top",
    "run.images", "run.labels", "run.hidden.{layer}", "run.outputs", "run.guesses", "run.correct", "run.wrong", "run.seen",
    "mistakes.index", "mistakes.images", "mistakes.labels", "mistakes.guesses", "mistakes.total",
    "noise.n", "noise.image", "noise.hidden.{layer}", "noise.output", "noise.guess", "noise.guess_counts", "noise.confident",
    "noise.threshold", "noise.mean_top", "noise.shown", "noise.above",
    "train.accuracy", "shuffled.epochs", "shuffled.train_accuracy", "shuffled.test_accuracy", "shuffled.chance",
    "shuffled.paper.year",
)

MEANINGS = {
    names.layer("{layer}", "weight"): MLP_MEANINGS[names.layer("{layer}", "weight")],
    names.layer("{layer}", "bias"): MLP_MEANINGS[names.layer("{layer}", "bias")],
    "classes": "the digit classes 0 to 9",
    "sizes": "the neurons per layer, input first",
    "neurons": "the first hidden layer's neuron numbers",
    "pixels.n": "how many pixels a digit has",
    "pixels.blank": "1 for each pixel that is blank in every training digit, else 0",
    "pixels.n_blank": "how many pixels are blank in every training digit",
    "weights.blank_change": "the largest change training made to a weight from a blank pixel",
    "test.n": "how many held-out digits are tested",
    "test.correct": "how many of them the network gets right",
    "test.accuracy": "the share it gets right",
    "test.mean_top": "the mean of the largest output over the held-out digits",
    "run.images": "the held-out digits run through the network on screen, one row each",
    "run.labels": "their labels",
    "run.hidden.{layer}": "hidden layer {layer}'s activations for each (1: the first hidden layer)",
    "run.outputs": "the network's ten outputs for each",
    "run.guesses": "its answer for each",
    "run.correct": "how many it has got right so far, after each digit",
    "run.wrong": "1 where its answer is wrong",
    "run.seen": "how many digits have been seen, after each",
    "mistakes.index": "the indices of the held-out digits shown as mistakes",
    "mistakes.images": "their pixels",
    "mistakes.labels": "their true labels",
    "mistakes.guesses": "the network's wrong answers for them",
    "mistakes.total": "how many held-out digits the network gets wrong",
    "noise.n": "how many images of random noise are run",
    "noise.image": "the noise image shown",
    "noise.hidden.{layer}": "hidden layer {layer}'s activations for it (1: the first hidden layer)",
    "noise.output": "the network's ten outputs for it",
    "noise.guess": "its answer for it",
    "noise.guess_counts": "how often each digit is the answer over all the noise images",
    "noise.confident": "how many noise images get an output above the threshold",
    "noise.threshold": "the output above which an answer counts as confident",
    "noise.mean_top": "the mean of the largest output over the noise images",
    "noise.shown": "which noise image is shown",
    "train.accuracy": "the share of its own training digits the network gets right",
    "shuffled.epochs": "the epochs of the same network trained from scratch on the training digits with shuffled labels",
    "shuffled.train_accuracy": "after each epoch (0: before training), the share of training digits it gives their shuffled label",
    "shuffled.test_accuracy": "after each epoch (0: before training), the share of held-out digits it gets right (true labels)",
    "shuffled.chance": "the share a guess gets right by chance: one in ten classes",
    "shuffled.paper.year": "the year Zhang et al. published the shuffled-label experiment (ICLR)",
    "noise.above": "1 for each noise image whose largest output is above the threshold, else 0",
}
"""What each of :data:`KEYS` holds (``netreel info analysis --facts``)."""


def noise_images(config: NetConfig, n_inputs: int) -> torch.Tensor:
    """Seeded images of uniform random pixels in [0, 1): [NOISE_IMAGES, n_inputs]."""
    generator = torch.Generator().manual_seed(config.seed)
    return torch.rand(NOISE_IMAGES, n_inputs, generator=generator)


def shuffled_labels(config: NetConfig, labels: np.ndarray) -> np.ndarray:
    """The training labels, shuffled among the training digits by a seed of their own: each digit
    gets another digit's label, so no label says anything about its image."""
    generator = torch.Generator().manual_seed(config.seed + 1)
    return labels[torch.randperm(len(labels), generator=generator).numpy()]


def shuffled(config: NetConfig) -> mlp.TrainedMLP:
    """The chapter's network, same shape, seed and training, but on shuffled labels and for
    :data:`SHUFFLED_EPOCHS`; every epoch's weights kept (cached like the other nets)."""
    data = config.digits()
    net_config = mlp.MLPConfig.for_data(data, seed=config.seed)
    labels = shuffled_labels(config, data.y_train)

    def train() -> tuple[list[store.StateDict], dict]:
        generator = torch.Generator().manual_seed(net_config.seed)
        model = mlp.MLP(net_config)
        model.init_weights(generator)
        snapshots = [mlp._snapshot(model)]
        optimiser = torch.optim.SGD(model.parameters(), lr=net_config.lr)
        minibatch.descend(
            model, optimiser, mlp.cost, torch.from_numpy(data.x_train), torch.from_numpy(labels),
            SHUFFLED_EPOCHS, net_config.batch_size, generator, lambda: snapshots.append(mlp._snapshot(model)),
        )
        return snapshots, {"labels": "shuffled"}

    record = {**net_config.to_dict(), "epochs": SHUFFLED_EPOCHS, "labels": "shuffled", "label_seed": config.seed + 1,
              "data": data.digest()}
    return store.load_or_train(
        "mlp", record, lambda: mlp.MLP(net_config), train, lambda r: mlp.History(), snapshots="epoch"
    )


def build(config: NetConfig) -> Facts:
    data = config.digits()
    net = trained(config)
    model = net.model
    test_out, test_cache = model.run_with_cache(torch.from_numpy(data.x_test))  # [n_test, 10]
    noise = noise_images(config, data.n_inputs)  # [K, inputs]
    noise_out, noise_cache = model.run_with_cache(noise)  # [K, 10]
    guesses = test_out.argmax(dim=1).numpy()  # [n_test]
    hits = guesses == data.y_test  # [n_test]
    n_run = min(RUN_LENGTH, len(hits))
    hidden_layers = range(1, len(model.layers))  # hidden layer k is the model's layer k - 1
    mistakes = np.flatnonzero(~hits)[:MISTAKES_SHOWN]  # [M]
    top = noise_out.max(dim=1).values  # [K]
    shown = int(torch.argmax(top))
    weights = net.snapshots[-1][names.layer(0, "weight")]  # [16, inputs]
    start = net.snapshots[0][names.layer(0, "weight")]  # [16, inputs] before training
    blank = (data.x_train == 0).all(axis=0)  # [inputs]: no training digit ever inks these pixels
    values = {
        "run.images": data.x_test[:n_run],
        "run.labels": data.y_test[:n_run],
        **{f"run.hidden.{k}": test_cache[names.layer(k - 1, "hook_a")][:n_run] for k in hidden_layers},
        "run.outputs": test_out[:n_run],
        "run.guesses": guesses[:n_run],
        "run.wrong": ~hits[:n_run],
        "run.correct": np.cumsum(hits[:n_run]),
        "run.seen": np.arange(1, n_run + 1),
        "test.n": len(hits),
        "test.correct": hits.sum(),
        "test.accuracy": hits.mean(),
        "test.mean_top": test_out.max(dim=1).values.mean(),
        "mistakes.total": (~hits).sum(),
        "mistakes.index": mistakes,
        "mistakes.images": data.x_test[mistakes],
        "mistakes.labels": data.y_test[mistakes],
        "mistakes.guesses": guesses[mistakes],
        **net.snapshots[-1],
        "neurons": np.arange(weights.shape[0]),
        "sizes": model.config.sizes,
        "pixels.n": data.n_inputs,
        "pixels.blank": blank,
        "pixels.n_blank": blank.sum(),
        "weights.blank_change": (weights - start)[:, torch.from_numpy(blank)].abs().max() if blank.any() else 0.0,
        "noise.n": NOISE_IMAGES,
        "noise.shown": shown,
        "noise.image": noise[shown],
        **{f"noise.hidden.{k}": noise_cache[names.layer(k - 1, "hook_a")][shown] for k in hidden_layers},
        "noise.output": noise_out[shown],
        "noise.guess": noise_out[shown].argmax(),
        "noise.confident": (top > CONFIDENT).sum(),
        "noise.above": top > CONFIDENT,
        "noise.threshold": CONFIDENT,
        "noise.mean_top": top.mean(),
        "noise.guess_counts": np.bincount(noise_out.argmax(dim=1).numpy(), minlength=10),
        "classes": np.arange(10),
    }
    random_net = shuffled(config)
    random_labels = shuffled_labels(config, data.y_train)
    model_copy = mlp.MLP(model.config)
    train_accuracy, test_accuracy = [], []
    for state in random_net.snapshots:
        model_copy.load_state_dict(state)
        train_accuracy.append(mlp.evaluate(model_copy, data.x_train, random_labels)[1])
        test_accuracy.append(mlp.evaluate(model_copy, data.x_test, data.y_test)[1])
    values.update(
        {
            "train.accuracy": mlp.evaluate(model, data.x_train, data.y_train)[1],
            "shuffled.epochs": len(random_net.snapshots) - 1,
            "shuffled.train_accuracy": train_accuracy,
            "shuffled.test_accuracy": test_accuracy,
            "shuffled.chance": 1 / test_out.shape[1],
            "shuffled.paper.year": PAPER_YEAR,
        }
    )
    return Facts(as_arrays(values), {"dataset": data.name, "side": data.side, "net_key": net.record["key"]})


def _layers(weights: dict[str, np.ndarray], x: np.ndarray) -> list[np.ndarray]:
    """Every layer's activations by plain float64 algebra, hidden layers first: [n, inputs] -> [[n, out], ...]."""
    a, out = x.astype(np.float64), []
    for i in range(len(weights) // 2):
        a = 1.0 / (1.0 + np.exp(-(a @ weights[names.layer(i, "weight")].T + weights[names.layer(i, "bias")])))
        out.append(a)
    return out


def _forward(weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """The network's outputs by plain float64 algebra: [n, inputs] -> [n, 10]."""
    return _layers(weights, x)[-1]


def reference(config: NetConfig) -> dict[str, np.ndarray]:
    data = config.digits()
    net = trained(config)
    weights = {k: v.double().numpy() for k, v in net.snapshots[-1].items()}
    test_out = _forward(weights, data.x_test)  # [n_test, 10]
    hits = test_out.argmax(axis=1) == data.y_test
    n_run = min(RUN_LENGTH, len(hits))
    run_layers = _layers(weights, data.x_test[:n_run])  # hidden layers, then the outputs
    run_hits = hits[:n_run]
    wrong = [i for i in range(len(hits)) if not hits[i]]
    mistakes = np.array(wrong[:MISTAKES_SHOWN], dtype=int)
    noise = noise_images(config, data.n_inputs).double().numpy()  # [K, inputs]
    noise_out = _forward(weights, noise)  # [K, 10]
    top = noise_out.max(axis=1)
    shown = int(np.argmax(top))
    noise_layers = _layers(weights, noise[shown : shown + 1])  # the shown image alone
    first = weights[names.layer(0, "weight")]
    start = net.snapshots[0][names.layer(0, "weight")].double().numpy()
    inked = np.zeros(data.n_inputs, dtype=bool)
    for image in data.x_train:
        inked |= image > 0
    random_labels = shuffled_labels(config, data.y_train)
    random_net = shuffled(config)
    random_train, random_test = [], []
    for state in random_net.snapshots:
        w = {k: v.double().numpy() for k, v in state.items()}
        random_train.append(np.mean(_forward(w, data.x_train).argmax(axis=1) == random_labels))
        random_test.append(np.mean(_forward(w, data.x_test).argmax(axis=1) == data.y_test))
    return as_arrays(
        {
            "train.accuracy": np.mean(_forward(weights, data.x_train).argmax(axis=1) == data.y_train),
            "shuffled.epochs": SHUFFLED_EPOCHS,
            "shuffled.train_accuracy": random_train,
            "shuffled.test_accuracy": random_test,
            "shuffled.chance": 1 / len(np.unique(data.y_train)),
            "shuffled.paper.year": PAPER_YEAR,
            "run.images": data.x_test[:n_run],
            "run.labels": data.y_test[:n_run],
            **{f"run.hidden.{k + 1}": a for k, a in enumerate(run_layers[:-1])},
            "run.outputs": test_out[:n_run],
            "run.guesses": test_out[:n_run].argmax(axis=1),
            "run.wrong": ~run_hits,
            "run.correct": [int(run_hits[: i + 1].sum()) for i in range(n_run)],
            "run.seen": range(1, n_run + 1),
            "test.n": len(data.y_test),
            "test.correct": int(hits.sum()),
            "test.accuracy": hits.sum() / len(hits),
            "test.mean_top": test_out.max(axis=1).mean(),
            "mistakes.total": len(wrong),
            "mistakes.index": mistakes,
            "mistakes.images": data.x_test[mistakes],
            "mistakes.labels": data.y_test[mistakes],
            "mistakes.guesses": test_out[mistakes].argmax(axis=1),
            **weights,
            "neurons": range(first.shape[0]),
            "sizes": [data.n_inputs] + [len(weights[names.layer(i, "bias")]) for i in range(len(weights) // 2)],
            "pixels.n": data.x_test.shape[1],
            "pixels.blank": ~inked,
            "pixels.n_blank": int((~inked).sum()),
            "weights.blank_change": np.abs(first - start)[:, ~inked].max() if (~inked).any() else 0.0,
            "noise.n": len(noise),
            "noise.shown": shown,
            "noise.image": noise[shown],
            **{f"noise.hidden.{k + 1}": a[0] for k, a in enumerate(noise_layers[:-1])},
            "noise.output": noise_out[shown],
            "noise.guess": int(np.argmax(noise_out[shown])),
            "noise.confident": int((top > CONFIDENT).sum()),
            "noise.above": [bool(any(row > CONFIDENT)) for row in noise_out],
            "noise.threshold": CONFIDENT,
            "noise.mean_top": top.mean(),
            "noise.guess_counts": [int((noise_out.argmax(axis=1) == d).sum()) for d in range(10)],
            "classes": range(10),
        }
    )


def summary(config: NetConfig) -> list[tuple[str, str]]:
    facts = build(config)
    return [
        ("dataset", facts.meta["dataset"]),
        ("held-out accuracy", f"{int(facts['test.correct']):,} / {int(facts['test.n']):,} ({float(facts['test.accuracy']):.2%})"),
        ("first run", f"{int(facts['run.correct'][-1])} / {int(facts['run.seen'][-1])} right"),
        ("first mistakes (label>guess)", ", ".join(
            f"#{int(i)}: {int(l)}>{int(g)}"
            for i, l, g in zip(facts["mistakes.index"], facts["mistakes.labels"], facts["mistakes.guesses"])
        )),
        ("never-inked pixels", f"{int(facts['pixels.n_blank'])} of {int(facts['pixels.n'])}"),
        (f"noise answered above {CONFIDENT}", f"{int(facts['noise.confident'])} of {int(facts['noise.n'])}"),
        ("mean top output digit/noise", f"{float(facts['test.mean_top']):.3f} / {float(facts['noise.mean_top']):.3f}"),
        ("cache key", facts.meta["net_key"]),
    ]
