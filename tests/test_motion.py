"""Motion helpers: an in-place value never draws two numbers at once; a sweep leaves nothing; a focus restores."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Camera, Circle, Scene, Square, ValueTracker, VGroup, linear, tempconfig
from manim.utils.family import extract_mobject_family_members

from netreel.nets.facts import Facts
from netreel.scenes.common.flipbook import Flipbook
from netreel.scenes.common.ledger import Ledger, source_of
from netreel.scenes.common.motion import Focus, frame_around, sweep

VALUES = np.array([0.25, 1.5, 12.75, -3.0])


@pytest.fixture(autouse=True)
def scratch_media(tmp_path):
    with tempconfig({
        "media_dir": str(tmp_path), "tex_dir": str(tmp_path / "Tex"), "text_dir": str(tmp_path / "texts"),
        "pixel_width": 128, "pixel_height": 72, "frame_rate": 10, "write_to_movie": False, "verbosity": "ERROR",
    }):
        yield


def numbers_drawn_per_frame(monkeypatch, make) -> list[int]:
    """Run a scene whose ``construct`` is ``make(scene)`` and count, in each drawn frame, the ledger
    numbers drawn (visible, with points)."""
    counts: list[int] = []
    capture = Camera.capture_mobjects

    def counting(camera, mobjects, **kwargs):
        family = extract_mobject_family_members(list(mobjects))
        numbers = [m for m in dict.fromkeys(family) if (source_of(m) or ("",))[0] == "ledger"]
        counts.append(sum(any(p.has_points() and p.get_fill_opacity() > 0 for p in m.get_family()) for m in numbers))
        return capture(camera, mobjects, **kwargs)

    monkeypatch.setattr(Camera, "capture_mobjects", counting)
    type("Run", (Scene,), {"construct": make})().render()
    return counts


def test_a_flipbook_draws_one_number_in_every_frame(monkeypatch):
    def make(scene):
        ledger, tracker = Ledger(Facts({"x": VALUES})), ValueTracker(0)
        scene.add(Flipbook([ledger.number("x", i) for i in range(len(VALUES))], tracker, reached=True), tracker)
        scene.play(tracker.animate.set_value(len(VALUES) - 1), run_time=2, rate_func=linear)

    counts = numbers_drawn_per_frame(monkeypatch, make)
    assert len(counts) > 10 and set(counts) == {1}


def test_swapping_numbers_in_a_group_draws_two(monkeypatch):
    """The way the flow counter used to turn: the check above sees the double exposure it made."""
    def make(scene):
        ledger, tracker = Ledger(Facts({"x": VALUES})), ValueTracker(0)
        holder = VGroup(ledger.number("x", 0))

        def swap(group):
            group.remove(*group.submobjects)
            group.add(ledger.number("x", int(tracker.get_value())))

        scene.add(holder, tracker)
        holder.add_updater(swap)
        scene.play(tracker.animate.set_value(len(VALUES) - 1), run_time=2, rate_func=linear)

    assert max(numbers_drawn_per_frame(monkeypatch, make)) == 2


def test_a_reached_flipbook_shows_the_last_whole_step():
    tracker = ValueTracker(0)
    book = Flipbook([Square().shift([i, 0, 0]) for i in range(4)], tracker, reached=True)
    for value, shown in ((0.99, 0), (1.0, 1), (2.5, 2), (9, 3)):
        tracker.set_value(value)
        book.update()
        assert book.shown == shown, value


def test_a_sweep_moves_from_step_to_step_and_leaves_nothing():
    parts = [Square(0.5).shift([2 * i, 0, 0]) for i in range(3)]
    scene = Scene()
    scene.add(*parts)
    animation = sweep(parts)
    animation._setup_scene(scene)
    animation.begin()
    highlight = animation.animations[0].mobject
    for alpha, k in ((0.1, 0), (0.5, 1), (0.72, 2)):
        animation.interpolate(alpha)
        assert np.allclose(highlight.get_center(), parts[k].get_center(), atol=0.3), alpha
    animation.finish()
    animation.clean_up_from_scene(scene)
    assert highlight not in scene.mobjects
    assert np.allclose(frame_around(parts[1]).get_center(), parts[1].get_center())


def test_focus_dims_the_rest_keeps_the_kept_and_restores_exactly():
    kept, other = Circle().set_fill(opacity=0.6), Square().set_fill(opacity=0.3).set_stroke(opacity=0.9)
    group = VGroup(kept, other)
    before = (other.get_fill_opacity(), other.get_stroke_opacity())
    focus = Focus([group], keep=[kept], level=0.5)
    for animation in focus.dim():
        animation.begin()
        animation.interpolate(1.0)
    assert np.isclose(other.get_fill_opacity(), 0.15) and np.isclose(other.get_stroke_opacity(), 0.45)
    assert np.isclose(kept.get_fill_opacity(), 0.6)
    for animation in focus.restore():
        animation.begin()
        animation.interpolate(1.0)
    assert (other.get_fill_opacity(), other.get_stroke_opacity()) == before
