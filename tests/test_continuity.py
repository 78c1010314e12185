"""Continuity: a scene that continues another opens on its last frame, and says, counts and hashes only its own part."""

from __future__ import annotations

import numpy as np
import pytest

from netreel.render import frozen, hashing
from netreel.render.run import Settings, run_scene
from netreel.scenes import network
from netreel.scenes.common.base import NetScene, SceneContext
from netreel.scenes.userfile import load_module
from tests.frames import compare, load_frame
from tests.test_review import SIZE, moving_square, still, write_video

CONTINUING = [cls for cls in network.SCENES if cls.continues is not None]


def first_frame(video) -> np.ndarray:
    import av

    with av.open(str(video)) as container:
        return next(container.decode(video=0)).to_ndarray(format="rgb24")


def test_the_digit_network_stays_on_screen_across_the_first_scenes():
    assert [(cls.continues.__name__, cls.__name__) for cls in CONTINUING] == [
        ("DigitInput", "Layers"), ("Layers", "OneNeuron"), ("MatrixForm", "ForwardPass"), ("Hope", "ParameterCount"),
    ]


@pytest.mark.parametrize("scene", CONTINUING, ids=lambda cls: cls.__name__)
def test_a_continuing_scene_opens_on_the_last_frame_of_the_one_it_continues(rendered, scene):
    folder, manifest = rendered("network")
    before = load_frame(folder / f"{scene.continues.__name__}.png")
    after = first_frame(folder / manifest["scenes"][scene.__name__]["video"])
    assert compare(after, before) is None
    assert frozen.cut_jump(folder / f"{scene.continues.__name__}.mp4", folder / f"{scene.__name__}.mp4") < 0.01


def test_the_review_measures_the_jump_at_a_cut(tmp_path):
    square = moving_square(1, 0)
    blank = [np.full((SIZE[1], SIZE[0]), 40, np.uint8)]
    ending = write_video(tmp_path / "a.mp4", square)
    same = write_video(tmp_path / "b.mp4", still(square[-1], 1))
    other = write_video(tmp_path / "c.mp4", still(blank[0], 1))
    assert frozen.cut_jump(ending, same) == 0.0
    assert frozen.cut_jump(ending, other) > 0.0  # the square vanishes at the cut


@pytest.mark.parametrize("scene", CONTINUING, ids=lambda cls: cls.__name__)
def test_what_a_continuing_scene_replays_is_neither_said_nor_counted(chapter_facts, scene):
    facts, _ = chapter_facts("network")
    alone = run_scene(scene, SceneContext(facts), Settings(), draw=False)
    opening = run_scene(scene.continues, SceneContext(facts), Settings(), draw=False)
    assert [name for name, _ in alone.sections_started] == list(scene.steps)
    assert alone.sections_started[0][1] == 0.0
    assert all(cue.startswith(f"network.{scene.__name__}.") for cue in alone.cue_ids)
    assert abs(alone.time - alone.frames / 10) < 1  # tiny: 10 fps; the replay (tens of seconds) took none of it
    shown = {entry.key for entry in opening.ledger.entries}
    assert shown <= {entry.key for entry in alone.ledger.entries}  # what stays on screen is still in its ledger


SCENES = """
from netreel.scenes.common.base import NetScene

class Opening(NetScene):
    chapter = "mine"
    steps = ("first",)

    def first(self):
        self.wait({wait})

class Next(NetScene):
    chapter = "mine"
    steps = ("second",)
    continues = Opening

    def second(self):
        self.wait(1)

class Apart(NetScene):
    chapter = "mine"
    steps = ("third",)

    def third(self):
        self.wait(1)
"""


def test_a_continuing_scene_is_rendered_again_when_the_scene_it_continues_changes(tmp_path):
    def hashes(wait: int) -> dict[str, str]:
        path = tmp_path / f"scenes_{wait}.py"
        path.write_text(SCENES.format(wait=wait), encoding="utf-8")
        module = load_module(path, f"continuity_{wait}")
        scenes = [module.Opening, module.Next, module.Apart]
        return {cls.__name__: hashing.scene_hash(cls, scenes, "facts", "tiny", "en") for cls in scenes}

    before, after = hashes(1), hashes(2)
    assert before["Opening"] != after["Opening"]
    assert before["Next"] != after["Next"]  # it opens on what Opening draws
    assert before["Apart"] == after["Apart"]  # a scene that continues nothing keeps its render


def test_a_scene_cannot_continue_one_of_another_chapter():
    with pytest.raises(TypeError, match="another chapter"):
        type("Stray", (NetScene,), {"chapter": "cnn", "continues": network.DigitInput})
