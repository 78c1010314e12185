"""A function of two variables drawn as one image: colour by height, with contour lines.

One ImageMobject however fine the grid (Cairo cost is per drawn path, so thousands
of contour segments would be slow). The grid is upsampled bilinearly, coloured from
dark (low) to bright (high), and a thin dark line is drawn wherever the height crosses
a contour level.

Examples
--------
::

    class Surface(NetScene):
        chapter = "descent"

        def construct(self):
            cost = self.ledger.array("surface.cost")  # [u, v]
            self.add(height_map(cost, height=5))
"""

from __future__ import annotations

import numpy as np
from manim import ImageMobject, ManimColor

from netreel.scenes.common import palette
from netreel.scenes.common.mobjects import pixel_image

LOW = "#1d2b53"  # deep blue for the lowest cost
MID = "#2a9d8f"
HIGH = "#e9c46a"  # warm yellow for the highest


def upsample(values: np.ndarray, factor: int) -> np.ndarray:
    """Bilinear interpolation of a [rows, cols] grid onto (rows-1)*factor+1 x (cols-1)*factor+1 points."""
    rows, cols = values.shape
    r = np.linspace(0, rows - 1, (rows - 1) * factor + 1)
    c = np.linspace(0, cols - 1, (cols - 1) * factor + 1)
    r0 = np.minimum(np.floor(r).astype(int), rows - 2)
    c0 = np.minimum(np.floor(c).astype(int), cols - 2)
    fr, fc = (r - r0)[:, None], (c - c0)[None, :]
    top = values[r0][:, c0] * (1 - fc) + values[r0][:, c0 + 1] * fc
    bottom = values[r0 + 1][:, c0] * (1 - fc) + values[r0 + 1][:, c0 + 1] * fc
    return top * (1 - fr) + bottom * fr


def contour_levels(values: np.ndarray, count: int) -> np.ndarray:
    """Levels at evenly spaced quantiles of the heights, so that low, flat basins get lines too."""
    return np.quantile(values, np.linspace(0, 1, count + 2)[1:-1])


def height_rgb(values: np.ndarray, levels: np.ndarray, factor: int = 8) -> np.ndarray:
    """A uint8 RGB image of ``values`` [u, v] (u across, v up) with contour lines at ``levels``."""
    fine = upsample(np.asarray(values, dtype=np.float64).T[::-1], factor)  # rows: v from top (high) to bottom
    band = np.searchsorted(levels, fine)  # [H, W] which band each pixel is in
    shade = band / max(len(levels), 1)  # 0 (lowest band) .. 1 (highest)
    stops = [np.array(ManimColor(c).to_rgb()) for c in (LOW, MID, HIGH)]
    rgb = np.where(
        shade[..., None] < 0.5,
        stops[0] + (stops[1] - stops[0]) * (2 * shade[..., None]),
        stops[1] + (stops[2] - stops[1]) * (2 * shade[..., None] - 1),
    )
    edge = np.zeros(band.shape, dtype=bool)
    edge[:-1] |= band[:-1] != band[1:]
    edge[:, :-1] |= band[:, :-1] != band[:, 1:]
    line = np.array(ManimColor(palette.BACKGROUND).to_rgb())
    rgb[edge] = 0.35 * rgb[edge] + 0.65 * line
    return (rgb * 255).round().astype(np.uint8)


def height_map(values: np.ndarray, height: float, levels: int = 14, factor: int = 8) -> ImageMobject:
    """``values`` [u, v] as a square image ``height`` units tall: u to the right, v upwards."""
    return pixel_image(height_rgb(values, contour_levels(values, levels), factor), height)
