"""Animations stretch to fill their cue: slower, never past STRETCH_MOST, waits kept, timing unchanged."""

from __future__ import annotations

import pytest
from manim import Wait

from netreel.render.run import Settings, run_scene
from netreel.scenes.common.base import STRETCH_MOST, SceneContext, Timing
from netreel.scenes.userfile import load_module

SCENE = """
from manim import RIGHT, Circle, FadeIn, Square, Transform
from netreel.scenes.common.base import NetScene

class Slow(NetScene):
    chapter = "network"
    steps = ("one",)

    def one(self):
        self.say("long")
        shape = Square()
        self.play(FadeIn(shape), run_time=1)
        self.wait(0.5)
        self.play(Transform(shape, Circle()), run_time=1)
        self.say("short")
        self.play(shape.animate.shift(RIGHT), run_time=2)
"""


@pytest.fixture
def slow(tmp_path, own_words):
    def load(words: int):
        (tmp_path / "slow.py").write_text(SCENE, encoding="utf-8")
        long = " ".join(["word"] * words)
        (tmp_path / "slow.toml").write_text(f'[network.Slow]\nlong = "{long}."\nshort = "Short."\n', encoding="utf-8")
        return load_module(tmp_path / "slow.py", f"slow_{words}").Slow
    return load


def played(scene_cls, context):
    """Each play's animation type and seconds, and the scene."""
    plays = []
    scene = run_scene(
        scene_cls, context, Settings(), draw=False,
        observer=lambda s: plays.append((type(s.animations[0]), s.duration, s.is_current_animation_frozen_frame())),
    )
    return plays, scene


def test_a_cue_longer_than_its_animations_slows_them_to_fill_it(chapter_facts, slow):
    facts, _ = chapter_facts("network")
    cls = slow(words=13)  # 65 characters: about 4 s to read at tiny's 10 fps, twice the 2.5 s it animates
    natural_plays, natural = played(cls, SceneContext(facts))
    plays, stretched = played(cls, SceneContext(facts, natural=natural.timing))
    assert stretched.frames == natural.frames
    assert [(start, end) for _, start, end in stretched.cues] == [(start, end) for _, start, end in natural.cues]
    (fade, wait, transform, *_), (nfade, nwait, ntransform, *_) = plays, natural_plays
    assert wait == nwait and wait[0] is Wait  # the scene's own wait is kept
    for (_, seconds, _), (_, own, _) in ((fade, nfade), (transform, ntransform)):
        assert own < seconds <= STRETCH_MOST * own
    long_cue = natural.timing[2]
    assert long_cue.needed > long_cue.still + long_cue.moving  # the cue outlasts its animations at their own speed
    padding = [seconds for kind, seconds, _ in plays[3:] if kind is Wait]
    natural_padding = [seconds for kind, seconds, _ in natural_plays[3:] if kind is Wait]
    assert padding[0] <= 0.2 < natural_padding[0]  # what is left of the still frame: a rounding frame per animation


def test_the_short_cue_runs_at_its_own_speed(chapter_facts, slow):
    facts, _ = chapter_facts("network")
    cls = slow(words=13)
    natural_plays, natural = played(cls, SceneContext(facts))
    plays, _ = played(cls, SceneContext(facts, natural=natural.timing))
    shift = [seconds for kind, seconds, _ in plays if kind is not Wait][-1]
    assert shift == [seconds for kind, seconds, _ in natural_plays if kind is not Wait][-1] == 2


def test_no_animation_runs_slower_than_the_most_and_the_rest_is_held(chapter_facts, slow):
    facts, _ = chapter_facts("network")
    cls = slow(words=40)  # about 12 s to read: far more than three times its animations
    natural_plays, natural = played(cls, SceneContext(facts))
    plays, stretched = played(cls, SceneContext(facts, natural=natural.timing))
    assert stretched.frames == natural.frames
    assert plays[0][1] == pytest.approx(STRETCH_MOST * natural_plays[0][1])
    assert plays[2][1] == pytest.approx(STRETCH_MOST * natural_plays[2][1])
    assert plays[3][0] is Wait and plays[3][1] > 1  # the still frame that is left


def test_another_languages_longer_segment_is_filled_too(chapter_facts, slow):
    facts, _ = chapter_facts("network")
    cls = slow(words=2)  # the cue takes no longer than its animations in this language
    _, natural = played(cls, SceneContext(facts))
    plan = [t.needed for t in natural.timing]
    plan[2] += 10  # another language reads this cue a second longer
    plays, stretched = played(cls, SceneContext(facts, plan=plan, natural=natural.timing))
    assert stretched.frames == natural.frames + 10
    assert plays[0][1] > 1 and plays[2][1] > 1


def test_the_stretch_leaves_a_frame_per_animation_for_rounding_and_never_speeds_up():
    record = Timing(needed=40, still=5, moving=20, plays=2)
    assert record.stretch(40, 0, Timing(0)) == pytest.approx((40 - 5 - 2) / 20)
    assert record.stretch(10, 0, Timing(0)) == 1.0
    assert record.stretch(400, 0, Timing(0)) == STRETCH_MOST
    assert record.stretch(40, 17, Timing(0, moving=10, plays=1)) == pytest.approx((40 - 17 - 5 - 1) / 10)
    assert Timing(needed=5, still=5).stretch(40, 0, Timing(0)) == 1.0  # nothing moves: nothing to stretch
