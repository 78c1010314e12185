"""A small convolutional network on the digits: conv 3x3 -> ReLU -> max-pool -> conv 3x3 -> ReLU -> linear.

The first convolution has no padding, so every output cell sees nine real
pixels; the pool halves each side; the second convolution pads by one, so it
keeps the pooled size. On the 8x8 digits: 8x8 -> 6x6 -> 3x3 -> 3x3 -> 10.
Trained with Adam on the cross-entropy of the softmax, seeded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from netreel.nets import minibatch, store
from netreel.nets.data import Digits
from netreel.nets.hooks import HookedModule, HookPoint

M = TypeVar("M", bound=nn.Module)


MNIST_EPOCHS = 5


@dataclass(frozen=True)
class CNNConfig:
    """Everything that decides the trained weights (hashed by the store)."""

    side: int = 8  # input images are side x side
    channels: tuple[int, int] = (8, 8)  # filters in the first and second convolution
    kernel: int = 3
    pool: int = 2
    dataset: str = "digits"
    seed: int = 0
    epochs: int = 20
    lr: float = 0.02
    batch_size: int = 32

    @classmethod
    def for_data(cls, data: Digits, seed: int = 0) -> CNNConfig:
        """The default shape for a data set's image size; fewer passes over MNIST's larger set."""
        epochs = cls.epochs if data.side <= 8 else MNIST_EPOCHS
        return cls(side=data.side, dataset=data.name, seed=seed, epochs=epochs)

    @property
    def conv1_side(self) -> int:
        return self.side - self.kernel + 1  # no padding

    @property
    def pool_side(self) -> int:
        return self.conv1_side // self.pool

    def to_dict(self) -> dict:
        return {"model": "cnn", **asdict(self), "channels": list(self.channels)}


class Conv(HookedModule):
    """One convolution and its ReLU: z = w * x + b, a = max(0, z)."""

    def __init__(self, c_in: int, c_out: int, kernel: int, padding: int) -> None:
        super().__init__()
        self.padding = padding
        self.weight = nn.Parameter(torch.zeros(c_out, c_in, kernel, kernel))  # [out, in, k, k]
        self.bias = nn.Parameter(torch.zeros(c_out))  # [out]
        self.hook_z = HookPoint()
        self.hook_a = HookPoint()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.hook_z(F.conv2d(x, self.weight, self.bias, padding=self.padding))  # [batch, out, h', w']
        return self.hook_a(F.relu(z))  # [batch, out, h', w']


class CNN(HookedModule):
    def __init__(self, config: CNNConfig) -> None:
        super().__init__()
        self.config = config
        c1, c2 = config.channels
        self.hook_input = HookPoint()
        self.conv1 = Conv(1, c1, config.kernel, padding=0)
        self.hook_pool = HookPoint()
        self.conv2 = Conv(c1, c2, config.kernel, padding=config.kernel // 2)
        self.head = nn.Linear(c2 * config.pool_side**2, 10)
        self.hook_logits = HookPoint()
        self.hook_probs = HookPoint()
        self.setup_hooks()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for images given as rows of pixels [batch, side*side]."""
        side = self.config.side
        image = self.hook_input(x.reshape(-1, 1, side, side))  # [batch, 1, side, side]
        a1 = self.conv1(image)  # [batch, c1, side-2, side-2]
        pooled = self.hook_pool(F.max_pool2d(a1, self.config.pool))  # [batch, c1, p, p]
        a2 = self.conv2(pooled)  # [batch, c2, p, p]
        logits = self.hook_logits(self.head(a2.flatten(1)))  # [batch, 10]
        self.hook_probs(torch.softmax(logits, dim=1))  # [batch, 10]
        return logits

    def init_weights(self, generator: torch.Generator) -> None:
        """He-scaled Gaussian weights, zero biases: seeded."""
        with torch.no_grad():
            for weight in (self.conv1.weight, self.conv2.weight, self.head.weight):
                fan_in = weight[0].numel()
                weight.copy_(torch.randn(weight.shape, generator=generator) * (2.0 / fan_in) ** 0.5)
            for bias in (self.conv1.bias, self.conv2.bias, self.head.bias):
                bias.zero_()

    def n_params(self) -> int:
        return sum(p.numel() for p in self.parameters())


@dataclass
class History:
    """Per epoch (0 = before training): training loss, held-out accuracy."""

    train_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    def record(self, model: CNN, data: Digits) -> None:
        self.train_loss.append(evaluate(model, data.x_train, data.y_train)[0])
        self.test_accuracy.append(evaluate(model, data.x_test, data.y_test)[1])


@torch.no_grad()
def evaluate(model: CNN, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy on images x with labels y."""
    logits = model(torch.from_numpy(x))  # [n, 10]
    labels = torch.from_numpy(y)  # [n]
    return float(F.cross_entropy(logits, labels)), float((logits.argmax(dim=1) == labels).float().mean())


def fit(
    config, data: Digits, model: Callable[[], M], optimiser: Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer],
) -> tuple[M, History]:
    """A digit classifier made by ``model()`` and seeded by ``config.seed``, trained in minibatches on the
    cross-entropy by ``optimiser(parameters)``, the learning rate annealed to zero over ``config.epochs``."""
    if data.side != config.side:
        raise ValueError(f"the config is for {config.side}x{config.side} images, the data has {data.side}x{data.side}")
    generator = torch.Generator().manual_seed(config.seed)
    net = model()
    net.init_weights(generator)
    history = History()
    history.record(net, data)
    x = torch.from_numpy(data.x_train)  # [n, side*side]
    y = torch.from_numpy(data.y_train)  # [n]
    step = optimiser(net.parameters())
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(step, T_max=config.epochs)
    minibatch.descend(
        net, step, F.cross_entropy, x, y, config.epochs, config.batch_size, generator,
        lambda: history.record(net, data), schedule,
    )
    return net, history


def cached(kind: str, config, data: Digits, model: Callable[[], M], train: Callable) -> store.Trained[M, History]:
    """A digit classifier trained by ``train(config, data)``, from the store when it holds one for ``config`` on ``data``."""

    def trained() -> tuple[list[store.StateDict], dict]:
        net, history = train(config, data)
        return [net.state_dict()], {"history": asdict(history), "test_accuracy": history.test_accuracy[-1]}

    return store.load_or_train(
        kind, {**config.to_dict(), "data": data.digest()}, model, trained, lambda record: History(**record["history"])
    )


def train(config: CNNConfig, data: Digits) -> tuple[CNN, History]:
    """Seeded minibatch Adam on the cross-entropy, the learning rate annealed to zero."""
    return fit(config, data, lambda: CNN(config), lambda parameters: torch.optim.Adam(parameters, lr=config.lr))


TrainedCNN = store.Trained[CNN, History]


def load_or_train(config: CNNConfig, data: Digits) -> TrainedCNN:
    """The trained network for ``config`` on ``data``, from the cache when present."""
    return cached("cnn", config, data, lambda: CNN(config), train)
