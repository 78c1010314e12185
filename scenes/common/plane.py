"""Points and vectors on a 2-D plot, drawn cheaply: hundreds of dots as one image, arrows as two paths.

:class:`DotCloud` rasterises a cloud of points over a plot's window into one
ImageMobject and can redraw it in place every frame (an updater that calls
``redraw`` costs one small image, not hundreds of mobjects). :func:`arrows`
puts every shaft in one VMobject and every tip in another, with the same number
of points whatever the vectors, so one field transforms smoothly into another.

Examples
--------
::

    class Cloud(NetScene):
        chapter = "flow"

        def construct(self):
            axes = Axes(x_range=[-3, 3, 1], y_range=[-2, 2, 1], x_length=6, y_length=4)
            path = self.ledger.array("traj.x")  # [steps + 1, n, 2]
            cloud = DotCloud(axes, path[0])
            clock = ValueTracker(0)
            cloud.add_updater(lambda c: c.redraw(path[round(clock.get_value())]))
            self.add(axes, cloud)
            self.play(clock.animate.set_value(len(path) - 1), run_time=4)
"""

from __future__ import annotations

import math

import cairo
import numpy as np
from manim import WHITE, Axes, ImageMobject, ManimColor, VGroup, VMobject, config

from netreel.scenes.common.mobjects import surface_rgba


class DotCloud(ImageMobject):
    """Dots at plot coordinates ``points`` [n, 2], drawn into one image covering ``axes``' window.

    ``colors`` is one colour or an [n, 3] array of RGB floats in [0, 1]; ``radius`` is in scene
    units (at least about a pixel, so dots stay visible at small sizes).
    """

    def __init__(self, axes: Axes, points: np.ndarray, colors=WHITE, radius: float = 0.03, opacity: float = 1.0) -> None:
        x_min, x_max = axes.x_range[:2]
        y_min, y_max = axes.y_range[:2]
        self.window = (x_min, x_max, y_min, y_max)
        corner_lo, corner_hi = axes.c2p(x_min, y_min), axes.c2p(x_max, y_max)
        width, height = corner_hi[0] - corner_lo[0], corner_hi[1] - corner_lo[1]
        px_per_unit = config.pixel_height / config.frame_height
        self.size_px = (max(1, math.ceil(width * px_per_unit)), max(1, math.ceil(height * px_per_unit)))
        self.radius_px = max(0.7, radius * px_per_unit)
        self.opacity = opacity
        self.colors = colors
        super().__init__(self._raster(points))
        self.stretch_to_fit_width(width)
        self.stretch_to_fit_height(height)
        self.move_to((corner_lo + corner_hi) / 2)

    def _rgb(self, n: int) -> np.ndarray:
        if isinstance(self.colors, np.ndarray):
            return np.asarray(self.colors, dtype=np.float64).reshape(n, 3)
        return np.tile(np.array(ManimColor(self.colors).to_rgb()), (n, 1))

    def _raster(self, points: np.ndarray) -> np.ndarray:
        width_px, height_px = self.size_px
        x_min, x_max, y_min, y_max = self.window
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width_px, height_px)
        ctx = cairo.Context(surface)
        px = (points[:, 0] - x_min) / (x_max - x_min) * width_px  # [n]
        py = (y_max - points[:, 1]) / (y_max - y_min) * height_px  # [n]
        rgb = self._rgb(len(points))
        shades, which = np.unique(rgb, axis=0, return_inverse=True)
        for k, (r, g, b) in enumerate(shades):  # one path and one fill per colour
            ctx.set_source_rgba(r, g, b, self.opacity)
            for x, y in zip(px[which.ravel() == k], py[which.ravel() == k]):
                ctx.move_to(x + self.radius_px, y)
                ctx.arc(x, y, self.radius_px, 0, 2 * math.pi)
            ctx.fill()
        return surface_rgba(surface)

    def redraw(self, points: np.ndarray, colors=None) -> DotCloud:
        """Draw the dots at new plot coordinates (and colours), keeping the image's place on screen."""
        if colors is not None:
            self.colors = colors
        self.pixel_array = self._raster(points)
        self.orig_alpha_pixel_array = self.pixel_array[:, :, 3].copy()
        return self


def arrows(
    starts: np.ndarray,
    ends: np.ndarray,
    color=WHITE,
    stroke_width: float = 2.0,
    tip: float = 0.1,
    opacity: float = 1.0,
) -> VGroup:
    """Arrows from ``starts`` to ``ends`` ([n, 3] scene points): VGroup(shafts, tips).

    A tip is at most ``tip`` long and at most 40 % of its arrow, so short arrows stay arrows.
    Every arrow has the same number of points, zero-length ones included.
    """
    vectors = ends - starts  # [n, 3]
    lengths = np.linalg.norm(vectors, axis=1)  # [n]
    units = np.where(lengths[:, None] > 1e-9, vectors / np.maximum(lengths, 1e-9)[:, None], np.array([1.0, 0, 0]))
    normals = np.stack([-units[:, 1], units[:, 0], np.zeros(len(units))], axis=1)  # [n, 3]
    tip_lengths = np.minimum(tip, 0.4 * lengths)[:, None]  # [n, 1]
    bases = ends - units * tip_lengths  # [n, 3]
    shafts = VMobject(stroke_color=color, stroke_width=stroke_width, stroke_opacity=opacity)
    heads = VMobject(stroke_width=0, fill_color=color, fill_opacity=opacity)
    for start, base, end, normal, size in zip(starts, bases, ends, normals, tip_lengths[:, 0]):
        shafts.start_new_path(start)
        shafts.add_line_to(base)
        heads.start_new_path(end)
        heads.add_points_as_corners([base + normal * size * 0.5, base - normal * size * 0.5, end])
    return VGroup(shafts, heads)
