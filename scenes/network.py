"""Chapter 1 — What is a neural network: one real held-out digit through the trained MLP."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    WHITE,
    Axes,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Group,
    Indicate,
    Line,
    LaggedStart,
    ReplacementTransform,
    Square,
    SurroundingRectangle,
    Transform,
    VGroup,
    Write,
)

from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.diagram import NetworkDiagram, input_window_start
from netreel.scenes.common.mobjects import Bars, brackets, cell, edge_raster, grid_lines, pixel_image, stack
from netreel.scenes.common.text import eq

COUNT = ",.0f"  # counts and labels: whole numbers with thousands separators
VALUE = ",.2f"  # activations, weights, sums


class ChapterScene(NetScene):
    chapter = "network"

    @property
    def side(self) -> int:
        return int(self.facts.meta["side"])

    def sizes(self) -> list[int]:
        return [int(s) for s in self.ledger.array("sizes")]

    def digit_image(self, height: float):
        pixels = self.ledger.array("hook_input").reshape(self.side, self.side)
        return pixel_image(palette.grey_image(pixels), height=height)

    def layer_count(self, k: int) -> VGroup:
        """'N neurons' for layer k, the number from the ledger."""
        return self.words("common.n_neurons", n=self.ledger.shown("sizes", k, COUNT), font_size=palette.SMALL_SIZE)

    def class_labels(self, font_size: float = 26) -> list:
        return [self.ledger.integer("classes", k, font_size=font_size) for k in range(10)]


class DigitInput(ChapterScene):
    """A held-out digit's pixel grid becomes the input column."""

    estimated_seconds = 30.0

    def construct(self):
        n = self.sizes()[0]
        self.step("digit")
        title = self.heading()
        image = self.digit_image(4.4).move_to(LEFT * 3.0 + DOWN * 0.4)
        border = SurroundingRectangle(image, color=palette.MUTED, buff=0, stroke_width=2)
        label = self.words("label", label=self.ledger.shown("digit.label", spec=COUNT), font_size=palette.LABEL_SIZE)
        label.next_to(image, DOWN, buff=0.25)
        self.say("digit", n_test=self.ledger.shown("data.n_test", spec=COUNT))
        self.play(FadeIn(title), FadeIn(image), Create(border))
        self.play(Write(label))
        self.wait(1)

        self.step("pixels")
        grid = grid_lines(image, self.side, self.side)
        self.say("pixels", n=self.ledger.shown("sizes", 0, COUNT))
        self.play(Create(grid), run_time=1.5)
        start = input_window_start(n)
        window = list(range(start, start + 16))
        cells = VGroup(*(cell(image, self.side, self.side, i // self.side, i % self.side, stroke_width=2) for i in window))
        self.play(LaggedStart(*(Create(c) for c in cells), lag_ratio=0.08), run_time=2)
        self.wait(1)

        self.step("column")
        column = NetworkDiagram([n, 1], input_start=start).columns[0]
        column.move_to(RIGHT * 1.8 + DOWN * 0.45)
        values = self.ledger.array("hook_input")
        numbers = VGroup()
        for i, circle in zip(column.indices, column.circles):
            number = self.ledger.number("hook_input", i, decimals=2, font_size=palette.LABEL_SIZE)
            numbers.add(number.next_to(circle, RIGHT, buff=0.2))
        brace = column.brace(self.layer_count(0), LEFT)
        column.set_activations(values)
        squares = VGroup()
        for i, c in zip(window, cells):
            square = Square(side_length=c.width, stroke_width=0).move_to(c)
            squares.add(square.set_fill(palette.lit(float(values[i])), opacity=1.0))
        self.say("column")
        self.play(
            LaggedStart(*(ReplacementTransform(sq, circle) for sq, circle in zip(squares, column.circles)), lag_ratio=0.05),
            run_time=2.5,
        )
        self.play(FadeIn(column.gaps), FadeIn(brace))
        self.say("activation")
        self.play(LaggedStart(*(FadeIn(num, shift=0.1 * LEFT) for num in numbers), lag_ratio=0.05), run_time=2)
        self.wait(2)


class Layers(ChapterScene):
    """Input, two hidden layers of 16, ten outputs: at most 16 drawn per layer."""

    estimated_seconds = 35.0

    def construct(self):
        sizes = self.sizes()
        net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=8.4, spacing=0.31).shift(DOWN * 0.2)
        net.set_layer(0, self.ledger.array("hook_input"))
        names = ["input", "hidden", "hidden", "output"]
        captions = VGroup()
        for k, column in enumerate(net.columns):
            caption = stack(self.words(f"common.{names[k]}_layer", font_size=palette.SMALL_SIZE), self.layer_count(k), buff=0.08)
            captions.add(caption.next_to(column, DOWN, buff=0.2).set_x(column.get_x()))
        self.step("input")
        title = self.heading()
        self.say("input", n=self.ledger.shown("sizes", 0, COUNT))
        self.play(FadeIn(title), FadeIn(net.columns[0]), FadeIn(captions[0]))
        self.wait(1)

        self.step("output")
        labels = VGroup(*self.class_labels())
        for k, label in enumerate(labels):
            label.next_to(net.columns[-1].circles[k], RIGHT, buff=0.2)
        self.say("output", n=self.ledger.shown("sizes", len(sizes) - 1, COUNT))
        self.play(FadeIn(net.columns[-1]), FadeIn(labels), FadeIn(captions[-1]))
        self.wait(1)

        self.step("hidden")
        self.say("hidden", n=self.ledger.shown("sizes", 1, COUNT))
        self.play(*(FadeIn(net.columns[k]) for k in (1, 2)), *(FadeIn(captions[k]) for k in (1, 2)))
        self.wait(1)

        self.step("edges")
        edges = VGroup(*(net.edges(k, self.ledger.array(f"layers.{k}.weight")) for k in range(len(sizes) - 1)))
        self.say("edges", n=self.ledger.shown("edges.total", spec=COUNT))
        self.play(LaggedStart(*(Create(e) for e in edges), lag_ratio=0.3), run_time=3)
        self.bring_to_front(net)
        self.wait(1)


class OneNeuron(ChapterScene):
    """One first-layer neuron: its weights over the digit, the weighted sum, the bias, the sigmoid."""

    estimated_seconds = 45.0

    def construct(self):
        j = int(self.ledger.value("focus.neuron"))
        side = self.side
        height = 2.5
        neuron = self.ledger.shown("focus.neuron", spec=COUNT)
        self.step("weights")
        title = self.heading()
        digit = self.digit_image(height)
        weights = self.ledger.array("layers.0.weight", j)
        scale = float(np.abs(weights).max())
        weight_image = pixel_image(palette.signed_image(weights.reshape(side, side), scale), height)
        terms = self.ledger.array("focus.terms")
        term_image = pixel_image(palette.signed_image(terms.reshape(side, side), scale), height)
        row = Group(digit, eq(r"\times"), weight_image, eq("="), term_image)
        row.arrange(RIGHT, buff=0.45).move_to(UP * 0.9)
        captions = VGroup(
            self.words("pixels_caption", font_size=palette.SMALL_SIZE),
            self.words("weights_caption", j=neuron, font_size=palette.SMALL_SIZE),
            self.words("terms_caption", font_size=palette.SMALL_SIZE),
        )
        for caption, image in zip(captions, row[::2]):
            caption.next_to(image, DOWN, buff=0.15)
        legend = self.words("common.weight_legend", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        legend.to_edge(DOWN, buff=0.3)
        self.say("weights", j=neuron)
        self.play(FadeIn(title), FadeIn(digit), FadeIn(captions[0]))
        self.play(FadeIn(weight_image), FadeIn(captions[1]), FadeIn(row[1]), FadeIn(legend))
        self.wait(1)

        self.step("overlay")
        self.say("overlay")
        overlay = weight_image.copy().set_opacity(0.75)
        self.play(overlay.animate.move_to(digit), run_time=1.5)
        self.play(FadeIn(row[3]), ReplacementTransform(overlay, term_image), FadeIn(captions[2]), run_time=1.5)
        self.wait(1)

        self.step("sum")
        total = eq(
            r"\sum_i w_i a_i", "=", self.ledger.shown("focus.weighted_sum", spec=VALUE),
            font_size=36,
        ).next_to(captions, DOWN, buff=0.45)
        bias = eq(
            "z", "=", r"\sum_i w_i a_i", "+", "b",
            "=", self.ledger.shown("focus.weighted_sum", spec=VALUE),
            r"+ (", self.ledger.shown("layers.0.bias", j, VALUE), ")",
            "=", self.ledger.shown("layers.0.hook_z", j, VALUE),
            font_size=36,
        ).next_to(total, DOWN, buff=0.3)
        self.say("sum")
        self.play(Write(total))
        self.say("bias", b=self.ledger.shown("layers.0.bias", j, VALUE))
        self.play(Write(bias))
        self.wait(1)

        self.step("sigmoid")
        z = self.ledger.value("layers.0.hook_z", j)
        a = self.ledger.value("layers.0.hook_a", j)
        reach = max(6.0, float(np.ceil(abs(z))) + 1)
        axes = Axes(
            x_range=[-reach, reach, reach / 2], y_range=[0, 1, 0.5], x_length=7, y_length=3,
            axis_config={"color": palette.MUTED, "include_tip": False},
        )
        for x in (-reach, 0, reach):
            axes.add(self.ledger.tick(x, font_size=28).next_to(axes.c2p(x, 0), DOWN, buff=0.15))
        for y in (0.5, 1):
            axes.add(self.ledger.tick(y, decimals=1, font_size=28).next_to(axes.c2p(-reach, y), LEFT, buff=0.15))
        curve = axes.plot(lambda x: 1 / (1 + np.exp(-x)), color=palette.HIGHLIGHT)
        plot = VGroup(axes, curve).move_to(LEFT * 2.2 + DOWN * 1.3)
        dot = Dot(axes.c2p(z, a), color=WHITE, radius=0.1)
        guide = DashedLine(axes.c2p(z, 0), axes.c2p(z, a), color=palette.MUTED)
        result = eq(r"a = \sigma(z) =", self.ledger.shown("layers.0.hook_a", j, VALUE), font_size=44)
        result.next_to(plot, RIGHT, buff=0.7).shift(UP * 0.5)
        self.say("sigmoid")
        self.play(FadeOut(row), FadeOut(captions), FadeOut(total), FadeOut(legend))
        self.play(bias.animate.next_to(title, DOWN, buff=0.5), Create(axes), Create(curve))
        self.play(Create(guide), FadeIn(dot, scale=2))
        self.say("activation", a=self.ledger.shown("layers.0.hook_a", j, VALUE))
        self.play(Write(result))
        self.play(Indicate(result[-1], color=palette.HIGHLIGHT))
        self.wait(1)


class MatrixForm(ChapterScene):
    """a(1) = sigma(W a(0) + b) with real entries, the focus neuron's row highlighted."""

    estimated_seconds = 40.0

    def construct(self):
        n = self.sizes()[0]
        j = int(self.ledger.value("focus.neuron"))
        start = input_window_start(n)
        cols = list(range(start + 6, start + 9))
        rows = sorted({0, 1, j} | ({2} if j > 2 else set()))[:4]
        self.step("formula")
        title = self.heading()
        formula = eq(r"a^{(1)}", "=", r"\sigma\big(", "W", r"a^{(0)}", "+", "b", r"\big)", font_size=48)
        formula.next_to(title, DOWN, buff=0.4)
        self.say("formula", m=self.ledger.shown("sizes", 1, COUNT))
        self.play(FadeIn(title), Write(formula))
        self.wait(1)

        self.step("numbers")
        size = 28
        matrix = VGroup()
        for r in rows:
            entries = [self.ledger.number("layers.0.weight", (r, c), decimals=2, font_size=size) for c in cols]
            matrix.add(VGroup(eq(r"\cdots", font_size=size), *entries, eq(r"\cdots", font_size=size)).arrange(RIGHT, buff=0.22))
        matrix.add(eq(r"\vdots", font_size=size))
        matrix.arrange(DOWN, buff=0.28)
        vector = VGroup(
            eq(r"\vdots", font_size=size),
            *(self.ledger.number("hook_input", c, decimals=2, font_size=size) for c in cols),
            eq(r"\vdots", font_size=size),
        ).arrange(DOWN, buff=0.2)
        bias = VGroup(*(self.ledger.number("layers.0.bias", r, decimals=2, font_size=size) for r in rows), eq(r"\vdots", font_size=size))
        bias.arrange(DOWN, buff=0.28)
        result = VGroup(*(self.ledger.number("layers.0.hook_a", r, decimals=2, font_size=size) for r in rows), eq(r"\vdots", font_size=size))
        result.arrange(DOWN, buff=0.28)
        blocks = [VGroup(m, brackets(m)) for m in (matrix, vector, bias, result)]
        expression = VGroup(
            eq(r"\sigma\Big(", font_size=48), blocks[0], blocks[1], eq("+", font_size=40), blocks[2],
            eq(r"\Big)", font_size=48), eq("=", font_size=40), blocks[3],
        ).arrange(RIGHT, buff=0.25)
        expression.next_to(formula, DOWN, buff=0.6)
        if expression.width > 13:
            expression.scale_to_fit_width(13)
        dims = eq(
            "W:", self.ledger.shown("sizes", 1, COUNT), r"\times", self.ledger.shown("sizes", 0, COUNT), font_size=30,
        ).next_to(blocks[0], DOWN, buff=0.3)
        self.say("numbers", n=self.ledger.shown("sizes", 0, COUNT), m=self.ledger.shown("sizes", 1, COUNT))
        self.play(FadeIn(blocks[0]), FadeIn(expression[0]), FadeIn(dims), run_time=1.5)
        self.play(FadeIn(blocks[1]), FadeIn(expression[3]), FadeIn(blocks[2]), FadeIn(expression[5]))
        self.play(FadeIn(expression[6]), FadeIn(blocks[3]))
        self.wait(1)

        self.step("row")
        k = rows.index(j)
        row_box = SurroundingRectangle(matrix[k], color=palette.HIGHLIGHT, buff=0.08)
        out_box = SurroundingRectangle(result[k], color=palette.HIGHLIGHT, buff=0.08)
        bias_box = SurroundingRectangle(bias[k], color=palette.HIGHLIGHT, buff=0.08)
        self.say("row", j=self.ledger.shown("focus.neuron", spec=COUNT), a=self.ledger.shown("layers.0.hook_a", j, VALUE))
        self.play(Create(row_box))
        self.play(Create(bias_box))
        self.play(Create(out_box))
        self.wait(2)


class ForwardPass(ChapterScene):
    """The digit flows through the network layer by layer; then every edge at once."""

    estimated_seconds = 55.0

    def construct(self):
        sizes = self.sizes()
        layers = len(sizes) - 1
        net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=6.4).shift(LEFT * 1.4 + DOWN * 0.3)
        edges = [net.edges(k, self.ledger.array(f"layers.{k}.weight"), max_width=2.5) for k in range(layers)]
        brace = net.columns[0].brace(self.layer_count(0), LEFT)
        if brace.get_left()[0] < -6.9:
            brace.shift(RIGHT * (-6.9 - brace.get_left()[0]))
        self.step("network")
        title = self.heading()
        legend = self.words("common.weight_legend", font_size=palette.SMALL_SIZE, color=palette.MUTED).to_edge(DOWN, buff=0.25)
        self.say("network")
        self.play(FadeIn(title), FadeIn(net), FadeIn(brace), *(FadeIn(e) for e in edges), FadeIn(legend))
        self.bring_to_front(net)
        self.wait(1)

        self.step("pulse")
        self.say("pulse")
        self.play(net.columns[0].animate.set_activations(self.ledger.array("hook_input")), run_time=1)
        for k in range(layers):
            flash = edges[k].copy().set_stroke(color=palette.HIGHLIGHT)
            self.play(FadeIn(flash), run_time=0.6)
            self.play(
                FadeOut(flash),
                net.columns[k + 1].animate.set_activations(self.ledger.array(f"layers.{k}.hook_a")),
                run_time=0.9,
            )
        self.wait(1)

        self.step("outputs")
        outputs = self.ledger.array(f"layers.{layers - 1}.hook_a")
        bars = Bars(
            outputs,
            self.class_labels(),
            [self.ledger.number(f"layers.{layers - 1}.hook_a", k, decimals=2, font_size=26) for k in range(10)],
            length=2.0,
            row_height=0.5,
        ).to_edge(RIGHT, buff=0.4).shift(DOWN * 0.5)
        predicted = int(self.ledger.value("prediction"))
        box = SurroundingRectangle(bars.row(predicted), color=palette.HIGHLIGHT, buff=0.06)
        verdict = stack(
            self.words("common.guess", d=self.ledger.shown("prediction", spec=COUNT), font_size=palette.LABEL_SIZE),
            self.words("common.truth", d=self.ledger.shown("digit.label", spec=COUNT), font_size=palette.LABEL_SIZE),
            buff=0.1,
        ).next_to(bars, UP, buff=0.3)
        self.say("outputs", d=self.ledger.shown("prediction", spec=COUNT))
        self.play(LaggedStart(*(GrowFromEdge(bar, LEFT) for bar in bars.bars), lag_ratio=0.08), FadeIn(bars.labels), FadeIn(bars.numbers), run_time=2)
        self.play(Create(box), FadeIn(verdict))
        self.wait(2)

        self.step("everything")
        self.play(*(FadeOut(m) for m in self.mobjects if m is not title))
        full = self.full_view(sizes)
        count = self.words("everything_count", n=self.ledger.shown("edges.total", spec=COUNT), font_size=palette.LABEL_SIZE)
        count.to_edge(DOWN, buff=0.3)
        self.say("everything", n=self.ledger.shown("edges.total", spec=COUNT))
        self.play(FadeIn(full["inputs"]), *(FadeIn(c) for c in full["columns"]), FadeIn(count))
        for k in range(layers):
            self.play(FadeIn(full["edges"][k]), run_time=0.8)
            self.bring_to_front(*full["columns"])
            self.play(full["columns"][k].animate.set_activations(self.ledger.array(f"layers.{k}.hook_a")), run_time=0.7)
        self.wait(2)

    def full_view(self, sizes: list[int]) -> dict:
        """Every input pixel as one thin column image and every edge, none sampled away."""
        top, bottom = 2.6, -3.1
        xs = np.linspace(-5.0, 5.0, len(sizes))
        pixels = self.ledger.array("hook_input")
        inputs = pixel_image(palette.grey_image(pixels[:, None]), height=top - bottom)
        inputs.stretch_to_fit_width(0.12).move_to([xs[0], (top + bottom) / 2, 0])
        input_points = np.stack([np.full(len(pixels), xs[0] + 0.06), np.linspace(top, bottom, len(pixels)), np.zeros(len(pixels))], axis=1)
        columns, points = [], [input_points]
        for k, n in enumerate(sizes[1:], start=1):
            column = NetworkDiagram([n, 1], width=1.0, radius=0.1, spacing=(top - bottom) / max(n - 1, 1) * 0.9).columns[0]
            column.move_to([xs[k], (top + bottom) / 2, 0])
            columns.append(column)
            points.append(np.array([c.get_center() for c in column.circles]))
        edges = []
        for k in range(len(sizes) - 1):
            w = self.ledger.array(f"layers.{k}.weight")  # [out, in]
            src, dst = points[k], points[k + 1]
            starts = np.repeat(src[None], len(dst), axis=0).reshape(-1, 3)
            ends = np.repeat(dst[:, None], len(src), axis=1).reshape(-1, 3)
            edges.append(edge_raster(starts, ends, w.reshape(-1), max_width=0.02))
        return {"inputs": inputs, "columns": columns, "edges": edges}


class ParameterCount(ChapterScene):
    """Weights and biases counted from the model, layer by layer."""

    estimated_seconds = 35.0

    def construct(self):
        sizes = self.sizes()
        self.step("count")
        title = self.heading()
        header = [VGroup(), self.words("common.weights", font_size=palette.BODY_SIZE), self.words("common.biases", font_size=palette.BODY_SIZE)]
        cells = list(header)
        for k in range(len(sizes) - 1):
            cells += [
                eq(f"W^{{({k + 1})}},\\ b^{{({k + 1})}}", font_size=38),
                eq(
                    self.ledger.shown("sizes", k + 1, COUNT), r"\times", self.ledger.shown("sizes", k, COUNT), "=",
                    self.ledger.shown(f"params.layers.{k}.weight", spec=COUNT), font_size=38,
                ),
                eq(self.ledger.shown(f"params.layers.{k}.bias", spec=COUNT), font_size=38),
            ]
        table = VGroup(*cells).arrange_in_grid(cols=3, buff=(0.9, 0.45), col_alignments="lrr")
        table.next_to(title, DOWN, buff=0.6).set_x(0)
        rule = Line(table.get_corner(DOWN + LEFT), table.get_corner(DOWN + RIGHT), color=palette.MUTED).shift(DOWN * 0.3)
        total = VGroup(
            self.words("total_label", font_size=palette.BODY_SIZE),
            eq(self.ledger.shown("params.total", spec=COUNT), font_size=52, color=palette.HIGHLIGHT),
        ).arrange(RIGHT, buff=0.4)
        total.next_to(rule, DOWN, buff=0.35).align_to(table, RIGHT)
        self.say("intro")
        self.play(FadeIn(title), FadeIn(header[1]), FadeIn(header[2]))
        for k in range(len(sizes) - 1):
            row = cells[3 * (k + 1) : 3 * (k + 2)]
            self.say(
                "layer_line",
                w=self.ledger.shown(f"params.layers.{k}.weight", spec=COUNT),
                b=self.ledger.shown(f"params.layers.{k}.bias", spec=COUNT),
            )
            self.play(FadeIn(row[0]), Write(row[1]))
            self.play(Write(row[2]))
        self.step("total")
        self.say("total", n=self.ledger.shown("params.total", spec=COUNT))
        self.play(Create(rule), Write(total))
        self.play(Indicate(total[1], color=palette.HIGHLIGHT))
        self.say("knobs")
        self.wait(2)


SCENES = [DigitInput, Layers, OneNeuron, MatrixForm, ForwardPass, ParameterCount]
