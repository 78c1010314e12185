"""Scenes of one's own: a plain manim Scene renders without a ledger."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from netreel.render import video
from netreel.render.chapter import read_manifest
from tests.test_cli import run

PLAIN = '''
from manim import BLUE, Circle, Create, Scene, Square, Transform


class SquareToCircle(Scene):
    def setup(self):
        self.shape = Square(color=BLUE)

    def construct(self):
        self.play(Create(self.shape))
        self.play(Transform(self.shape, Circle()))
'''


@pytest.mark.render
def test_a_plain_manim_scene_renders_without_a_ledger_and_says_so(tmp_path):
    (tmp_path / "shapes.py").write_text(PLAIN, encoding="utf-8")
    result = run("render", str(tmp_path / "shapes.py"), "--quality", "tiny", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    notices = [line for line in result.stderr.splitlines() if "not audited" in line]
    assert notices == [f"netreel: warning: {tmp_path / 'shapes.py'}:SquareToCircle is a plain manim Scene: "
                       "it has no truth ledger, so its numbers are not audited"]
    folder = tmp_path / "out" / "shapes" / "tiny"
    entry = read_manifest(folder)["scenes"]["SquareToCircle"]
    assert entry["ledger_entries"] == 0 and entry["cues"] == []
    assert video.probe(folder / entry["video"])["frames"] == 20  # two one-second animations at 10 fps
    assert video.probe(folder / "shapes.mp4")["frames"] == 20
    corner = np.asarray(Image.open(folder / entry["still"]))[0, 0, :3]
    assert corner.tolist() == [0, 0, 0], "manim's own background, not netreel's"
