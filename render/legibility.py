"""Legibility: how small text is drawn, how near the frame's edges things come, and what sits in the subtitle band.

Watched at the end of every animation of a dry run (an observer of
:func:`netreel.render.run.run_scene`), in the scene's frame at 854x480 (``low``):
whatever quality a video is rendered at, its text is judged at that size.

A text's cap height is the height of a capital (or a digit) at the size the text
is drawn: its font size, as scaled since it was made, times the cap height per point
of its kind of text (a font's own for words; LaTeX's for equations and numbers).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from manim import DecimalNumber, MathTex, Mobject, Text

from netreel.render.aspect import DEFAULT_ASPECT, frame_size, is_visible, outside_frame
from netreel.render.audit import overlapping_words, text_of
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.text import is_text

REVIEW_HEIGHT = 480  # px: text sizes are judged in a frame this tall
MIN_CAP_PX = 9.0  # the smallest cap height allowed, about 14 px type
EDGE_MARGIN = 0.03  # of the frame's width and height: nothing this near an edge
SUBTITLE_BAND = 0.15  # of the frame's height, at the bottom: where burned-in subtitles go


@functools.lru_cache(maxsize=None)
def cap_per_point(font: str | None) -> float:
    """Scene units of cap height per point of font size: a font's words (``font``), else LaTeX (None)."""
    probe = MathTex("H") if font is None else Text("H", font=font)
    return probe.height / probe.font_size


def cap_height(mob: Mobject) -> float | None:
    """A text mobject's cap height in scene units (None when it has no size)."""
    try:
        size = float(mob.font_size)
    except (AttributeError, ZeroDivisionError):
        return None
    if not math.isfinite(size) or size <= 0:
        return None
    font = None if isinstance(mob, (MathTex, DecimalNumber)) else getattr(mob, "font", None) or "DejaVu Sans"
    return size * cap_per_point(font)


def texts_on_screen(mobjects) -> list[Mobject]:
    """The visible text mobjects among ``mobjects`` and their parts (a number, not each of its digits)."""
    found = []

    def walk(mob: Mobject) -> None:
        if is_text(mob):
            if is_visible(mob) and mob.height > 0:
                found.append(mob)
            return
        for sub in mob.submobjects:
            walk(sub)

    for mob in mobjects:
        walk(mob)
    return list(dict.fromkeys(found))


@dataclass
class Legibility:
    """What a run showed: its smallest text, and every problem with where it happened."""

    lang: str
    smallest: float | None = None  # px of cap height at REVIEW_HEIGHT; None: no text shown
    smallest_text: str = ""
    small: dict[str, float] = field(default_factory=dict)  # each text under MIN_CAP_PX: its smallest cap height
    edges: list[str] = field(default_factory=list)
    band: list[str] = field(default_factory=list)
    overlaps: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        small = [
            f"text {text!r} has a cap height of {px:.1f} px at 480p (limit {MIN_CAP_PX:g})"
            for text, px in self.small.items()
        ]
        return [*small, *self.edges, *self.band, *self.overlaps]


class LegibilityWatch:
    """An observer of a run: text sizes, edges, the subtitle band (when ``band``) and overlapping words."""

    def __init__(self, lang: str, band: bool = False) -> None:
        self.result = Legibility(lang)
        self.band = band
        self.frame = frame_size(DEFAULT_ASPECT)
        self._seen: set[str] = set()  # problems already recorded, each once, where it first happened

    def __call__(self, scene: NetScene) -> None:
        where = f"from step {scene.sections_started[-1][0]!r}" if scene.sections_started else "from the start"
        result, (width, height) = self.result, self.frame
        px_per_unit = REVIEW_HEIGHT / height
        texts = texts_on_screen(scene.mobjects)
        for text in texts:
            cap = cap_height(text)
            if cap is None:
                continue
            px, content = cap * px_per_unit, shown_text(text)
            if result.smallest is None or px < result.smallest:
                result.smallest, result.smallest_text = px, content
            if px < MIN_CAP_PX:
                result.small[content] = min(px, result.small.get(content, math.inf))
        inner = (width * (1 - 2 * EDGE_MARGIN), height * (1 - 2 * EDGE_MARGIN))
        margin = f"{EDGE_MARGIN:.0%} inside the frame is"
        self._add(result.edges, where, [
            f"within {EDGE_MARGIN:.0%} of the edge: {p.replace('the frame is', margin)}"
            for p in outside_frame(scene.mobjects, inner)
        ])
        if self.band:
            top = -height / 2 + SUBTITLE_BAND * height
            self._add(result.band, where, [
                f"text in the subtitle band: {type(t).__name__}({shown_text(t)!r}) reaches y {t.get_bottom()[1]:.2f} "
                f"(the band is below {top:.2f})"
                for t in texts if t.get_bottom()[1] < top
            ])
        self._add(result.overlaps, where, overlapping_words(scene.mobjects))

    def _add(self, problems: list[str], where: str, new: list[str]) -> None:
        for problem in new:
            if problem not in self._seen:
                self._seen.add(problem)
                problems.append(f"{problem} ({where})")


def shown_text(mob: Mobject) -> str:
    """What a text mobject reads as: a number as shown, its words with their spaces, its notation, else its kind."""
    if isinstance(mob, DecimalNumber):
        return f"{mob.number:,.{mob.num_decimal_places}f}"
    return getattr(mob, "original_text", None) or text_of(mob) or type(mob).__name__
