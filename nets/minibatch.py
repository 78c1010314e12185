"""Seeded minibatch descent, shared by the digit networks (MLP, CNN, ViT)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn


def descend(
    model: nn.Module,
    optimiser: torch.optim.Optimizer,
    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    epochs: int,
    batch_size: int,
    generator: torch.Generator,
    after_epoch: Callable[[], None],
    schedule: torch.optim.lr_scheduler.LRScheduler | None = None,
) -> None:
    """``epochs`` passes over (x, y) in minibatches of ``batch_size``, shuffled by ``generator``;
    ``schedule`` steps and ``after_epoch()`` runs after each pass."""
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)  # [n]
        for start in range(0, len(x), batch_size):
            batch = order[start : start + batch_size]  # [batch]
            optimiser.zero_grad()
            loss(model(x[batch]), y[batch]).backward()
            optimiser.step()
        if schedule is not None:
            schedule.step()
        after_epoch()
