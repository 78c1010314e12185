"""The piece of the digit network's cost landscape that Chapters 2 and 4 walk on.

Which two weights, at which point of training,, and the real cost surface over them.
Most single weights give a cost curve with one valley, so we look for weights
whose curve has two: every weight between the two hidden layers, in snapshots
along training, scored by :func:`netreel.nets.landscape.two_valley_score` (on a seeded
subset of the training digits first, the best few again on all of them). The
snapshot with the best pair is the one shown; the cost surface over the pair,
on every training digit, is cached with the choice through :mod:`netreel.nets.store`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from netreel.nets import landscape, mlp, store
from netreel.nets.data import Digits
from netreel.nets.landscape import Param

REACH = 24.0  # the weights are varied over [-REACH, REACH]
SCAN_POINTS = 33  # grid of a curve while scanning
SCAN_EXAMPLES = 1000  # training digits used to score candidates
SCAN_EPOCH_STRIDE = 5  # snapshots scanned: every fifth epoch
RECHECK = 6  # best candidates scored again on every training digit
SURFACE_POINTS = 41  # the surface is SURFACE_POINTS x SURFACE_POINTS
LAYER = 1  # the weights between the two hidden layers (into the last hidden layer)


@dataclass
class Terrain:
    epoch: int  # the snapshot whose other weights stay fixed
    params: list[Param]  # the two weights: the curve's, then the surface's second
    scores: list[float]  # their two-valley scores on every training digit
    weights: dict[str, torch.Tensor]  # that snapshot, float64
    grid: torch.Tensor  # [SURFACE_POINTS] values of each weight, float64
    surface: torch.Tensor  # [SURFACE_POINTS, SURFACE_POINTS] cost, [i, j] = (grid[i], grid[j]), float64

    def above(self, x: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor, list[Param]]:
        """The layers from the chosen weights' up, the input they see from ``x``, and the weights renumbered."""
        upper, hidden = landscape.cut(self.weights, x, LAYER)
        return upper, hidden, [p.below(LAYER) for p in self.params]

    def current(self) -> torch.Tensor:
        """The two weights' values in the snapshot: [2]."""
        return torch.tensor([p.value(self.weights) for p in self.params], dtype=torch.float64)


def training_tensors(data: Digits) -> tuple[torch.Tensor, torch.Tensor]:
    return torch.from_numpy(data.x_train).double(), torch.from_numpy(data.y_train)


def load(net: mlp.TrainedMLP, data: Digits) -> Terrain:
    """The chosen snapshot, weights and surface for a trained network (cached)."""
    config = {
        "net": net.record["key"],
        "reach": REACH,
        "scan": [SCAN_POINTS, SCAN_EXAMPLES, SCAN_EPOCH_STRIDE, RECHECK, LAYER],
        "surface": SURFACE_POINTS,
    }

    def compute() -> store.Entry:
        epoch, params, scores = choose(net.snapshots, data)
        weights = double(net.snapshots[epoch])
        grid = torch.linspace(-REACH, REACH, SURFACE_POINTS, dtype=torch.float64)  # [G]
        surface = landscape.costs(weights, *training_tensors(data), params, mesh(grid)).reshape(len(grid), len(grid))  # [G, G]
        record = {"epoch": epoch, "params": [p.as_list() for p in params], "scores": scores}
        return {"grid": grid, "surface": surface.detach()}, record

    tensors, record = store.load_or_compute("terrain", config, compute)
    params = [Param(*p) for p in record["params"]]
    weights = double(net.snapshots[record["epoch"]])
    return Terrain(record["epoch"], params, record["scores"], weights, tensors["grid"], tensors["surface"])


def choose(snapshots: list[dict[str, torch.Tensor]], data: Digits) -> tuple[int, list[Param], list[float]]:
    """The snapshot and the two weights whose cost curves most clearly have two valleys each.

    Scored on a seeded subset of the training digits, then the best few again on all of them.
    """
    subset = np.random.default_rng(0).permutation(len(data.y_train))[:SCAN_EXAMPLES]
    x_sub, y_sub = torch.from_numpy(data.x_train[subset]), torch.from_numpy(data.y_train[subset])
    scan_grid = torch.linspace(-REACH, REACH, SCAN_POINTS)  # [SCAN_POINTS]
    x, y = training_tensors(data)
    best: tuple[tuple[float, float], int, list[Param], list[float]] | None = None
    for epoch in range(0, len(snapshots), SCAN_EPOCH_STRIDE):
        quick = landscape.scan({k: v.float() for k, v in snapshots[epoch].items()}, x_sub, y_sub, scan_grid)
        weights = double(snapshots[epoch])
        rescored = sorted(((score_on(weights, x, y, p, scan_grid.double()), p) for _, p in quick[:RECHECK]), key=lambda s: -s[0])
        rank = (min(rescored[0][0], rescored[1][0]), rescored[0][0])
        if best is None or rank > best[0]:
            best = (rank, epoch, [rescored[0][1], rescored[1][1]], [rescored[0][0], rescored[1][0]])
    _, epoch, params, scores = best
    return epoch, params, scores


def score_on(weights: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor, param: Param, grid: torch.Tensor) -> float:
    curve = landscape.costs(weights, x, y, [param], grid[:, None], chunk=len(grid))
    return landscape.two_valley_score(curve.numpy())


def mesh(grid: torch.Tensor) -> torch.Tensor:
    """Every (u, v) pair of a square grid, u major: [G*G, 2]."""
    return mesh_of(grid, grid)


def mesh_of(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Every (u, v) pair of two grids, u major: [len(u) * len(v), 2]."""
    uu, vv = torch.meshgrid(u, v, indexing="ij")
    return torch.stack([uu.reshape(-1), vv.reshape(-1)], dim=1)


def double(snapshot: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {k: v.double() for k, v in snapshot.items()}
