"""Tensor-bound building blocks: pixel and weight images, neuron columns, network edges, bars.

They take numpy arrays that a scene read through its ledger and draw them
cheaply: images are one ImageMobject each (nearest resampling), edges of one
style share one VMobject, and thousands of edges are rasterised once.

Examples
--------
::

    class Weights(NetScene):
        chapter = "network"

        def construct(self):
            row = self.ledger.array("layers.0.weight", 3)
            side = int(len(row) ** 0.5)
            self.play(FadeIn(pixel_image(signed_image(row.reshape(side, side)), height=3)))
"""

from __future__ import annotations

import functools

import math

import cairo
import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    WHITE,
    Arrow,
    Brace,
    Circle,
    ImageMobject,
    Line,
    ManimColor,
    Mobject,
    Rectangle,
    VGroup,
    VMobject,
    config,
)
from manim.constants import RESAMPLING_ALGORITHMS

from netreel.scenes.common import palette
from netreel.scenes.common.text import eq


def pixel_image(pixels: np.ndarray, height: float) -> ImageMobject:
    """One ImageMobject of a uint8 image ([h, w] grey, or [h, w, 3|4]), scaled with nearest resampling."""
    image = ImageMobject(np.ascontiguousarray(pixels))
    image.set_resampling_algorithm(RESAMPLING_ALGORITHMS["nearest"])
    image.height = height
    return image


def grid_lines(image: Mobject, rows: int, cols: int, color=palette.FAINT, width: float = 1.0) -> VMobject:
    """The cell borders of an image as one VMobject."""
    lines = VMobject(stroke_color=color, stroke_width=width)
    left, right = image.get_left()[0], image.get_right()[0]
    top, bottom = image.get_top()[1], image.get_bottom()[1]
    for r in range(rows + 1):
        y = top + (bottom - top) * r / rows
        lines.start_new_path(np.array([left, y, 0]))
        lines.add_line_to(np.array([right, y, 0]))
    for c in range(cols + 1):
        x = left + (right - left) * c / cols
        lines.start_new_path(np.array([x, top, 0]))
        lines.add_line_to(np.array([x, bottom, 0]))
    return lines


def cell(image: Mobject, rows: int, cols: int, r: int, c: int, **style) -> Rectangle:
    """A rectangle around cell (r, c) of an image drawn as a rows x cols grid."""
    w, h = image.width / cols, image.height / rows
    corner = image.get_corner(UP + LEFT)
    rect = Rectangle(width=w, height=h, **{"stroke_color": palette.HIGHLIGHT, "stroke_width": 3, **style})
    rect.move_to(corner + np.array([w * (c + 0.5), -h * (r + 0.5), 0]))
    return rect


def brackets(mob: Mobject, buff: float = 0.1, tip: float = 0.12, color=WHITE) -> VMobject:
    """Square brackets around a mobject (a matrix or a column), drawn as two polylines."""
    left, right = mob.get_left()[0] - buff, mob.get_right()[0] + buff
    top, bottom = mob.get_top()[1] + buff, mob.get_bottom()[1] - buff
    out = VMobject(stroke_color=color, stroke_width=2)
    for x, d in ((left, tip), (right, -tip)):
        out.start_new_path(np.array([x + d, top, 0]))
        out.add_points_as_corners([np.array([x, top, 0]), np.array([x, bottom, 0]), np.array([x + d, bottom, 0])])
    return out


def shown_indices(n: int, max_shown: int, start: int | None = None) -> list[int]:
    """Which neurons of a layer of n to draw: all, a window from ``start``, or both ends."""
    if n <= max_shown:
        return list(range(n))
    if start is not None:
        start = max(0, min(start, n - max_shown))
        return list(range(start, start + max_shown))
    half = max_shown // 2
    return list(range(half)) + list(range(n - (max_shown - half), n))


