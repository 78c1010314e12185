"""Named activations, in the style of TransformerLens.

A model places :class:`HookPoint` modules wherever a tensor is worth showing.
Each hook point is named by its attribute path (``layers.0.hook_z``), so the
name a scene asks for is the name a reader finds in the model's source.

Examples
--------
>>> import torch
>>> from netreel.nets.mlp import MLP, MLPConfig
>>> model = MLP(MLPConfig(sizes=(4, 3, 2)))
>>> out, cache = model.run_with_cache(torch.zeros(1, 4))
>>> sorted(cache)[:2]
['layers.0.hook_a', 'layers.0.hook_z']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import torch
from torch import nn


class HookPoint(nn.Module):
    """An identity layer whose output can be recorded under its attribute path."""

    def __init__(self) -> None:
        super().__init__()
        self.name = ""
        self._sink: dict[str, torch.Tensor] | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self._sink is not None:
            self._sink[self.name] = x.detach().clone()
        return x


class ActivationCache(Mapping[str, torch.Tensor]):
    """The tensors one forward pass produced, keyed by hook name."""

    def __init__(self, tensors: dict[str, torch.Tensor]) -> None:
        self._tensors = tensors

    def __getitem__(self, name: str) -> torch.Tensor:
        if name not in self._tensors:
            known = ", ".join(sorted(self._tensors))
            raise KeyError(f"no activation named {name!r}; the cache holds: {known}")
        return self._tensors[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tensors)

    def __len__(self) -> int:
        return len(self._tensors)

    def numpy(self) -> dict[str, np.ndarray]:
        """Every tensor as a float64 numpy array (what scenes read)."""
        return {k: v.double().numpy() for k, v in self._tensors.items()}


class HookedModule(nn.Module):
    """A module whose hook points know their names and can be cached."""

    def setup_hooks(self) -> None:
        """Name every HookPoint by its attribute path; call at the end of ``__init__``."""
        for name, module in self.named_modules():
            if isinstance(module, HookPoint):
                module.name = name

    def hook_points(self) -> list[HookPoint]:
        return [m for m in self.modules() if isinstance(m, HookPoint)]

    @torch.no_grad()
    def run_with_cache(self, *args, **kwargs) -> tuple[torch.Tensor, ActivationCache]:
        """Run ``forward`` and return its output with every hook point's tensor."""
        sink: dict[str, torch.Tensor] = {}
        hooks = self.hook_points()
        for hook in hooks:
            hook._sink = sink
        try:
            out = self(*args, **kwargs)
        finally:
            for hook in hooks:
                hook._sink = None
        return out, ActivationCache(sink)
