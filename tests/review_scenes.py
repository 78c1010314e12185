"""Small scenes for the tests of the review: each says one cue about a dot (or about nothing).

They belong to chapter `network` (its catalog) but are not registered, and show no
facts, so a dry run needs no trained network.
"""

from __future__ import annotations

from manim import RIGHT, UP, Dot, FadeIn, FadeOut, Text

from netreel.scenes.common.base import NetScene
from netreel.scenes.common.motion import sweep

CUE = "network.title"  # the words of every cue here


class Named(NetScene):
    """The dot the cue names fades in while it is said."""

    chapter = "network"

    def construct(self):
        dot = Dot()
        self.say(CUE, about=[dot])
        self.play(FadeIn(dot))


class NamedOutsideFrame(NetScene):
    """The dot the cue names moves, but outside the frame, all the time the cue is said."""

    chapter = "network"

    def construct(self):
        dot = Dot().shift(RIGHT * 10)
        self.add(dot)
        self.say(CUE, about=[dot])
        self.play(dot.animate.shift(UP))


class NamedRemoved(NetScene):
    """The dot the cue names is taken off the screen as the cue starts."""

    chapter = "network"

    def construct(self):
        dot = Dot()
        self.add(dot)
        self.say(CUE, about=[dot])
        self.play(FadeOut(dot))


class NamedStill(NetScene):
    """The dot the cue names is on screen all along, and nothing happens to it."""

    chapter = "network"

    def construct(self):
        dot = Dot()
        self.add(dot)
        self.say(CUE)
        self.point_at(dot)
        self.wait(1)


class NamedSwept(NetScene):
    """The dot the cue names stays where it is; only a highlight sweeps over it and another dot."""

    chapter = "network"

    def construct(self):
        dot, other = Dot(), Dot().shift(RIGHT)
        self.add(dot, other)
        self.say(CUE)
        self.point_at(dot)
        self.play(sweep([other, dot]))


class NamesNothing(NetScene):
    """A cue that names nothing, beside tiny text, text at the frame's edge and text in the subtitle band."""

    chapter = "network"

    def construct(self):
        tiny = Text("x", font_size=8)
        edge = Text("y", font_size=28).to_edge(RIGHT, buff=0.05)
        low = Text("z", font_size=28).move_to(3.5 * -UP + 2 * RIGHT)
        self.say(CUE)
        self.play(FadeIn(tiny), FadeIn(edge), FadeIn(low))
