"""The layered network diagram of the series, bound to a model's sizes and weights.

Examples
--------
::

    class Diagram(NetScene):
        chapter = "network"

        def construct(self):
            sizes = [int(s) for s in self.ledger.array("sizes")]
            net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]))
            net.set_layer(0, self.ledger.array("hook_input"))
            self.add(net, net.edges(0, self.ledger.array("layers.0.weight")))
"""

from __future__ import annotations

import numpy as np
from manim import Mobject, VGroup

from netreel.scenes.common.mobjects import NeuronColumn, edge_buckets, shown_indices

MAX_SHOWN = 16


def input_window_start(n_inputs: int, max_shown: int = MAX_SHOWN) -> int:
    """The first pixel of the input window: the middle row of the image, centred."""
    side = int(round(n_inputs**0.5))
    return max(0, (side // 2) * side + side // 2 - max_shown // 2)


class NetworkDiagram(VGroup):
    """Columns of neurons (at most 16 drawn per layer) spread across ``width``."""

    def __init__(
        self,
        sizes: list[int],
        input_start: int | None = None,
        width: float = 9.0,
        radius: float = 0.14,
        spacing: float = 0.36,
    ) -> None:
        super().__init__()
        self.sizes = list(sizes)
        self.columns: list[NeuronColumn] = []
        for k, n in enumerate(self.sizes):
            indices = shown_indices(n, MAX_SHOWN, input_start if k == 0 else None)
            column = NeuronColumn(n, indices, radius=radius, spacing=spacing)
            column.set_x(-width / 2 + width * k / (len(self.sizes) - 1))
            self.columns.append(column)
        self.add(*self.columns)

    def set_layer(self, k: int, values: np.ndarray) -> NetworkDiagram:
        self.columns[k].set_activations(values)
        return self

    def edge_points(self, k: int) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
        """Start and end points ([m, 3] each) of the drawn edges from layer k to k+1, and their (out, in) indices."""
        left, right = self.columns[k], self.columns[k + 1]
        pairs = [(j, i) for j in right.indices for i in left.indices]
        starts = np.array([left.circle_for(i).get_right() for _, i in pairs])
        ends = np.array([right.circle_for(j).get_left() for j, _ in pairs])
        return starts, ends, pairs

    def edges(self, k: int, weights: np.ndarray, max_width: float = 3.0) -> VGroup:
        """The drawn edges from layer k to k+1, coloured by the sign of ``weights`` [out, in], width by |w|."""
        starts, ends, pairs = self.edge_points(k)
        values = np.array([weights[j, i] for j, i in pairs])
        return edge_buckets(starts, ends, values, max_width=max_width)

    def neurons(self, k: int) -> Mobject:
        return self.columns[k].circles
