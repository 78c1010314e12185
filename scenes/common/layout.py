"""Layout rules, written once: the safe margin, text sizes per role, where legends go, baselines of word rows.

The rules are for the default 16:9 frame (14.2 x 8 units) at its smallest video,
854 x 480 pixels: 60 pixels per unit.

- **Margin.** Nothing within 3 % of the frame's edges (:func:`safe_box`, :func:`outside_safe`).
- **Sizes.** A role's font size (:data:`SIZES`) reads at 480 pixels: a capital at least 9 pixels
  tall. DejaVu Sans draws a capital 0.0101 units tall per point of ``font_size``, so words need
  ``font_size`` 15 or more (:data:`MIN_WORDS_SIZE`); the LaTeX digits of a ledger number are
  smaller for their size, 0.0071 units per point, so numbers need 22 or more (:data:`MIN_NUMBER_SIZE`).
- **Legends.** A legend (a colour key, a caption for a whole picture) goes at the top right,
  under the title (:func:`place_legend`), never in the bottom band, where a player draws subtitles.
- **Word rows.** Words set side by side share a baseline (:func:`row_on_baseline`), so that
  "apple" and "pie" do not hop when one has a descender.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, RIGHT, UP, Mobject, Text, config

from netreel.scenes.common import palette

MARGIN = 0.03  # of the frame's width (left and right) and height (top and bottom)
PIXELS_AT_SMALLEST = 480  # the height of the smallest video a lecture is watched at
MIN_CAP_PIXELS = 9
MIN_WORDS_SIZE = 15
MIN_NUMBER_SIZE = 22
NUMBER_SIZE = 28
SIZES = {
    "title": palette.TITLE_SIZE,
    "body": palette.BODY_SIZE,
    "label": palette.LABEL_SIZE,
    "small": palette.SMALL_SIZE,
    "number": NUMBER_SIZE,
}
TITLE_BAND = 1.0  # units under the frame's top edge that a heading (``NetScene.heading``) takes
SUBTITLE_BAND = 0.15  # of the frame's height, at the bottom: where a player draws subtitles
DESCENDERS = set("gjpqy,;()[]{}|")


def size(role: str) -> float:
    """The font size of a role: ``title``, ``body``, ``label``, ``small`` or ``number``."""
    if role not in SIZES:
        raise KeyError(f"no text role {role!r}; the roles are {', '.join(SIZES)}")
    return SIZES[role]


def readable(font_size: float, number: bool = False) -> bool:
    """Whether text (or a ledger number) at ``font_size`` reads at the smallest video."""
    return font_size >= (MIN_NUMBER_SIZE if number else MIN_WORDS_SIZE)


def pixels_per_unit() -> float:
    return PIXELS_AT_SMALLEST / config.frame_height


def safe_box() -> tuple[float, float, float, float]:
    """(left, right, bottom, top) of the frame less its margin, in scene units."""
    x = config.frame_width / 2 * (1 - 2 * MARGIN)
    y = config.frame_height / 2 * (1 - 2 * MARGIN)
    return -x, x, -y, y


def outside_safe(mobjects: Sequence[Mobject]) -> list[Mobject]:
    """The mobjects (with points) that reach into the margin or past the frame."""
    left, right, bottom, top = safe_box()
    found = []
    for mob in mobjects:
        if not any(m.has_points() for m in mob.get_family()):
            continue
        low, high = mob.get_corner(DOWN + np.array([-1, 0, 0])), mob.get_corner(UP + RIGHT)
        if low[0] < left or high[0] > right or low[1] < bottom or high[1] > top:
            found.append(mob)
    return found


def keep_inside(mob: Mobject) -> Mobject:
    """Shift ``mob`` the least that puts it inside the safe box (centred on an axis where it is too big)."""
    left, right, bottom, top = safe_box()
    low, high = mob.get_corner(DOWN + np.array([-1, 0, 0])), mob.get_corner(UP + RIGHT)
    shift = np.zeros(3)
    for axis, (lo, hi) in enumerate(((left, right), (bottom, top))):
        if high[axis] - low[axis] > hi - lo:
            shift[axis] = (lo + hi) / 2 - (low[axis] + high[axis]) / 2
        elif low[axis] < lo:
            shift[axis] = lo - low[axis]
        elif high[axis] > hi:
            shift[axis] = hi - high[axis]
    return mob.shift(shift)


def place_legend(legend: Mobject, buff: float = 0.1) -> Mobject:
    """Put a legend at the top right of the safe box, under the title band."""
    _, right, _, top = safe_box()
    top = min(top, config.frame_height / 2 - TITLE_BAND)
    return legend.move_to([right - legend.width / 2, top - buff - legend.height / 2, 0.0])


def baseline(text: Text) -> float:
    """The y of a line of words' baseline: the lowest bottom of its glyphs that do not descend."""
    characters = [c for c in text.original_text if not c.isspace()]
    sitting = [g for c, g in zip(characters, text.submobjects) if c not in DESCENDERS and g.has_points()]
    if sitting:
        return min(g.get_bottom()[1] for g in sitting)
    return text.get_bottom()[1]


def row_on_baseline(texts: Sequence[Text], y: float, buff: float = 0.2) -> list[Text]:
    """Set words left to right, ``buff`` apart, each with its baseline at ``y``; the row is centred at x = 0."""
    x = -(sum(t.width for t in texts) + buff * (len(texts) - 1)) / 2
    for text in texts:
        text.shift([x - text.get_left()[0], y - baseline(text), 0.0])
        x += text.width + buff
    return list(texts)
