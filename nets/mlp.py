"""The series' digit network: inputs -> 16 -> 16 -> 10, sigmoid everywhere.

Trained with plain minibatch SGD on the squared-error cost of the videos,
C0 = sum_j (a_j - y_j)^2 per example, averaged over the minibatch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import torch
from torch import nn

from netreel.nets import minibatch, store
from netreel.nets.data import Digits
from netreel.nets.hooks import HookedModule, HookPoint


TRAINING = {"digits": (30, 3.0, 10), "mnist": (40, 1.0, 20)}
"""Epochs, learning rate and minibatch size per data set. On the MNIST package's 8,004 training
digits, the 8x8 digits' rate 3 with minibatches of 10 overshoots (91.2 % held out after 30
epochs); rate 1 with minibatches of 20 reaches 93.2 % in 40 epochs, about 8 CPU-seconds."""


@dataclass(frozen=True)
class MLPConfig:
    """Everything that decides the trained weights (hashed by the store)."""

    sizes: tuple[int, ...] = (64, 16, 16, 10)
    dataset: str = "digits"
    seed: int = 0
    epochs: int = 30
    lr: float = 3.0
    batch_size: int = 10

    @classmethod
    def for_data(cls, data: Digits, seed: int = 0) -> MLPConfig:
        """The series' shape, inputs -> 16 -> 16 -> 10, for a data set's image size, trained as
        :data:`TRAINING` says for that data set."""
        epochs, lr, batch_size = TRAINING[data.name]
        return cls(sizes=(data.n_inputs, 16, 16, 10), dataset=data.name, seed=seed, epochs=epochs, lr=lr, batch_size=batch_size)

    def to_dict(self) -> dict:
        return {"model": "mlp", **asdict(self), "sizes": list(self.sizes)}


class Dense(HookedModule):
    """One layer: z = W a + b, a' = sigmoid(z)."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(n_out, n_in))  # [out, in]
        self.bias = nn.Parameter(torch.zeros(n_out))  # [out]
        self.hook_z = HookPoint()
        self.hook_a = HookPoint()

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        z = self.hook_z(a @ self.weight.T + self.bias)  # [batch, out]
        return self.hook_a(torch.sigmoid(z))  # [batch, out]


class MLP(HookedModule):
    def __init__(self, config: MLPConfig) -> None:
        super().__init__()
        self.config = config
        self.hook_input = HookPoint()
        self.layers = nn.ModuleList(Dense(i, o) for i, o in zip(config.sizes[:-1], config.sizes[1:]))
        self.setup_hooks()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.hook_input(x)  # [batch, sizes[0]]
        for layer in self.layers:
            a = layer(a)  # [batch, size of that layer]
        return a  # [batch, 10]

    def init_weights(self, generator: torch.Generator) -> None:
        """Gaussian weights scaled by 1/sqrt(fan_in), Gaussian biases: seeded."""
        with torch.no_grad():
            for layer in self.layers:
                n_out, n_in = layer.weight.shape
                layer.weight.copy_(torch.randn(n_out, n_in, generator=generator) / n_in**0.5)
                layer.bias.copy_(torch.randn(n_out, generator=generator))

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


def one_hot(labels: torch.Tensor, n: int = 10) -> torch.Tensor:
    return torch.eye(n, dtype=torch.float32)[labels]  # [batch, n]


def cost(output: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The videos' cost: sum over outputs of (a - y)^2, averaged over examples."""
    return ((output - one_hot(labels, output.shape[1])) ** 2).sum(dim=1).mean()


@dataclass
class History:
    """What training reports: per epoch (0 = before training) loss and accuracy."""

    train_cost: list[float] = field(default_factory=list)
    test_cost: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    def record(self, model: MLP, data: Digits) -> None:
        self.train_cost.append(evaluate(model, data.x_train, data.y_train)[0])
        test_cost, test_accuracy = evaluate(model, data.x_test, data.y_test)
        self.test_cost.append(test_cost)
        self.test_accuracy.append(test_accuracy)


@torch.no_grad()
def evaluate(model: MLP, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Average cost and accuracy of the model on images x with labels y."""
    out = model(torch.from_numpy(x))  # [n, 10]
    labels = torch.from_numpy(y)  # [n]
    accuracy = (out.argmax(dim=1) == labels).float().mean()
    return float(cost(out, labels)), float(accuracy)


def train(config: MLPConfig, data: Digits) -> tuple[MLP, History, list[dict[str, torch.Tensor]]]:
    """Seeded minibatch SGD. Returns the model, its history and a weight snapshot per epoch."""
    generator = torch.Generator().manual_seed(config.seed)
    model = MLP(config)
    model.init_weights(generator)
    history = History()
    history.record(model, data)
    snapshots = [_snapshot(model)]
    x = torch.from_numpy(data.x_train)  # [n, inputs]
    y = torch.from_numpy(data.y_train)  # [n]
    optimiser = torch.optim.SGD(model.parameters(), lr=config.lr)

    def after_epoch() -> None:
        history.record(model, data)
        snapshots.append(_snapshot(model))

    minibatch.descend(model, optimiser, cost, x, y, config.epochs, config.batch_size, generator, after_epoch)
    return model, history, snapshots


def _snapshot(model: MLP) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


TrainedMLP = store.Trained[MLP, History]
"""The network, its history, its state_dict after each epoch (0 = untrained) and the store's record."""


def load_or_train(config: MLPConfig, data: Digits) -> TrainedMLP:
    """The trained network for ``config`` on ``data``, from the cache when present."""

    def trained() -> tuple[list[store.StateDict], dict]:
        _, history, snapshots = train(config, data)
        return snapshots, {"history": asdict(history), "test_accuracy": history.test_accuracy[-1]}

    config_dict = {**config.to_dict(), "data": data.digest()}
    return store.load_or_train(
        "mlp", config_dict, lambda: MLP(config), trained, lambda record: History(**record["history"]), snapshots="epoch"
    )
