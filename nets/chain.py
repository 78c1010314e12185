"""The chain network of backprop calculus: one neuron per layer, a(0) -> a(1) -> ... -> a(L).

Each link computes z(l) = w(l) a(l-1) + b(l) and a(l) = sigmoid(z(l)) with scalar
w and b. Its weights, biases and the input a(0) are drawn from a seed; nothing is
trained. The cost of the one example is C0 = (a(L) - y)^2 for a target y.

Examples
--------
>>> import torch
>>> chain = Chain(ChainConfig())
>>> out, cache = chain.run_with_cache(chain.input[None])
>>> sorted(cache)[:3]
['hook_input', 'layers.0.hook_a', 'layers.0.hook_z']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from netreel.nets.hooks import HookedModule, HookPoint


@dataclass(frozen=True)
class ChainConfig:
    """Everything that decides the chain's numbers."""

    depth: int = 3  # links after the input: L = depth, so 1-1-1-1 for depth 3
    seed: int = 0
    target: float = 1.0  # y, the output this example should give

    def to_dict(self) -> dict:
        return {"model": "chain", **asdict(self)}


class Link(HookedModule):
    """One neuron fed by one neuron: z = w a + b, a' = sigmoid(z)."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(()))  # []
        self.bias = nn.Parameter(torch.zeros(()))  # []
        self.hook_z = HookPoint()
        self.hook_a = HookPoint()

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        z = self.hook_z(self.weight * a + self.bias)  # [batch]
        return self.hook_a(torch.sigmoid(z))  # [batch]


class Chain(HookedModule):
    """The 1-1-...-1 network with seeded parameters, its input a(0) and its target y."""

    def __init__(self, config: ChainConfig) -> None:
        super().__init__()
        self.config = config
        self.hook_input = HookPoint()
        self.layers = nn.ModuleList(Link() for _ in range(config.depth))
        generator = torch.Generator().manual_seed(config.seed)
        with torch.no_grad():
            for link in self.layers:
                link.weight.copy_(torch.randn((), generator=generator))
                link.bias.copy_(torch.randn((), generator=generator))
        self.input = torch.rand((), generator=generator)  # [] a(0), in [0, 1)
        self.target = torch.tensor(config.target)  # [] y
        self.setup_hooks()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        a = self.hook_input(x)  # [batch]
        for link in self.layers:
            a = link(a)  # [batch]
        return a  # [batch] a(L)

    def activations(self) -> list[torch.Tensor]:
        """a(0), ..., a(L) for the chain's own input, each a scalar that keeps its autograd graph."""
        out = [self.input.clone().requires_grad_(True)]  # [] a(0)
        for link in self.layers:
            a = link(out[-1][None])[0]  # []
            a.retain_grad()
            out.append(a)
        return out

    def gradients(self) -> dict[str, torch.Tensor]:
        """Autograd's dC0/dw(l), dC0/db(l) and dC0/da(l) for the chain's one example.

        ``w`` and ``b`` are [L] (layer l at index l-1), ``a`` is [L+1] (a(0) at index 0).
        """
        self.zero_grad()
        activations = self.activations()
        cost(activations[-1], self.target).backward()
        return {
            "w": torch.stack([link.weight.grad for link in self.layers]),  # [L]
            "b": torch.stack([link.bias.grad for link in self.layers]),  # [L]
            "a": torch.stack([a.grad for a in activations]),  # [L+1]
        }


def cost(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """The cost of one example: C0 = (a(L) - y)^2."""
    return (output - target) ** 2
