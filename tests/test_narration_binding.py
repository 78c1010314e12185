"""Every cue of every scene names what it shows, and what it names is on screen while it is said."""

from __future__ import annotations

import pytest
from manim import Circle, FadeIn, Square

from netreel.render.run import Settings, run_scene
from netreel.scenes import registry
from netreel.scenes.common.base import NetScene, SceneContext
from tests.narration import CueWatch, unbound_cues

SCENES = [(ch, cls) for ch in registry.CHAPTERS for cls in ch.scenes()]
IDS = [f"{ch.id}.{cls.__name__}" for ch, cls in SCENES]


@pytest.mark.parametrize(("chapter", "scene"), SCENES, ids=IDS)
def test_every_cue_names_what_is_on_screen(dry_run, chapter, scene):
    run = dry_run(chapter, scene, "en")
    problems = unbound_cues(run.scene, run.cues)
    assert not problems, "\n".join(problems)


class Unbound(NetScene):
    """A cue naming a square that is never added, then one naming nothing, then one that is bound."""

    chapter = "network"

    def construct(self):
        square, circle = Square(), Circle()
        self.say("network.title", about=[square])
        self.play(FadeIn(circle))
        self.say("network.title")
        self.wait(0.5)
        self.say("network.title")
        self.play(FadeIn(square.shift([20, 0, 0])))
        self.point_at(square)
        self.play(square.animate.move_to([0, 0, 0]))


def test_the_check_finds_unbound_cues():
    from netreel.nets.facts import Facts

    watch = CueWatch()
    scene = run_scene(Unbound, SceneContext(Facts({}), "en"), Settings(), draw=False, observer=watch)
    problems = unbound_cues(scene, watch)
    assert len(problems) == 2
    assert "cue 0" in problems[0] and "Square" in problems[0]
    assert "cue 1" in problems[1] and "names no mobject" in problems[1]
