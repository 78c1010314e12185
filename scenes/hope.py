"""Chapter 1's hope for the hidden layers, drawn by hand and labelled so: edges, then loops and lines, then digits."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    PI,
    RIGHT,
    UP,
    Arc,
    Arrow,
    Circle,
    Create,
    DashedVMobject,
    FadeIn,
    Indicate,
    Line,
    ReplacementTransform,
    SurroundingRectangle,
    TransformFromCopy,
    VGroup,
    Write,
)

from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.formats import COUNT
from netreel.scenes.common.mobjects import stack

STAGE_XS = (-5.0, -1.7, 1.6, 4.9)  # input, first hidden layer, second hidden layer, output
STAGE_Y = 0.25
LOOP_RADIUS = 0.42
ARCS = 6  # the loop's short edges
SPREAD = 0.18  # how far the edges stand apart, so that each reads as a piece of its own


def hoped_weights(side: int) -> list[np.ndarray]:
    """Weights one might hope a first-layer neuron learns, made by hand on a side x side grid: a
    stroke (+1) between two bands of -1, at three angles, and a ring around a -1 hole."""
    v, u = np.mgrid[1:-1:side * 1j, -1:1:side * 1j]  # v up, u right, both in [-1, 1]

    def stroke(across: np.ndarray, along: np.ndarray) -> np.ndarray:
        inside = np.abs(along) < 0.45
        return np.where(inside & (np.abs(across) < 0.1), 1.0, np.where(inside & (np.abs(across) < 0.28), -1.0, 0.0))

    r = np.hypot(u, v - 0.1)
    ring = np.where(np.abs(r - 0.42) < 0.1, 1.0, np.where(r < 0.28, -1.0, 0.0))
    diagonal = (u + v) / np.sqrt(2), (u - v) / np.sqrt(2)
    return [stroke(v - 0.3, u), stroke(*diagonal), stroke(u + 0.2, v), ring]


def nine(centre: np.ndarray) -> tuple[Circle, Line]:
    """A hand-made nine: a loop on top of a line down its right side."""
    loop = Circle(radius=LOOP_RADIUS, color=palette.TEXT, stroke_width=8).move_to(centre + UP * 0.35)
    stem = Line(loop.get_right(), loop.get_right() + DOWN * 1.25, color=palette.TEXT, stroke_width=8)
    return loop, stem


def edges_of(loop: Circle, stem: Line) -> VGroup:
    """The nine cut into short strokes, each pushed a little away from the figure's centre."""
    centre = loop.get_center()
    pieces = VGroup()
    for k in range(ARCS):
        arc = Arc(radius=LOOP_RADIUS, start_angle=k * 2 * PI / ARCS, angle=2 * PI / ARCS, arc_center=centre)
        middle = (k + 0.5) * 2 * PI / ARCS
        pieces.add(arc.shift(SPREAD * np.array([np.cos(middle), np.sin(middle), 0])))
    top, bottom = stem.get_start(), stem.get_end()
    half = (top + bottom) / 2
    pieces.add(Line(top, half).shift(RIGHT * SPREAD + DOWN * 0.05), Line(half, bottom).shift(RIGHT * SPREAD + DOWN * 0.2))
    return pieces.set_stroke(color=palette.TEXT, width=8)


class Hope(NetScene):
    """What one might hope the layers do, shown as a hope; only the layers' sizes are the network's."""

    chapter = "network"
    estimated_seconds = 35.0
    steps = ("question", "edges", "parts", "output", "hope")

    def question(self):
        self.title = self.heading()
        self.stage_captions = VGroup(
            *(
                VGroup(
                    self.words(f"common.{layer}_layer", font_size=palette.SMALL_SIZE),
                    self.words("common.n_neurons", n=self.ledger.shown("sizes", k, COUNT), font_size=palette.SMALL_SIZE),
                    self.words(key, font_size=palette.SMALL_SIZE, color=palette.HIGHLIGHT),
                ).arrange(DOWN, buff=0.1)
                for k, (layer, key) in enumerate(zip(
                    ("input", "hidden", "hidden", "output"), ("input_caption", "edges_caption", "parts_caption", "digit_caption")
                ))
            )
        )
        for caption, x in zip(self.stage_captions, STAGE_XS):
            caption.move_to([x, -1.95, 0])
        self.loop, self.stem = nine(np.array([STAGE_XS[0], STAGE_Y, 0]))
        self.arrows = VGroup(
            *(
                Arrow([a + 0.95, STAGE_Y, 0], [b - 0.95, STAGE_Y, 0], color=palette.FAINT, buff=0, stroke_width=4)
                for a, b in zip(STAGE_XS, STAGE_XS[1:])
            )
        )
        self.say("question", about=[self.loop, self.stem, self.stage_captions[0]])
        self.play(FadeIn(self.title), FadeIn(self.stage_captions[0]))
        self.play(Create(self.loop), Create(self.stem), run_time=1.5)
        self.play(FadeIn(self.arrows))

    def edges(self):
        shift = RIGHT * (STAGE_XS[1] - STAGE_XS[0])
        self.pieces = edges_of(self.loop, self.stem).shift(shift)
        self.say("edges", about=[self.pieces, self.stage_captions[1]])
        self.play(TransformFromCopy(VGroup(self.loop, self.stem), self.pieces), FadeIn(self.stage_captions[1]), run_time=2)
        self.play(*(Indicate(piece, color=palette.HIGHLIGHT, scale_factor=1.15) for piece in self.pieces), run_time=1.5)

    def parts(self):
        loop, stem = nine(np.array([STAGE_XS[2], STAGE_Y, 0]))
        stem.shift(RIGHT * 0.45)
        self.loop_line = VGroup(loop, stem)
        self.say("parts", about=[self.loop_line, self.stage_captions[2]])
        self.play(
            ReplacementTransform(self.pieces.copy()[:ARCS], loop),
            ReplacementTransform(self.pieces.copy()[ARCS:], stem),
            FadeIn(self.stage_captions[2]),
            run_time=2,
        )
        self.play(Indicate(loop, color=palette.HIGHLIGHT), Indicate(stem, color=palette.HIGHLIGHT))

    def output(self):
        neuron = Circle(radius=0.45, color=palette.NEURON_STROKE, stroke_width=3).move_to([STAGE_XS[3], STAGE_Y, 0])
        label = self.words("nine", font_size=palette.BODY_SIZE).next_to(neuron, UP, buff=0.25)
        self.answer = VGroup(neuron, label)
        self.say("output", about=[self.answer, self.stage_captions[3]])
        self.play(TransformFromCopy(self.loop_line, neuron), FadeIn(self.stage_captions[3]), run_time=1.5)
        self.play(neuron.animate.set_fill(palette.lit(1.0), opacity=1.0), Write(label))

    def hope(self):
        drawn = VGroup(self.loop, self.stem, self.pieces, self.loop_line, self.answer, self.arrows, self.stage_captions)
        frame = DashedVMobject(SurroundingRectangle(drawn, buff=0.3, color=palette.HIGHLIGHT, stroke_width=2), num_dashes=60)
        banner = stack(
            self.words("banner", font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT),
            self.words("banner_note", font_size=palette.SMALL_SIZE, color=palette.MUTED),
            buff=0.1,
        ).next_to(frame, DOWN, buff=0.2)
        self.say("hope", about=[frame, banner])
        self.play(Create(frame), FadeIn(banner, shift=UP * 0.1), run_time=1.5)
        self.say("later", about=[drawn, banner])
        self.play(drawn.animate.fade(0.65), run_time=2)
        self.wait(1)
