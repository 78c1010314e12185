"""Chapter 3 — Analyzing the network.

Real test runs, real mistakes, real first-layer weights, real answers to noise.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Create,
    DashedVMobject,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    ManimColor,
    SurroundingRectangle,
    ValueTracker,
    VGroup,
    Write,
    linear,
)

from netreel.nets import names
from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.diagram import NetworkDiagram, input_window_start
from netreel.scenes.common.flipbook import Flipbook
from netreel.scenes.common.formats import COUNT, PERCENT1, VALUE, VALUE3
from netreel.scenes.common.mobjects import Bars, digit_image, pixel_image, stack
from netreel.scenes.common.text import eq
from netreel.scenes.hope import hoped_weights

SLOW_SECONDS = 0.8  # per digit at the start of the run
FAST_SECONDS = 0.12  # per digit once it speeds up
SLOW_DIGITS = 4


def grow(bars: Bars) -> AnimationGroup:
    """Bars growing from the left one after another, with their labels and numbers."""
    return AnimationGroup(
        LaggedStart(*(GrowFromEdge(bar, LEFT) for bar in bars.bars), lag_ratio=0.08),
        FadeIn(bars.labels),
        FadeIn(bars.numbers),
    )


class ChapterScene(NetScene):
    chapter = "analysis"

    @property
    def side(self) -> int:
        return int(self.facts.meta["side"])

    def sizes(self) -> list[int]:
        return [int(s) for s in self.ledger.array("sizes")]

    def open_book(self, book: Flipbook) -> None:
        """Fade in the page a flipbook shows, then hand the screen to the book (which turns with its tracker)."""
        page = book.pages[book.shown]
        self.play(FadeIn(page))
        self.remove(page)
        self.add(book)


class TestRun(ChapterScene):
    """A run through held-out digits: the network's answer, 'Wrong!' on its real mistakes, a live tally."""

    estimated_seconds = 45.0
    steps = ("intro", "first", "run", "whole")

    def intro(self):
        images = self.ledger.array("run.images")
        outputs = self.ledger.array("run.outputs")
        wrong = self.ledger.array("run.wrong").astype(bool)
        n = len(images)
        sizes = self.sizes()
        page = ValueTracker(0)  # the digit the run is at: every flipbook turns with it
        self.n, self.wrong, self.page = n, wrong, page
        title = self.heading()
        frame = SurroundingRectangle(digit_image(images[0], 3.0), buff=0, color=palette.MUTED, stroke_width=2)
        frame.move_to(LEFT * 5.2)
        net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=4.0, radius=0.1, spacing=0.26)
        net.move_to(LEFT * 0.9 + DOWN * 0.2)
        edges = VGroup(*(net.edges(k, self.ledger.array(names.layer(k, "weight")), max_width=1.5) for k in range(3)))
        classes = VGroup(*(self.ledger.integer("classes", d, font_size=22) for d in range(10)))
        for d, label in enumerate(classes):
            label.next_to(net.columns[-1].circles[d], RIGHT, buff=0.12)
        arrow = Arrow(frame.get_right(), net.get_left(), buff=0.15, color=palette.MUTED, stroke_width=3)
        true_label = self.words("true_label", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        true_label.next_to(frame, DOWN, buff=0.25).shift(LEFT * 0.35)
        guess_word = self.words("guess", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        guess_word.move_to(RIGHT * 3.05 + UP * 1.2)
        so_far = self.words("so_far", font_size=palette.LABEL_SIZE, color=palette.MUTED).move_to(RIGHT * 5.35 + UP * 1.2)
        slash = eq("/", font_size=64).move_to(RIGHT * 5.35 + UP * 0.1)

        pictures = Flipbook([digit_image(images[i], 3.0).move_to(frame) for i in range(n)], page)
        labels = Flipbook(
            [self.ledger.integer("run.labels", i, font_size=36).next_to(true_label, RIGHT, buff=0.2) for i in range(n)],
            page,
        )
        lit = Flipbook([net.columns[-1].copy().set_activations(outputs[i]) for i in range(n)], page)
        guesses = Flipbook(
            [
                self.ledger.integer(
                    "run.guesses", i, font_size=96, color=palette.NEGATIVE if wrong[i] else palette.TEXT
                ).move_to(RIGHT * 3.05 + UP * 0.1)
                for i in range(n)
            ],
            page,
        )
        verdict = self.words("wrong", font_size=palette.TITLE_SIZE, color=palette.NEGATIVE, weight="BOLD")
        verdict.move_to(RIGHT * 3.05 + DOWN * 1.2)
        hidden = verdict.copy().set_opacity(0)
        self.verdicts = Flipbook([verdict if wrong[i] else hidden for i in range(n)], page)
        correct = Flipbook(
            [self.ledger.integer("run.correct", i, font_size=64).next_to(slash, LEFT, buff=0.12) for i in range(n)],
            page,
        )
        seen = Flipbook(
            [self.ledger.integer("run.seen", i, font_size=64).next_to(slash, RIGHT, buff=0.12) for i in range(n)], page
        )

        self.pictures, self.answer, self.tally = pictures, (lit, guesses), (correct, seen)
        self.say("intro", about=[net, pictures])
        self.play(FadeIn(title), Create(frame), FadeIn(net), FadeIn(edges), FadeIn(classes), Create(arrow))
        self.bring_to_front(net)
        self.open_book(pictures)
        self.play(FadeIn(true_label), FadeIn(guess_word), FadeIn(so_far), FadeIn(slash))
        for book in (labels, lit, guesses, self.verdicts, correct, seen):
            self.add(book)
        self.add(page)
        self.wait(1)

    def first(self):
        self.say("first", about=[*self.answer, *self.tally])
        for i in range(1, min(SLOW_DIGITS, self.n - 1) + 1):
            self.play(self.page.animate.set_value(i), run_time=SLOW_SECONDS, rate_func=linear)
            self.wait(SLOW_SECONDS)
            if self.wrong[i]:
                self.call_out(i)

    def run(self):
        self.say("faster", about=[self.pictures])
        last = self.n - 1
        position = int(self.page.get_value())
        for stop in sorted(({int(i) for i in np.flatnonzero(self.wrong) if i > position} | {last}) - {position}):
            self.play(self.page.animate.set_value(stop), run_time=FAST_SECONDS * (stop - position), rate_func=linear)
            position = stop
            if self.wrong[stop]:
                self.call_out(stop)
        self.say(
            "run_done", about=[*self.tally],
            n=self.ledger.shown("run.seen", last, COUNT),
            correct=self.ledger.shown("run.correct", last, COUNT),
        )
        self.wait(1)

    def whole(self):
        whole = self.words(
            "whole_line",
            correct=self.ledger.shown("test.correct", spec=COUNT),
            n=self.ledger.shown("test.n", spec=COUNT),
            accuracy=self.ledger.shown("test.accuracy", spec=PERCENT1),
            font_size=palette.BODY_SIZE,
            color=palette.HIGHLIGHT,
        ).to_edge(DOWN, buff=0.5)
        self.say(
            "whole", about=[whole],
            n=self.ledger.shown("test.n", spec=COUNT),
            correct=self.ledger.shown("test.correct", spec=COUNT),
            accuracy=self.ledger.shown("test.accuracy", spec=PERCENT1),
        )
        self.play(Write(whole))
        self.wait(2)

    def call_out(self, i: int) -> None:
        """Name a real mistake while it is on screen."""
        guess = self.ledger.shown("run.guesses", i, COUNT)
        self.say(
            "mistake", about=[self.verdicts, self.answer[1]],
            guess=guess, label=self.ledger.shown("run.labels", i, COUNT),
        )
        self.play(Indicate(self.verdicts.display, color=palette.NEGATIVE, scale_factor=1.15))
        self.wait(1)


class Mistakes(ChapterScene):
    """The first held-out digits the network got wrong, with its wrong guess."""

    estimated_seconds = 16.0
    steps = ("gallery", "count")

    def gallery(self):
        images = self.ledger.array("mistakes.images")
        title = self.heading()
        tiles = Group()
        for i in range(len(images)):
            picture = digit_image(images[i], 1.8)
            border = SurroundingRectangle(picture, buff=0, color=palette.MUTED, stroke_width=2)
            guess = self.ledger.shown("mistakes.guesses", i, COUNT)
            label = self.ledger.shown("mistakes.labels", i, COUNT)
            guess = self.words("guess", d=guess, font_size=palette.BODY_SIZE, color=palette.NEGATIVE)
            label = self.words("label", d=label, font_size=palette.LABEL_SIZE, color=palette.MUTED)
            tiles.add(Group(picture, border, stack(guess, label, buff=0.12).next_to(picture, DOWN, buff=0.25)))
        tiles.arrange(RIGHT, buff=0.35, aligned_edge=UP).move_to(UP * 0.3)
        self.tiles = tiles
        self.say("intro", about=[*tiles])
        self.play(FadeIn(title))
        self.play(LaggedStart(*(FadeIn(t, shift=0.2 * UP) for t in tiles), lag_ratio=0.2), run_time=2.5)
        self.wait(1)

    def count(self):
        n = self.ledger.shown("mistakes.total", spec=COUNT)
        total = self.ledger.shown("test.n", spec=COUNT)
        line = self.words("count_line", n=n, total=total, font_size=palette.BODY_SIZE, color=palette.HIGHLIGHT)
        line.to_edge(DOWN, buff=0.8)
        self.say("count", about=[line], n=n, total=total)
        self.play(Write(line))
        self.say("look", about=[*self.tiles])
        self.wait(1)


class FirstLayerWeights(ChapterScene):
    """Every first-layer neuron's incoming weights as a blue/red image beside that neuron."""

    estimated_seconds = 44.0
    steps = ("weights", "look", "blank", "works")

    def weights(self):
        weights = self.ledger.array(names.layer(0, "weight"))
        m = len(weights)
        cols = 4
        title = self.heading()
        tiles, self.images = Group(), []
        for j in range(m):
            row = weights[j].reshape(self.side, self.side)
            image = pixel_image(palette.signed_image(row), height=1.3)
            self.images.append(image)
            circle = NetworkDiagram([1, 1], radius=0.2).columns[0]
            index = self.ledger.integer("neurons", j, font_size=24).next_to(circle, DOWN, buff=0.1)
            tiles.add(Group(VGroup(circle, index), image).arrange(RIGHT, buff=0.2))
        tiles.arrange_in_grid(cols=cols, buff=(0.9, 0.15)).next_to(title, DOWN, buff=0.25)
        self.tiles = tiles
        self.legend = legend = stack(
            self.words("common.weight_legend", font_size=palette.SMALL_SIZE, color=palette.MUTED),
            self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED),
            buff=0.08,
        ).to_edge(DOWN, buff=0.3)
        self.say(
            "intro", about=[*self.images],
            m=self.ledger.shown("sizes", 1, COUNT), p=self.ledger.shown("pixels.n", spec=COUNT),
        )
        self.play(FadeIn(title))
        self.play(LaggedStart(*(FadeIn(t) for t in tiles), lag_ratio=0.08), FadeIn(legend), run_time=3)
        self.wait(1)

    def look(self):
        hopes = Group(
            *(pixel_image(palette.signed_image(w), height=1.5) for w in hoped_weights(self.side))
        ).arrange(RIGHT, buff=0.45)
        label = stack(
            self.words("hope_label", font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT),
            self.words("hope_note", font_size=palette.SMALL_SIZE, color=palette.MUTED),
            buff=0.08,
        )
        panel = Group(hopes, label).arrange(DOWN, buff=0.3).move_to(DOWN * 0.2)
        frame = DashedVMobject(SurroundingRectangle(panel, buff=0.35, color=palette.HIGHLIGHT, stroke_width=2), num_dashes=50)
        self.say("hope", about=[*hopes, label])
        self.play(FadeOut(self.tiles), run_time=0.8)
        self.play(Create(frame), LaggedStart(*(FadeIn(h) for h in hopes), lag_ratio=0.2), FadeIn(label))
        self.wait(1)
        self.say("reality", about=[*self.images])
        self.play(FadeOut(Group(frame, hopes, label)), run_time=0.8)
        self.play(FadeIn(self.tiles))
        self.play(
            LaggedStart(*(Indicate(image, scale_factor=1.08, color=None) for image in self.images), lag_ratio=0.1),
            run_time=4,
        )
        self.wait(1)

    def blank(self):
        blank = self.ledger.array("pixels.blank").astype(bool).reshape(self.side, self.side)
        overlay = np.zeros((self.side, self.side, 4), dtype=np.uint8)
        overlay[blank] = [*(round(255 * c) for c in ManimColor(palette.HIGHLIGHT).to_rgb()), 150]
        self.marks = Group(*(pixel_image(overlay, height=image.height).move_to(image) for image in self.images))
        self.say(
            "blank", about=[self.marks],
            n=self.ledger.shown("pixels.n_blank", spec=COUNT), p=self.ledger.shown("pixels.n", spec=COUNT)
        )
        self.play(FadeIn(self.marks), run_time=1.5)
        self.say("blank_weights", about=[self.marks], change=self.ledger.shown("weights.blank_change", spec=VALUE3))
        self.play(LaggedStart(*(Indicate(mark, scale_factor=1.06, color=None) for mark in self.marks), lag_ratio=0.1), run_time=3)
        self.wait(1)

    def works(self):
        accuracy = self.ledger.shown("test.accuracy", spec=PERCENT1)
        score = self.words("score", accuracy=accuracy, font_size=palette.BODY_SIZE, color=palette.HIGHLIGHT).move_to(self.legend)
        self.say("still_works", about=[*self.images, score], accuracy=accuracy)
        self.play(FadeOut(self.marks), FadeOut(self.legend))
        self.play(Write(score))
        self.play(Indicate(score, color=palette.HIGHLIGHT))
        self.wait(2)


class NoiseInput(ChapterScene):
    """Random noise in: the network still answers, often confidently. Its real output bars."""

    estimated_seconds = 34.0
    steps = ("noise", "many", "confident")

    def noise(self):
        title = self.heading()
        image = self.digit("noise.image", None, 3.4).move_to(LEFT * 4.4 + DOWN * 0.2)
        border = SurroundingRectangle(image, buff=0, color=palette.MUTED, stroke_width=2)
        bars = Bars.for_classes(self.ledger, "noise.output", length=3.0, row_height=0.48)
        bars.move_to(RIGHT * 3.2 + DOWN * 0.3)
        caption = self.words("output", font_size=palette.LABEL_SIZE, color=palette.MUTED).next_to(bars, UP, buff=0.2)
        arrow = Arrow(image.get_right(), bars.get_left(), buff=0.4, color=palette.MUTED)
        guess = int(self.ledger.value("noise.guess"))
        box = SurroundingRectangle(bars.row(guess), color=palette.HIGHLIGHT, buff=0.06)
        self.say("noise", about=[image])
        self.play(FadeIn(title), FadeIn(image), Create(border))
        self.wait(1)
        self.say(
            "shown", about=[image, bars.labels, bars.numbers, box],
            k=self.ledger.shown("noise.n", spec=COUNT),
            d=self.ledger.shown("noise.guess", spec=COUNT),
            a=self.ledger.shown("noise.output", guess, VALUE),
        )
        self.play(Create(arrow), FadeIn(caption))
        self.play(grow(bars), run_time=2)
        self.play(Create(box))
        self.wait(1)
        self.first_answer = (box, bars, caption, arrow, image, border)

    def many(self):
        self.n_noise = self.ledger.shown("noise.n", spec=COUNT)
        counts = self.ledger.array("noise.guess_counts")
        tally = Bars.for_classes(
            self.ledger, "noise.guess_counts", values=counts / counts.max(), decimals=0,
            length=3.0, row_height=0.48, color=palette.HIGHLIGHT,
        ).move_to(LEFT * 3.0 + DOWN * 0.3)
        heading = self.words("many_title", k=self.n_noise, font_size=palette.LABEL_SIZE, color=palette.MUTED)
        heading.next_to(tally, UP, buff=0.2)
        self.say("many", about=[tally.labels, tally.numbers], k=self.n_noise)
        self.play(*(FadeOut(m) for m in self.first_answer))
        self.play(FadeIn(heading), grow(tally), run_time=2)
        self.wait(1)

    def confident(self):
        k = self.n_noise
        t = self.ledger.shown("noise.threshold", spec=VALUE)
        m = self.ledger.shown("noise.confident", spec=COUNT)
        noise_top = self.ledger.shown("noise.mean_top", spec=VALUE)
        digits_top = self.ledger.shown("test.mean_top", spec=VALUE)
        confident = self.words("confident_line", t=t, m=m, k=k, font_size=palette.BODY_SIZE)
        compare = self.words("compare_line", noise=noise_top, digits=digits_top, font_size=palette.BODY_SIZE)
        stack(confident, compare, buff=0.6).move_to(RIGHT * 3.6 + DOWN * 0.3)
        self.say("confident", about=[confident], m=m, k=k, t=t)
        self.play(FadeIn(confident))
        self.say("compare", about=[compare], noise=noise_top, digits=digits_top)
        self.play(FadeIn(compare))
        self.wait(1)
        self.say("why", about=[confident, compare])
        self.wait(2)


SCENES = [TestRun, Mistakes, FirstLayerWeights, NoiseInput]
