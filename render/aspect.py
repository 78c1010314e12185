"""Aspect ratios: the frame a scene is laid out in, and the check that nothing falls outside it.

Scenes are designed in manim's 16:9 frame (14.2 x 8 units). For a narrower
aspect the frame keeps that width and grows in height, so every layout that
fits 16:9 fits the others too: what is placed by coordinates stays where it
was, and what is placed against an edge (titles with ``to_edge(UP)``, legends
with ``to_edge(DOWN)``) follows the taller frame's edges.
"""

from __future__ import annotations

import numpy as np

from netreel.render.presets import QUALITIES

ASPECTS = {"16:9": (16, 9), "4:3": (4, 3), "1:1": (1, 1)}
DEFAULT_ASPECT = "16:9"
DESIGN_HEIGHT = 8.0
DESIGN_WIDTH = DESIGN_HEIGHT * 16 / 9
TOLERANCE = 0.02  # scene units: stroke widths and rounding at the frame's edge


def frame_size(aspect: str) -> tuple[float, float]:
    """The frame (width, height) in scene units for an aspect: 16:9's width, or more height."""
    w, h = ASPECTS[aspect]
    return DESIGN_WIDTH, max(DESIGN_HEIGHT, DESIGN_WIDTH * h / w)


def pixel_size(quality: str, aspect: str) -> tuple[int, int]:
    """Pixels (width, height) for a quality preset in an aspect: the preset's height, an even width."""
    w, h = ASPECTS[aspect]
    height = QUALITIES[quality].height
    return 2 * round(height * w / h / 2), height


def folder_suffix(aspect: str) -> str:
    """How an aspect names an output folder: nothing for 16:9, ``-4x3`` otherwise."""
    return "" if aspect == DEFAULT_ASPECT else "-" + aspect.replace(":", "x")


def is_visible(mob) -> bool:
    from manim import VMobject
    from manim.mobject.types.image_mobject import AbstractImageMobject

    for part in mob.get_family():
        if isinstance(part, AbstractImageMobject):
            return True
        if isinstance(part, VMobject) and part.has_points():
            if np.any(part.get_fill_opacities() > 0) or np.any(part.get_stroke_opacities() > 0):
                return True
    return False


def outside_frame(mobjects, frame: tuple[float, float]) -> list[str]:
    """The visible mobjects whose bounding box leaves a frame of (width, height) units, described."""
    half = np.array(frame) / 2 + TOLERANCE
    problems = []
    for mob in mobjects:
        if not is_visible(mob) or mob.width == 0 and mob.height == 0:
            continue
        low, high = mob.get_corner([-1, -1, 0])[:2], mob.get_corner([1, 1, 0])[:2]
        if np.any(low < -half) or np.any(high > half):
            problems.append(
                f"{type(mob).__name__} spans x {low[0]:.2f}..{high[0]:.2f}, y {low[1]:.2f}..{high[1]:.2f}; "
                f"the frame is x ±{frame[0] / 2:.2f}, y ±{frame[1] / 2:.2f}"
            )
    return problems
