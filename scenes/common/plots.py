"""Plots of real curves and surfaces: axes over a data range, tick labels through the ledger.

``Plot`` draws an L-shaped pair of axes at the lower left of a data range (the
origin need not be inside it) and maps data points to the scene with ``p(x, y)``.
``surface_map`` puts a height map under such a plot. ``param_parts`` names one
network parameter, w^(l)_{j,k} or b^(l)_j, for ``eq``, every index from the ledger.

Examples
--------
::

    class Curve(NetScene):
        chapter = "descent"

        def construct(self):
            grid, cost = self.ledger.array("curve.grid"), self.ledger.array("curve.cost")
            plot = Plot(self.ledger, (grid[0], grid[-1]), (cost.min(), cost.max()), 8, 4)
            self.add(plot, polyline([plot.p(w, c) for w, c in zip(grid, cost)]))
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, Group, Line, SurroundingRectangle, VGroup, VMobject

from netreel.scenes.common import palette
from netreel.scenes.common.heightmap import height_map
from netreel.scenes.common.ledger import Ledger


def nice_ticks(lo: float, hi: float, count: int = 3) -> list[float]:
    """At least ``count`` round values (1, 2 or 5 times a power of ten apart) inside [lo, hi]."""
    scale = 10.0 ** np.floor(np.log10(hi - lo))
    for step in (scale * m for m in (1, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01)):
        ticks = np.arange(np.ceil(lo / step), np.floor(hi / step) + 1) * step
        if len(ticks) >= count:
            break
    return [float(t) for t in ticks]


def tick_decimals(ticks: list[float]) -> int:
    """Decimals enough to tell neighbouring ticks apart."""
    step = min(np.diff(ticks)) if len(ticks) > 1 else abs(ticks[0]) or 1.0
    return max(0, int(-np.floor(np.log10(step) + 1e-9)))


class Plot(VGroup):
    """Axes for data in ``x_range`` x ``y_range``, ``width`` x ``height`` units, ticks at round values."""

    def __init__(
        self,
        ledger: Ledger,
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        width: float,
        height: float,
        x_ticks: list[float] | None = None,
        y_ticks: list[float] | None = None,
        font_size: float = 22,
        axes: bool = True,
    ) -> None:
        super().__init__()
        self.x_range, self.y_range = (float(x_range[0]), float(x_range[1])), (float(y_range[0]), float(y_range[1]))
        self.diagonal = Line([0, 0, 0], [width, height, 0], stroke_opacity=0)  # invisible: where the data range sits
        self.add(self.diagonal)
        if axes:
            self.add(Line(self.p(self.x_range[0], self.y_range[0]), self.p(self.x_range[1], self.y_range[0]), color=palette.MUTED, stroke_width=2))
            self.add(Line(self.p(self.x_range[0], self.y_range[0]), self.p(self.x_range[0], self.y_range[1]), color=palette.MUTED, stroke_width=2))
        x_ticks = nice_ticks(*self.x_range, 4) if x_ticks is None else x_ticks
        y_ticks = nice_ticks(*self.y_range, 3) if y_ticks is None else y_ticks
        self.ticks = VGroup()
        for x in x_ticks:
            self.ticks.add(ledger.tick(x, tick_decimals(x_ticks), font_size=font_size).next_to(self.p(x, self.y_range[0]), DOWN, buff=0.12))
        for y in y_ticks:
            self.ticks.add(ledger.tick(y, tick_decimals(y_ticks), font_size=font_size).next_to(self.p(self.x_range[0], y), LEFT, buff=0.12))
        self.add(self.ticks)

    def p(self, x: float, y: float) -> np.ndarray:
        """The scene point of data point (x, y), wherever the plot (or a group holding it) has moved."""
        start, end = self.diagonal.get_start(), self.diagonal.get_end()
        fx = (x - self.x_range[0]) / (self.x_range[1] - self.x_range[0])
        fy = (y - self.y_range[0]) / (self.y_range[1] - self.y_range[0])
        return start + np.array([fx, fy, 0.0]) * (end - start)

    def points_of(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return np.array([self.p(x, y) for x, y in zip(xs, ys)])


def polyline(points: np.ndarray, **style) -> VMobject:
    """One path through ``points`` (a curve sampled on a grid, a descent path)."""
    line = VMobject(**{"stroke_color": palette.HIGHLIGHT, "stroke_width": 3, **style})
    line.set_points_as_corners(np.asarray(points))
    return line


def surface_map(ledger: Ledger, values: np.ndarray, u: np.ndarray, v: np.ndarray, size: float) -> tuple[Group, Plot]:
    """A square height map of ``values`` [u, v] over the grids ``u`` (across) and ``v`` (up), framed, with tick labels.

    Returns the picture and the Plot that maps (u, v) onto it.
    """
    u_range, v_range = (float(u[0]), float(u[-1])), (float(v[0]), float(v[-1]))
    plot = Plot(ledger, u_range, v_range, size, size, x_ticks=nice_ticks(*u_range, 4), y_ticks=nice_ticks(*v_range, 4), font_size=22, axes=False)
    image = height_map(values, height=size).move_to(plot.p(sum(u_range) / 2, sum(v_range) / 2))
    frame = SurroundingRectangle(image, buff=0, color=palette.MUTED, stroke_width=2)
    picture = Group(image, frame, plot)
    return picture, plot


def param_parts(ledger: Ledger, key: str, index: tuple = ()) -> list[str]:
    """A parameter [layer from 1, row, column (-1: bias)] as ``eq`` parts, w^(l)_{j,k} or b^(l)_j."""
    count = ",.0f"
    col = ledger.value(key, (*index, 2))
    parts = ["b" if col < 0 else "w", "^{(", ledger.shown(key, (*index, 0), count), ")}_{", ledger.shown(key, (*index, 1), count)]
    if col >= 0:
        parts += [",", ledger.shown(key, (*index, 2), count)]
    return [*parts, "}"]
