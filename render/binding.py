"""Narration binding: whether what a cue talks about is on screen, and does something, while it is said.

A cue names its mobjects with ``self.say(key, about=[...])`` (and ``point_at``).
Watched at the end of every animation of a dry run, a named mobject is on screen
when it is part of the scene, visible, and not wholly outside the frame; it is
active when an animation of the cue plays on it (or on a group holding it, or on
a part of it), a highlight runs over it (``sweep``, ``trace``), an updater moves it, or it appears (since an earlier animation: one
added before the scene's first animation is taken as there all along). A cue fails when one of its
named mobjects is on screen at no moment of it; one whose named mobjects are all
still is reported, as is a cue that names nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from manim import Mobject
from manim.mobject.types.image_mobject import AbstractImageMobject

from netreel.render.aspect import DEFAULT_ASPECT, frame_size, is_visible
from netreel.render.audit import text_of
from netreel.scenes.common.base import NetScene


@dataclass
class Binding:
    cues: int = 0
    unnamed: list[str] = field(default_factory=list)  # cues that name nothing
    idle: list[str] = field(default_factory=list)  # cues during which nothing named is drawn, moved or highlighted
    off_screen: list[str] = field(default_factory=list)  # a named mobject that is on screen at no moment of its cue

    def failures(self) -> list[str]:
        return list(self.off_screen)


def describe(mob: Mobject) -> str:
    text = text_of(mob)
    return f"{type(mob).__name__}({text!r})" if text else type(mob).__name__


def part_of(mob: Mobject, present: set[int]) -> bool:
    """Whether a mobject is part of the scene: itself, or every drawn part of it. Adding a part of a group
    on its own (an animation on one row of a table) makes the scene hold the group's other parts instead of it."""
    if id(mob) in present:
        return True
    drawn = [part for part in mob.get_family() if part.has_points() or isinstance(part, AbstractImageMobject)]
    return bool(drawn) and all(id(part) in present for part in drawn)


def inside(mob: Mobject, frame: tuple[float, float]) -> bool:
    """Whether some of a mobject's box lies within a frame of (width, height) units."""
    half = np.array(frame) / 2
    low, high = mob.get_corner([-1, -1, 0])[:2], mob.get_corner([1, 1, 0])[:2]
    return bool(np.all(low < half) and np.all(high > -half))


class BindingWatch:
    """An observer of a run: for the cue being said, which of its named mobjects were on screen and active."""

    def __init__(self) -> None:
        self.frame = frame_size(DEFAULT_ASPECT)
        self.on_screen: dict[int, set[int]] = {}  # cue index -> ids of its named mobjects seen on screen
        self.active: set[int] = set()  # cue indices during which a named mobject did something
        self.before: set[int] | None = None  # ids of every mobject on screen at the last observation

    def __call__(self, scene: NetScene) -> None:
        present = {id(part) for mob in scene.mobjects for part in mob.get_family()}
        subjects = scene.current_subjects()
        cue = len(scene.cues)
        seen = self.on_screen.setdefault(cue, set())
        for mob in subjects:
            if part_of(mob, present) and is_visible(mob) and inside(mob, self.frame):
                seen.add(id(mob))
        appeared = self.before is not None and any(id(mob) in present - self.before for mob in subjects)
        if subjects and (appeared or self._animated(scene, subjects)):
            self.active.add(cue)
        self.before = present

    @staticmethod
    def _animated(scene: NetScene, subjects: list[Mobject]) -> bool:
        named = {id(part) for mob in subjects for part in mob.get_family()}
        if any(part.updaters for mob in subjects for part in mob.get_family()):
            return True
        for animation in scene.animations or []:
            lit = getattr(animation, "highlights", ())  # what a sweep or a trace runs over
            for mob in (animation.mobject, getattr(animation, "target_mobject", None), *lit):
                if isinstance(mob, Mobject) and named & {id(part) for part in mob.get_family()}:
                    return True
        return False

    def result(self, scene: NetScene) -> Binding:
        """The binding of every cue of the finished run."""
        binding = Binding(len(scene.cues))
        for index, ((text, start, end), subjects) in enumerate(zip(scene.cues, scene.subjects)):
            cue = f"cue {index + 1} ({start:.1f}-{end:.1f} s) {text[:60]!r}"
            if not subjects:
                binding.unnamed.append(cue)
                continue
            seen = self.on_screen.get(index, set())
            binding.off_screen.extend(
                f"{cue}: names {describe(mob)}, which is not on screen during it"
                for mob in subjects if id(mob) not in seen
            )
            if index not in self.active:
                binding.idle.append(f"{cue}: nothing it names is drawn, moved or highlighted")
        return binding
