"""Small scenes for the tests of the render machinery: quick at `tiny`, and two whose worker dies.

They belong to chapter `network` (its catalog and facts) but are not registered.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from manim import RIGHT, FadeIn, FadeOut, Square, Transform

from netreel.scenes.common.base import NetScene
from netreel.scenes.common.mobjects import pixel_image

DIE_MARKER = "NETREEL_TEST_DIE_MARKER"  # the file DiesOnce leaves behind when its first worker dies


class Short(NetScene):
    """Two sections: an image and a square moving, a text swapped for another, waits between."""

    chapter = "network"
    estimated_seconds = 3.0

    def construct(self):
        self.step("first")
        pixels = (self.ledger.array("hook_input").reshape(self.side, self.side) * 255).astype(np.uint8)
        image = pixel_image(pixels, height=2.0)
        square = Square(side_length=1.0)
        self.play(FadeIn(image), FadeIn(square), run_time=0.5)
        self.wait(0.5)
        self.step("second")
        self.play(image.animate.shift(RIGHT), Transform(square, Square(side_length=0.5).shift(RIGHT * 2)), run_time=0.5)
        title = self.heading("network.title")
        self.play(FadeIn(title), run_time=0.3)
        self.play(FadeOut(title), FadeOut(image), run_time=0.3)
        self.wait(0.4)

    @property
    def side(self) -> int:
        return int(self.facts.meta["side"])


class DiesOnce(Short):
    """Its first worker dies mid-render; the next one renders it."""

    def construct(self):
        marker = Path(os.environ[DIE_MARKER])
        if not marker.exists():
            marker.write_text("died once", encoding="utf-8")
            os._exit(1)
        super().construct()


class AlwaysDies(Short):
    """Every worker that renders it dies."""

    def construct(self):
        self.wait(0.1)
        os._exit(1)


SCENES = [Short, DiesOnce, AlwaysDies]