class NeuronColumn(VGroup):
    """A layer as a column of circles, with ⋮ wherever neurons are left out.

    ``indices`` are the neurons drawn (in order); ``circle_for(i)`` finds neuron i's circle.
    """

    def __init__(self, n: int, indices: list[int], radius: float = 0.16, spacing: float = 0.4) -> None:
        super().__init__()
        self.n = n
        self.indices = list(indices)
        self.circles = VGroup()
        self.gaps = VGroup()
        y = 0.0
        previous = -1
        slots: list[Mobject] = []
        for i in self.indices:
            if i != previous + 1:
                slots.append(self._gap())
            circle = Circle(radius=radius, stroke_color=palette.NEURON_STROKE, stroke_width=2)
            circle.set_fill(palette.BACKGROUND, opacity=1.0)
            self.circles.add(circle)
            slots.append(circle)
            previous = i
        if previous != n - 1:
            slots.append(self._gap())
        for slot in slots:
            slot.move_to(np.array([0.0, y, 0.0]))
            y -= spacing
        self.add(self.circles, self.gaps)
        self.center()

    def _gap(self) -> Mobject:
        dots = eq(r"\vdots", color=palette.MUTED).scale(0.7)
        self.gaps.add(dots)
        return dots

    def circle_for(self, i: int) -> Circle:
        return self.circles[self.indices.index(i)]

    def activation_opacities(self, values: np.ndarray) -> list[float]:
        return [float(np.clip(values[i], 0.0, 1.0)) for i in self.indices]

    def set_activations(self, values: np.ndarray) -> NeuronColumn:
        """Light each drawn neuron: white at opacity equal to its activation in [0, 1], over the background."""
        for circle, opacity in zip(self.circles, self.activation_opacities(values)):
            circle.set_fill(palette.lit(opacity), opacity=1.0)
        return self

    def brace(self, label: Mobject, direction=LEFT) -> VGroup:
        """A brace along the column with a label (the layer's true size, from the ledger)."""
        brace = Brace(self, direction, color=palette.MUTED, buff=0.12)
        label.next_to(brace, direction, buff=0.1)
        return VGroup(brace, label)


def edge_buckets(
    starts: np.ndarray, ends: np.ndarray, weights: np.ndarray, max_width: float = 4.0, levels: int = 4
) -> VGroup:
    """Edges as a few VMobjects: one per (sign, |w| level), width and opacity growing with |w|.

    ``starts``/``ends`` are [n, 3] points, ``weights`` [n].
    """
    scale = float(np.abs(weights).max()) or 1.0
    level = np.minimum((np.abs(weights) / scale * levels).astype(int), levels - 1)  # [n]
    group = VGroup()
    for positive, color in ((True, palette.POSITIVE), (False, palette.NEGATIVE)):
        for lv in range(levels):
            mask = ((weights >= 0) == positive) & (level == lv)
            if not mask.any():
                continue
            strength = (lv + 1) / levels
            path = VMobject(stroke_color=color, stroke_width=max_width * strength, stroke_opacity=0.25 + 0.75 * strength)
            for a, b in zip(starts[mask], ends[mask]):
                path.start_new_path(a)
                path.add_line_to(b)
            group.add(path)
    return group


