"""Motion tied to words: a highlight that sweeps along what a sentence reads, and a focus that dims the rest.

A sweep and a trace name what they light (``animation.highlights``), so that the review counts
a cue as showing what it talks about when its only motion is a highlight running over it.

A value that changes on screen is a :class:`~netreel.scenes.common.flipbook.Flipbook`
(one ledger page per value, one drawn at a time), never two numbers cross-faded.

Examples
--------
A row of a matrix times a vector, entry by entry, while the words say so::

    self.say("row", about=[row, vector])
    self.play(sweep(list(zip(row, vector))), run_time=3)

Everything but the neuron dimmed while it is talked about, then back::

    focus = Focus(self.mobjects, keep=[neuron])
    self.play(*focus.dim())
    ...
    self.play(*focus.restore())
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from manim import (
    Animation,
    FadeIn,
    FadeOut,
    Mobject,
    ShowPassingFlash,
    Succession,
    SurroundingRectangle,
    Transform,
    UP,
    VGroup,
    VMobject,
)
from manim.mobject.types.image_mobject import AbstractImageMobject

from netreel.scenes.common import palette

DIM = 0.25  # the share of its opacity a mobject out of focus keeps


def frame_around(parts: Mobject | Sequence[Mobject], color=palette.HIGHLIGHT, buff: float = 0.05) -> VGroup:
    """A highlight rectangle around each of ``parts`` (one mobject, or several lit together)."""
    parts = [parts] if isinstance(parts, Mobject) else list(parts)
    return VGroup(*(SurroundingRectangle(p, color=color, buff=buff, stroke_width=3) for p in parts))


def sweep(steps: Sequence[Mobject | Sequence[Mobject]], color=palette.HIGHLIGHT, buff: float = 0.05) -> Succession:
    """One highlight that moves from step to step: the entries of a matrix row (each with the vector's
    entry it multiplies, as a pair), the cells of a grid, the edges of a network. It fades in on the
    first step, moves through the others, and fades out, leaving the scene as it found it."""
    if not steps:
        raise ValueError("a sweep needs at least one step")
    highlight = frame_around(steps[0], color, buff)
    moves = [Transform(highlight, frame_around(step, color, buff)) for step in steps[1:]]
    animation = Succession(FadeIn(highlight), *moves, FadeOut(highlight))
    animation.highlights = [part for step in steps for part in ([step] if isinstance(step, Mobject) else step)]
    return animation


def trace(edges: VMobject, color=palette.HIGHLIGHT, width: float = 5.0, time_width: float = 0.5) -> ShowPassingFlash:
    """A flash that runs along edges (a path, a network's connections) and leaves nothing behind."""
    animation = ShowPassingFlash(edges.copy().set_stroke(color, width=width), time_width=time_width)
    animation.highlights = [edges]
    return animation


def swap(old: Mobject, new: Mobject, lift: float = 0.15) -> Succession:
    """One value or label giving way to another in its place: the old one rises out before the new one
    rises in, so the two are never drawn over each other (a cross-fade of two numbers reads as neither)."""
    return Succession(FadeOut(old, shift=UP * lift), FadeIn(new, shift=UP * lift))


def _opacities(mob: Mobject) -> tuple:
    if isinstance(mob, AbstractImageMobject):
        return (mob.get_pixel_array()[..., 3].copy(),)
    return mob.get_fill_opacities().copy(), mob.get_stroke_opacities().copy()


def _scale_opacities(mob: Mobject, saved: tuple, factor: float) -> None:
    if isinstance(mob, AbstractImageMobject):
        mob.pixel_array[..., 3] = np.round(saved[0] * factor).astype(mob.pixel_array.dtype)
        return
    fill, stroke = saved
    mob.set_fill(opacity=fill * factor, family=False)
    mob.set_stroke(opacity=stroke * factor, family=False)


class _Opacity(Animation):
    """Scales the opacities saved for some of a mobject's family from one factor to another."""

    def __init__(self, mob: Mobject, saved: dict[int, tuple], parts: list[Mobject], start: float, end: float, **kwargs):
        super().__init__(mob, **kwargs)
        self.saved, self.parts, self.start, self.end = saved, parts, start, end

    def interpolate_mobject(self, alpha: float) -> None:
        factor = self.start + (self.end - self.start) * self.rate_func(alpha)
        for part in self.parts:
            _scale_opacities(part, self.saved[id(part)], factor)


class Focus:
    """Dims every mobject of ``mobjects`` but those in ``keep`` (and their families), and restores them.

    The opacities are read when the focus is made; :meth:`restore` puts those exact values back.
    """

    def __init__(self, mobjects: Iterable[Mobject], keep: Iterable[Mobject], level: float = DIM) -> None:
        kept = {id(m) for mob in keep for m in mob.get_family()}
        self.level = level
        self.tops: list[tuple[Mobject, list[Mobject]]] = []
        self.saved: dict[int, tuple] = {}
        for top in mobjects:
            if id(top) in kept:
                continue
            parts = [m for m in top.get_family() if id(m) not in kept and self._draws(m)]
            if parts:
                self.tops.append((top, parts))
                self.saved.update({id(m): _opacities(m) for m in parts})

    @staticmethod
    def _draws(mob: Mobject) -> bool:
        return isinstance(mob, AbstractImageMobject) or isinstance(mob, VMobject) and mob.has_points()

    def dim(self, **kwargs) -> list[Animation]:
        """Animations that dim the rest to ``level`` of its opacity (play them together)."""
        return [_Opacity(top, self.saved, parts, 1.0, self.level, **kwargs) for top, parts in self.tops]

    def restore(self, **kwargs) -> list[Animation]:
        """Animations that bring the rest back to the opacities it had."""
        return [_Opacity(top, self.saved, parts, self.level, 1.0, **kwargs) for top, parts in self.tops]
