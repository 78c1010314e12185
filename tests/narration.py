"""What the narration binding test checks of a scene's dry run: each cue names mobjects that are on screen.

A :class:`CueWatch` observes a run (the end of every animation) and records, for the cue
being said, which of its named mobjects were part of the scene and inside the frame.
"""

from __future__ import annotations

from manim import Mobject
from manim.mobject.types.image_mobject import AbstractImageMobject

from netreel.render.aspect import DEFAULT_ASPECT, frame_size, outside_frame
from netreel.scenes.common.base import NetScene


class CueWatch:
    """At the end of every animation: which named mobjects of the cue being said are on screen."""

    def __init__(self) -> None:
        self.shown: dict[int, set[int]] = {}  # cue index -> ids of its named mobjects seen on screen

    def __call__(self, scene: NetScene) -> None:
        on_screen = {id(m) for top in scene.mobjects for m in top.get_family()}
        frame = frame_size(DEFAULT_ASPECT)
        seen = self.shown.setdefault(len(scene.cues), set())
        for mob in scene.current_subjects():
            if _in_scene(mob, on_screen) and not outside_frame([mob], frame):
                seen.add(id(mob))


def _in_scene(mob: Mobject, on_screen: set[int]) -> bool:
    """``mob`` is in the scene's families, or every part of it that draws is (manim splits a group
    when one of its parts is added to the scene again in another group)."""
    drawn = [m for m in mob.get_family() if m.has_points() or isinstance(m, AbstractImageMobject)]
    return bool(drawn) and (id(mob) in on_screen or all(id(m) in on_screen for m in drawn))


def unbound_cues(scene: NetScene, watch: CueWatch) -> list[str]:
    """The scene's cues that name nothing, or whose named mobjects were never on screen during them."""
    problems = []
    for i, ((text, start, _), about) in enumerate(zip(scene.cues, scene.subjects)):
        where = f"{type(scene).__name__} cue {i} at {start:.1f}s ({text[:50]!r}...)"
        if not about:
            problems.append(f"{where} names no mobject")
            continue
        missing = [type(m).__name__ for m in about if id(m) not in watch.shown.get(i, set())]
        if missing:
            problems.append(f"{where}: {', '.join(missing)} not on screen, inside the frame, during it")
    return problems