def edge_raster(starts: np.ndarray, ends: np.ndarray, weights: np.ndarray, max_width: float = 0.02) -> ImageMobject:
    """All edges drawn once into one image: blue/red by sign, opacity by |w|.

    ``starts``/``ends`` are [n, 3] scene points, ``weights`` [n]; ``max_width`` in scene units.
    The image's resolution matches the output's, so it stays sharp at every quality.
    """
    px_per_unit = config.pixel_height / config.frame_height
    pad = max_width
    lo = np.minimum(starts.min(axis=0), ends.min(axis=0))[:2] - pad
    hi = np.maximum(starts.max(axis=0), ends.max(axis=0))[:2] + pad
    width_px = max(1, math.ceil((hi[0] - lo[0]) * px_per_unit))
    height_px = max(1, math.ceil((hi[1] - lo[1]) * px_per_unit))
    surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width_px, height_px)
    ctx = cairo.Context(surface)
    ctx.scale(width_px / (hi[0] - lo[0]), -height_px / (hi[1] - lo[1]))
    ctx.translate(-lo[0], -hi[1])
    scale = float(np.abs(weights).max()) or 1.0
    colors = {True: ManimColor(palette.POSITIVE).to_rgb(), False: ManimColor(palette.NEGATIVE).to_rgb()}
    order = np.argsort(np.abs(weights))  # strongest drawn last, on top
    for k in order:
        strength = abs(weights[k]) / scale
        r, g, b = colors[bool(weights[k] >= 0)]
        ctx.set_source_rgba(r, g, b, 0.08 + 0.92 * strength)
        ctx.set_line_width(max_width * (0.25 + 0.75 * strength))
        ctx.move_to(starts[k][0], starts[k][1])
        ctx.line_to(ends[k][0], ends[k][1])
        ctx.stroke()
    image = ImageMobject(surface_rgba(surface))
    image.stretch_to_fit_width(hi[0] - lo[0])
    image.stretch_to_fit_height(hi[1] - lo[1])
    image.move_to(np.array([(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, 0.0]))
    return image


def surface_rgba(surface: cairo.ImageSurface) -> np.ndarray:
    """A Cairo ARGB32 surface as a straight-alpha uint8 RGBA array [h, w, 4], for an ImageMobject."""
    surface.flush()
    height_px, width_px = surface.get_height(), surface.get_width()
    bgra = np.ndarray((height_px, surface.get_stride() // 4, 4), dtype=np.uint8, buffer=surface.get_data())[:, :width_px]
    rgba = np.zeros((height_px, width_px, 4), dtype=np.uint8)
    inked = bgra[..., 3] > 0  # only these pixels need work: often a small part of the image
    alpha = bgra[inked, 3].astype(np.uint32)[:, None]  # [k, 1]
    premultiplied = bgra[inked, 2::-1].astype(np.uint32)  # [k, 3] BGR -> RGB
    rgba[inked, :3] = (premultiplied * 255 + alpha // 2) // alpha  # un-premultiply, rounded
    rgba[inked, 3] = alpha[:, 0]
    return rgba


class Bars(VGroup):
    """Horizontal bars for values in [0, 1] (probabilities, output activations), one row each.

    ``labels`` and ``numbers`` are ledger mobjects, one per row.
    """

    def __init__(
        self,
        values: np.ndarray,
        labels: list[Mobject],
        numbers: list[Mobject] | None = None,
        length: float = 3.0,
        row_height: float = 0.4,
        color=palette.POSITIVE,
    ) -> None:
        super().__init__()
        self.length = length
        self.bars = VGroup()
        self.labels = VGroup(*labels)
        self.numbers = VGroup(*(numbers or []))
        for k, value in enumerate(values):
            y = -k * row_height
            bar = Rectangle(width=max(length * float(value), 1e-3), height=row_height * 0.7, stroke_width=0)
            bar.set_fill(color, opacity=0.9)
            bar.move_to(np.array([0, y, 0]), aligned_edge=LEFT)
            self.bars.add(bar)
            labels[k].next_to(bar, LEFT, buff=0.2).set_y(y)
            if numbers:
                numbers[k].next_to(np.array([length, y, 0]), RIGHT, buff=0.2)
        self.add(self.bars, self.labels, self.numbers)
        self.center()

    @classmethod
    def for_classes(
        cls, ledger, key: str, values: np.ndarray | None = None, numbers: str | None = None, font_size: float = 24,
        decimals: int = 2, **kwargs,
    ) -> Bars:
        """The ten digit classes' bars: labels 0-9 from the ledger's ``classes``, lengths ``values``
        (default: the fact ``key``), and beside each the ledger's ``numbers[d]`` (default: ``key``),
        as an integer when ``decimals`` is 0."""
        show = ledger.integer if decimals == 0 else functools.partial(ledger.number, decimals=decimals)
        return cls(
            ledger.array(key) if values is None else values,
            [ledger.integer("classes", d, font_size=font_size) for d in range(10)],
            [show(numbers or key, d, font_size=font_size) for d in range(10)],
            **kwargs,
        )

    def row(self, k: int) -> VGroup:
        parts = [self.bars[k], self.labels[k]] + ([self.numbers[k]] if len(self.numbers) else [])
        return VGroup(*parts)


def stack(*mobs: Mobject, direction=DOWN, buff: float = 0.25) -> VGroup:
    """Mobjects one under another, left-aligned."""
    return VGroup(*mobs).arrange(direction, buff=buff, aligned_edge=LEFT)


def digit_image(pixels: np.ndarray, height: float) -> ImageMobject:
    """A square digit from its pixels in [0, 1] (flattened row by row, or square), in grey."""
    pixels = np.asarray(pixels)
    side = int(round(pixels.size ** 0.5))
    return pixel_image(palette.grey_image(pixels.reshape(side, side)), height)


def nudge_arrow(value: float, scale: float, longest: float) -> VMobject:
    """A vertical arrow for a signed nudge: ``longest`` * |value| / ``scale`` long, up and blue
    for positive, down and red for negative; a plain stroke when too short for a tip."""
    length = longest * abs(value) / scale
    colour = palette.POSITIVE if value > 0 else palette.NEGATIVE
    if length < 0.12:
        return Line([0, 0, 0], [0, np.sign(value) * max(length, 0.01), 0], stroke_width=5, color=colour)
    return Arrow([0, 0, 0], [0, np.sign(value) * length, 0], buff=0, stroke_width=5, color=colour, max_tip_length_to_length_ratio=0.3)
