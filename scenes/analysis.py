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
    Circle,
    Create,
    DashedVMobject,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    Line,
    ManimColor,
    Square,
    SurroundingRectangle,
    TransformFromCopy,
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
from netreel.scenes.common.mobjects import Bars, cell, digit_image, pixel_image, stack
from netreel.scenes.common.motion import sweep, trace
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

    def input_window(self, picture, net: NetworkDiagram) -> tuple[SurroundingRectangle, VGroup]:
        """The row of pixels the input column draws, marked on ``picture`` (the digit's frame or image),
        and two lines leading from it to that column."""
        column = net.columns[0]
        row, first = divmod(column.indices[0], self.side)
        marker = SurroundingRectangle(
            VGroup(cell(picture, self.side, self.side, row, first), cell(picture, self.side, self.side, row, column.indices[-1] % self.side)),
            buff=0, color=palette.HIGHLIGHT, stroke_width=2,
        )
        funnel = VGroup(
            *(Line(marker.get_corner(v + RIGHT), column.get_corner(v + LEFT), color=palette.HIGHLIGHT, stroke_width=1.5) for v in (UP, DOWN))
        ).set_opacity(0.6)
        return marker, funnel

    def open_book(self, book: Flipbook) -> None:
        """Fade in the page a flipbook shows, then hand the screen to the book (which turns with its tracker)."""
        page = book.pages[book.shown]
        self.play(FadeIn(page))
        self.remove(page)
        self.add(book)


class TestRun(ChapterScene):
    """A run through held-out digits: every layer lit by the digit's real activations, the network's
    answer, 'Wrong!' on its real mistakes, a live tally."""

    estimated_seconds = 50.0
    steps = ("intro", "first", "run", "whole")

    def intro(self):
        images = self.ledger.array("run.images")
        outputs = self.ledger.array("run.outputs")
        wrong = self.ledger.array("run.wrong").astype(bool)
        n = len(images)
        sizes = self.sizes()
        layers = [images] + [self.ledger.array(f"run.hidden.{k}") for k in range(1, len(sizes) - 1)] + [outputs]
        # one tracker per layer, so that a digit can light the network layer after layer; the
        # answer, the verdict and the tally turn with the output layer's
        self.trackers = [ValueTracker(0) for _ in sizes]
        page = self.trackers[-1]
        self.n, self.wrong, self.page = n, wrong, page
        title = self.heading()
        frame = SurroundingRectangle(digit_image(images[0], 3.0), buff=0, color=palette.MUTED, stroke_width=2)
        frame.move_to(LEFT * 5.2)
        net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=4.0, radius=0.11, spacing=0.29)
        net.move_to(LEFT * 0.95 + DOWN * 0.15)
        self.edges = edges = VGroup(
            *(net.edges(k, self.ledger.array(names.layer(k, "weight")), max_width=1.5) for k in range(len(sizes) - 1))
        )
        classes = VGroup(*(self.ledger.integer("classes", d, font_size=30) for d in range(10)))
        for d, label in enumerate(classes):
            label.next_to(net.columns[-1].circles[d], RIGHT, buff=0.14)
        marker, funnel = self.input_window(frame, net)
        true_label = self.words("true_label", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        true_label.next_to(frame, DOWN, buff=0.25).shift(LEFT * 0.35)
        guess_word = self.words("guess", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        guess_word.move_to(RIGHT * 3.2 + UP * 1.2)
        slash = eq("/", font_size=64).move_to(RIGHT * 5.45 + UP * 0.1)
        so_far = self.words("so_far", font_size=palette.LABEL_SIZE, color=palette.MUTED).move_to(RIGHT * 5.45 + DOWN * 0.75)

        pictures = Flipbook([digit_image(images[i], 3.0).move_to(frame) for i in range(n)], self.trackers[0])
        labels = Flipbook(
            [self.ledger.integer("run.labels", i, font_size=36).next_to(true_label, RIGHT, buff=0.2) for i in range(n)],
            self.trackers[0],
        )
        self.lit = [
            Flipbook([net.columns[k].copy().set_activations(values[i]) for i in range(n)], tracker)
            for k, (values, tracker) in enumerate(zip(layers, self.trackers))
        ]
        guesses = Flipbook(
            [
                self.ledger.integer(
                    "run.guesses", i, font_size=96, color=palette.NEGATIVE if wrong[i] else palette.TEXT
                ).move_to(RIGHT * 3.2 + UP * 0.1)
                for i in range(n)
            ],
            page,
        )
        verdict = self.words("wrong", font_size=palette.TITLE_SIZE, color=palette.NEGATIVE, weight="BOLD")
        verdict.move_to(RIGHT * 3.2 + DOWN * 1.2)
        hidden = verdict.copy().set_opacity(0)
        self.verdicts = Flipbook([verdict if wrong[i] else hidden for i in range(n)], page)
        correct = Flipbook(
            [self.ledger.integer("run.correct", i, font_size=64).next_to(slash, LEFT, buff=0.12) for i in range(n)],
            page,
        )
        seen = Flipbook(
            [self.ledger.integer("run.seen", i, font_size=64).next_to(slash, RIGHT, buff=0.12) for i in range(n)], page
        )

        self.pictures, self.answer, self.tally = pictures, (self.lit[-1], guesses), (correct, seen)
        self.say("intro", about=[net, pictures])
        self.play(FadeIn(title), Create(frame), FadeIn(net), FadeIn(edges), FadeIn(classes))
        self.bring_to_front(net)
        self.open_book(pictures)
        self.play(FadeIn(true_label), FadeIn(guess_word), FadeIn(so_far), FadeIn(slash))
        for book in (labels, guesses, self.verdicts, correct, seen):
            self.add(book)
        self.add(*self.trackers)
        self.say("layers", about=[marker, *self.lit])
        self.play(Create(marker), Create(funnel))
        self.add(self.lit[0])
        self.propagate(0)
        self.wait(0.5)

    def propagate(self, i: int) -> None:
        """Digit i's activations travel through the network: each layer lights in turn, along its edges."""
        for k in range(1, len(self.trackers)):
            self.play(trace(self.edges[k - 1], time_width=0.6), run_time=SLOW_SECONDS / 2)
            self.trackers[k].set_value(i)
            if self.lit[k] not in self.mobjects:
                self.add(self.lit[k])

    def first(self):
        self.say("first", about=[*self.answer, *self.tally])
        for i in range(1, min(SLOW_DIGITS, self.n - 1) + 1):
            self.play(self.trackers[0].animate.set_value(i), run_time=SLOW_SECONDS / 2, rate_func=linear)
            self.propagate(i)
            self.wait(SLOW_SECONDS / 2)
            if self.wrong[i]:
                self.call_out(i)

    def run(self):
        self.say("faster", about=[self.pictures, *self.lit])
        last = self.n - 1
        position = int(self.page.get_value())
        for stop in sorted(({int(i) for i in np.flatnonzero(self.wrong) if i > position} | {last}) - {position}):
            self.play(
                *(tracker.animate.set_value(stop) for tracker in self.trackers),
                run_time=FAST_SECONDS * (stop - position), rate_func=linear,
            )
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
    """The first held-out digits the network got wrong (up to twelve), with its wrong guess."""

    estimated_seconds = 16.0
    steps = ("gallery", "count")

    def gallery(self):
        images = self.ledger.array("mistakes.images")
        title = self.heading()
        tiles = Group()
        for i in range(len(images)):
            picture = digit_image(images[i], 1.45)
            border = SurroundingRectangle(picture, buff=0, color=palette.MUTED, stroke_width=2)
            guess = self.ledger.shown("mistakes.guesses", i, COUNT)
            label = self.ledger.shown("mistakes.labels", i, COUNT)
            guess = self.words("guess", d=guess, font_size=palette.BODY_SIZE, color=palette.NEGATIVE)
            label = self.words("label", d=label, font_size=palette.LABEL_SIZE, color=palette.MUTED)
            tiles.add(Group(picture, border, stack(guess, label, buff=0.12).next_to(picture, DOWN, buff=0.25)))
        tiles.arrange_in_grid(cols=min(len(tiles), 6), buff=(0.45, 0.35), aligned_edge=UP).next_to(title, DOWN, buff=0.3)
        self.tiles = tiles
        self.say("intro", about=[*tiles])
        self.play(FadeIn(title))
        self.play(LaggedStart(*(FadeIn(t, shift=0.2 * UP) for t in tiles), lag_ratio=0.2), run_time=2.5)
        self.wait(1)

    def count(self):
        n = self.ledger.shown("mistakes.total", spec=COUNT)
        total = self.ledger.shown("test.n", spec=COUNT)
        line = self.words("count_line", n=n, total=total, font_size=palette.BODY_SIZE, color=palette.HIGHLIGHT)
        line.to_edge(DOWN, buff=0.45)
        self.say("count", about=[line], n=n, total=total)
        self.play(Write(line))
        self.say("look", about=[*self.tiles])
        self.play(sweep([tile[:2] for tile in self.tiles]), run_time=self.cue_left(6.0))


class FirstLayerWeights(ChapterScene):
    """The first hidden layer drawn as the network's column, each neuron's incoming weights as a
    blue/red image beside it, joined to it; a hand-drawn hope beside what was learned."""

    estimated_seconds = 48.0
    steps = ("weights", "look", "blank", "works")
    SPACING = 0.38  # between the first hidden layer's neurons; an image stands beside every one
    ENLARGED = 0  # the neuron whose image is shown large for the blank pixels (any one would do)

    def weights(self):
        weights = self.ledger.array(names.layer(0, "weight"))
        sizes = self.sizes()
        m = len(weights)
        title = self.heading()
        net = NetworkDiagram(sizes[:2], input_start=input_window_start(sizes[0]), width=1.9, radius=0.12, spacing=self.SPACING)
        net.columns[0].scale(0.85)
        net.move_to(LEFT * 5.35 + DOWN * 0.2)
        edges = net.edges(0, weights, max_width=1.2)
        column = net.columns[1]
        # two staggered columns of images: neuron j's stands at its own height, in column j % 2,
        # so that every connector runs level and passes between the images of the nearer column
        height = 2 * self.SPACING - 0.16
        self.images, self.connectors = [], VGroup()
        for j in range(m):
            circle = column.circle_for(j)
            image = pixel_image(palette.signed_image(weights[j].reshape(self.side, self.side)), height=height)
            image.move_to([circle.get_x() + 0.85 + (j % 2) * (height + 0.18), circle.get_y(), 0])
            self.images.append(image)
            self.connectors.add(Line(circle.get_right(), image.get_left(), color=palette.MUTED, stroke_width=1.5))
        self.net, self.column = net, column
        self.learned = Group(*self.images)
        learned_label = self.words("learned_label", font_size=palette.LABEL_SIZE, color=palette.TEXT)
        learned_label.next_to(self.learned, RIGHT, buff=0.3).align_to(self.learned, DOWN)
        self.legend = legend = stack(
            self.words("common.weight_legend", font_size=palette.SMALL_SIZE, color=palette.MUTED),
            self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED),
            buff=0.08,
        )
        legend.move_to(RIGHT * 3.3).to_edge(DOWN, buff=0.35)
        self.learned_label = learned_label
        self.say(
            "intro", about=[net, *self.images],
            m=self.ledger.shown("sizes", 1, COUNT), p=self.ledger.shown("pixels.n", spec=COUNT),
        )
        self.play(FadeIn(title), FadeIn(net), FadeIn(edges))
        self.bring_to_front(net)
        self.play(
            LaggedStart(*(AnimationGroup(Create(c), FadeIn(i)) for c, i in zip(self.connectors, self.images)), lag_ratio=0.1),
            FadeIn(learned_label), FadeIn(legend), run_time=3,
        )
        self.say("beside", about=[column, *self.images])
        self.play(sweep([(column.circle_for(j), self.connectors[j], self.images[j]) for j in range(m)]), run_time=5)

    def look(self):
        hopes = Group(
            *(pixel_image(palette.signed_image(w), height=1.4) for w in hoped_weights(self.side))
        ).arrange_in_grid(rows=2, buff=0.35)
        label = stack(
            self.words("hope_label", font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT),
            self.words("hope_note", font_size=palette.SMALL_SIZE, color=palette.MUTED),
            buff=0.08,
        )
        panel = Group(label, hopes).arrange(DOWN, buff=0.3).move_to(RIGHT * 2.9 + UP * 0.15)
        frame = DashedVMobject(SurroundingRectangle(panel, buff=0.3, color=palette.HIGHLIGHT, stroke_width=2), num_dashes=60)
        self.hope = Group(frame, hopes, label)
        self.say("hope", about=[*hopes, label])
        self.play(Create(frame), LaggedStart(*(FadeIn(h) for h in hopes), lag_ratio=0.3), FadeIn(label))
        self.say("reality", about=[*self.images, *hopes])
        self.play(sweep([(self.images[j], self.images[j + 1]) for j in range(0, len(self.images), 2)]), run_time=6)

    def blank(self):
        blank = self.ledger.array("pixels.blank").astype(bool).reshape(self.side, self.side)
        overlay = np.zeros((self.side, self.side, 4), dtype=np.uint8)
        overlay[blank] = [*(round(255 * c) for c in ManimColor(palette.HIGHLIGHT).to_rgb()), 150]
        self.marks = Group(*(pixel_image(overlay, height=image.height).move_to(image) for image in self.images))
        j = int(self.ledger.value("neurons", self.ENLARGED))
        big = self.images[j].copy().set(height=4.2).move_to(RIGHT * 2.9 + UP * 0.15)
        big_mark = pixel_image(overlay, height=big.height).move_to(big)
        big_frame = SurroundingRectangle(big, buff=0, color=palette.MUTED, stroke_width=2)
        which = SurroundingRectangle(self.images[j], buff=0.04, color=palette.HIGHLIGHT, stroke_width=2)
        pointer = Line(which.get_corner(UP + RIGHT), big.get_corner(UP + LEFT), color=palette.HIGHLIGHT, stroke_width=1.5)
        self.big = Group(big, big_frame, which, pointer)
        self.say(
            "blank", about=[self.marks, big_mark],
            n=self.ledger.shown("pixels.n_blank", spec=COUNT), p=self.ledger.shown("pixels.n", spec=COUNT)
        )
        self.play(FadeOut(self.hope), run_time=0.8)
        self.play(Create(which), Create(pointer), TransformFromCopy(self.images[j], big), Create(big_frame))
        self.play(FadeIn(big_mark), FadeIn(self.marks), run_time=1.5)
        self.say("blank_weights", about=[self.marks, big_mark], change=self.ledger.shown("weights.blank_change", spec=VALUE3))
        self.play(sweep([big_mark, *self.marks]), run_time=5)
        self.big_mark = big_mark

    def works(self):
        accuracy = self.ledger.shown("test.accuracy", spec=PERCENT1)
        score = self.words("score", accuracy=accuracy, font_size=palette.BODY_SIZE, color=palette.HIGHLIGHT)
        score.move_to(RIGHT * 2.9 + UP * 0.15)
        self.say("still_works", about=[*self.images, score], accuracy=accuracy)
        self.play(FadeOut(self.marks), FadeOut(self.big_mark), FadeOut(self.big))
        self.play(Write(score))
        self.play(trace(self.connectors), Indicate(score, color=palette.HIGHLIGHT))
        self.wait(2)


class NoiseInput(ChapterScene):
    """Random noise in: the same network, lit by the noise's real activations, still answers, often
    confidently. Its real output bars, how often each digit is named, and how sure it is."""

    estimated_seconds = 45.0
    steps = ("noise", "many", "confident")

    def noise(self):
        sizes = self.sizes()
        title = self.heading()
        image = self.digit("noise.image", None, 2.5).move_to(LEFT * 5.45 + DOWN * 0.1)
        border = SurroundingRectangle(image, buff=0, color=palette.MUTED, stroke_width=2)
        net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=3.2, radius=0.1, spacing=0.27)
        net.move_to(LEFT * 1.95 + DOWN * 0.1)
        edges = VGroup(
            *(net.edges(k, self.ledger.array(names.layer(k, "weight")), max_width=1.2) for k in range(len(sizes) - 1))
        )
        values = [self.ledger.array("noise.image")] + [
            self.ledger.array(f"noise.hidden.{k}") for k in range(1, len(sizes) - 1)
        ] + [self.ledger.array("noise.output")]
        lit = [column.copy().set_activations(v) for column, v in zip(net.columns, values)]
        marker, funnel = self.input_window(image, net)
        bars = Bars.for_classes(self.ledger, "noise.output", length=2.6, row_height=0.46)
        bars.move_to(RIGHT * 3.85 + DOWN * 0.3)
        caption = self.words("output", font_size=palette.LABEL_SIZE, color=palette.MUTED).next_to(bars, UP, buff=0.2)
        links = VGroup(
            *(
                Line(net.columns[-1].circles[d].get_right(), bars.labels[d].get_left(), buff=0.08, color=palette.MUTED, stroke_width=1)
                for d in range(10)
            )
        ).set_opacity(0.5)
        guess = int(self.ledger.value("noise.guess"))
        box = SurroundingRectangle(bars.row(guess), color=palette.HIGHLIGHT, buff=0.06)
        self.say("noise", about=[image])
        self.play(FadeIn(title), FadeIn(image), Create(border))
        self.play(FadeIn(net), FadeIn(edges))
        self.bring_to_front(net)
        self.say(
            "shown", about=[image, *lit, bars.labels, bars.numbers, box],
            k=self.ledger.shown("noise.n", spec=COUNT),
            d=self.ledger.shown("noise.guess", spec=COUNT),
            a=self.ledger.shown("noise.output", guess, VALUE),
        )
        self.play(Create(marker), Create(funnel), FadeIn(lit[0]))
        for k in range(1, len(lit)):
            self.play(trace(edges[k - 1], time_width=0.6), run_time=0.6)
            self.play(FadeIn(lit[k]), run_time=0.3)
        self.play(Create(links), FadeIn(caption), grow(bars), run_time=2)
        self.play(Create(box))
        self.first_answer = (box, bars, caption, links, image, border, marker, funnel, net, edges, *lit)

    def many(self):
        self.n_noise = self.ledger.shown("noise.n", spec=COUNT)
        counts = self.ledger.array("noise.guess_counts")
        tally = Bars.for_classes(
            self.ledger, "noise.guess_counts", values=counts / counts.max(), decimals=0,
            length=2.8, row_height=0.46, color=palette.HIGHLIGHT,
        ).move_to(LEFT * 3.6 + DOWN * 0.3)
        heading = self.words("many_title", k=self.n_noise, font_size=palette.LABEL_SIZE, color=palette.MUTED)
        heading.next_to(tally, UP, buff=0.2)
        self.tally = tally
        self.say("many", about=[tally.labels, tally.numbers], k=self.n_noise)
        self.play(*(FadeOut(m) for m in self.first_answer))
        self.play(FadeIn(heading), grow(tally), run_time=2)
        self.play(sweep([tally.row(d) for d in range(10)]), run_time=3)

    def confident(self):
        k = self.n_noise
        t = self.ledger.shown("noise.threshold", spec=VALUE)
        m = self.ledger.shown("noise.confident", spec=COUNT)
        above = self.ledger.array("noise.above").astype(bool)
        # one square per noise image, filled where its largest output is above the threshold
        cells = VGroup(
            *(
                Square(0.21, stroke_color=palette.MUTED, stroke_width=1).set_fill(palette.HIGHLIGHT, opacity=0.0)
                for _ in above
            )
        ).arrange_in_grid(cols=int(np.ceil(np.sqrt(len(above)))), buff=0.05)
        caption = self.words("confident_line", t=t, m=m, k=k, font_size=palette.LABEL_SIZE)
        block = VGroup(caption, cells).arrange(DOWN, buff=0.2).move_to(RIGHT * 3.3 + UP * 1.0)
        self.say("confident", about=[cells, caption], m=m, k=k, t=t)
        self.play(FadeIn(caption), Create(cells))
        lit = [c for c, a in zip(cells, above) if a]
        self.play(LaggedStart(*(c.animate.set_fill(opacity=0.9) for c in lit), lag_ratio=0.05), run_time=3)

        noise_top = self.ledger.shown("noise.mean_top", spec=VALUE)
        digits_top = self.ledger.shown("test.mean_top", spec=VALUE)
        means = Bars(
            [self.ledger.value("noise.mean_top"), self.ledger.value("test.mean_top")],
            [self.words("on_noise", font_size=palette.LABEL_SIZE), self.words("on_digits", font_size=palette.LABEL_SIZE)],
            [self.ledger.number("noise.mean_top", decimals=2, font_size=24), self.ledger.number("test.mean_top", decimals=2, font_size=24)],
            length=2.4, row_height=0.5, color=palette.POSITIVE,
        )
        means_title = self.words("means_title", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        means_block = VGroup(means_title, means).arrange(DOWN, buff=0.2).next_to(block, DOWN, buff=0.45)
        self.say("compare", about=[means], noise=noise_top, digits=digits_top)
        self.play(FadeIn(means_title), grow(means), run_time=2)
        self.play(sweep([means.row(0), means.row(1)]), run_time=2.5)

        # why: the output layer holds one neuron per digit and nothing else
        outputs = NetworkDiagram([10, 10], radius=0.14, spacing=0.36).columns[1]
        outputs.set_activations(self.ledger.array("noise.output"))  # lit as the strongest noise image lit them
        names_ = VGroup(*(self.ledger.integer("classes", d, font_size=28) for d in range(10)))
        for d, label in enumerate(names_):
            label.next_to(outputs.circles[d], RIGHT, buff=0.15)
        missing = DashedVMobject(Circle(radius=0.14, color=palette.NEGATIVE, stroke_width=2), num_dashes=12)
        missing.next_to(outputs, DOWN, buff=0.3)
        missing_label = self.words("no_such_output", font_size=palette.LABEL_SIZE, color=palette.NEGATIVE)
        missing_label.next_to(missing, RIGHT, buff=0.15)
        only = self.words("only_outputs", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        only.next_to(VGroup(outputs, names_), UP, buff=0.25)
        VGroup(only, outputs, names_, missing, missing_label).move_to(RIGHT * 3.0 + DOWN * 0.1)
        self.say("why", about=[outputs, names_, missing_label])
        self.play(FadeOut(block), FadeOut(means_block))
        self.play(FadeIn(only), FadeIn(outputs), FadeIn(names_))
        self.play(sweep([VGroup(outputs.circles[d], names_[d]) for d in range(10)]), run_time=2.5)
        self.play(Create(missing), FadeIn(missing_label))
        self.wait(2)


class ShuffledLabels(ChapterScene):
    """The same network trained from scratch on shuffled labels (after Zhang et al.): real epochs,
    real accuracies, training against held-out, beside the network trained on the true labels."""

    estimated_seconds = 36.0
    steps = ("real", "shuffle", "result")

    def share(self, key: str, index):
        return self.words("share", v=self.ledger.shown(key, index, PERCENT1), font_size=palette.LABEL_SIZE)

    def rows(self, values: list[float], numbers: list, color) -> Bars:
        labels = [self.words(k, font_size=palette.LABEL_SIZE) for k in ("on_training", "on_held_out")]
        return Bars(values, labels, numbers, length=4.0, row_height=0.6, color=color)

    def real(self):
        title = self.heading()
        true = self.rows(
            [self.ledger.value("train.accuracy"), self.ledger.value("test.accuracy")],
            [self.share("train.accuracy", None), self.share("test.accuracy", None)],
            palette.POSITIVE,
        ).move_to(UP * 1.55 + RIGHT * 0.6)
        true_title = self.words("true_title", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        true_title.next_to(true, UP, buff=0.2).align_to(true.bars, LEFT)
        self.true = true
        source = self.words("source", year=self.ledger.shown("shuffled.paper.year", spec=".0f"),
                            font_size=palette.SMALL_SIZE, color=palette.MUTED).to_edge(DOWN, buff=0.4)
        self.say(
            "real", about=[true],
            train=self.ledger.shown("train.accuracy", spec=PERCENT1), test=self.ledger.shown("test.accuracy", spec=PERCENT1),
        )
        self.play(FadeIn(title), FadeIn(source))
        self.play(FadeIn(true_title), grow(true), run_time=2)
        self.play(sweep([true.row(0), true.row(1)]), run_time=2)

    def shuffle(self):
        epochs = int(self.ledger.value("shuffled.epochs"))
        tracker = ValueTracker(0)
        pages = []
        for e in range(epochs + 1):
            page = self.rows(
                [self.ledger.value("shuffled.train_accuracy", e), self.ledger.value("shuffled.test_accuracy", e)],
                [self.share("shuffled.train_accuracy", e), self.share("shuffled.test_accuracy", e)],
                palette.HIGHLIGHT,
            )
            page.move_to(DOWN * 1.0 + RIGHT * 0.6)
            page.bars.align_to(self.true.bars, LEFT)
            for label in page.labels:
                label.align_to(self.true.labels, RIGHT)
            pages.append(page)
        self.shuffled = Flipbook(pages, tracker)
        last = pages[-1]
        shuffled_title = self.words("shuffled_title", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        shuffled_title.next_to(last, UP, buff=0.2).align_to(last.bars, LEFT)
        epoch_word = self.words("epoch", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        epoch_word.next_to(shuffled_title, RIGHT, buff=0.6)
        counter = Flipbook(
            [self.ledger.tick(e, font_size=28).next_to(epoch_word, RIGHT, buff=0.15) for e in range(epochs + 1)],
            tracker,
        )
        chance = self.ledger.value("shuffled.chance")
        x = last.bars[0].get_left()[0] + last.length * chance
        chance_line = DashedVMobject(
            Line([x, last.get_top()[1] + 0.05, 0], [x, last.get_bottom()[1] - 0.05, 0], color=palette.TEXT, stroke_width=2),
            num_dashes=10,
        )
        chance_label = self.words("chance", c=self.ledger.shown("shuffled.chance", spec=PERCENT1),
                                  font_size=palette.SMALL_SIZE, color=palette.TEXT).next_to(chance_line, DOWN, buff=0.08)
        self.chance = VGroup(chance_line, chance_label)
        self.say("shuffle", about=[self.shuffled, counter], e=self.ledger.shown("shuffled.epochs", spec=COUNT))
        self.play(FadeIn(shuffled_title), FadeIn(epoch_word), FadeIn(self.chance))
        self.open_book(self.shuffled)
        self.add(counter, tracker)
        self.play(tracker.animate.set_value(epochs), run_time=7, rate_func=linear)

    def result(self):
        fills = dict(
            train=self.ledger.shown("shuffled.train_accuracy", -1, PERCENT1),
            test=self.ledger.shown("shuffled.test_accuracy", -1, PERCENT1),
            chance=self.ledger.shown("shuffled.chance", spec=PERCENT1),
        )
        self.say("result", about=[self.shuffled, self.chance], **fills)
        self.play(sweep([self.shuffled.display.row(0), self.chance, self.shuffled.display.row(1)]), run_time=5)
        self.say("lesson", about=[self.true, self.shuffled])
        self.play(sweep([self.true.row(1), self.shuffled.display.row(1)]), run_time=3)
        self.wait(2)


SCENES = [TestRun, Mistakes, FirstLayerWeights, NoiseInput, ShuffledLabels]
