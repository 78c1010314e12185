"""Chapter 1 — What is a neural network: one real held-out digit through the trained MLP."""

from __future__ import annotations

import numpy as np
from manim import (
    BLACK,
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
    TransformFromCopy,
    VGroup,
    Write,
)

from netreel.nets import names
from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.diagram import NetworkDiagram, input_window_start
from netreel.scenes.common.formats import COUNT, VALUE
from netreel.scenes.common.layout import keep_inside
from netreel.scenes.common.motion import sweep, trace
from netreel.scenes.common.mobjects import Bars, brackets, cell, edge_raster, grid_lines, pixel_image, stack
from netreel.scenes.common.text import eq, numbered
from netreel.scenes.hope import Hope


PATCH = 5  # the magnified block of pixels, PATCH x PATCH, each with its number
SIDE_BY_SIDE = 0.75  # the sigmoid's and the ReLU's plots, side by side
TICK_SIZE = 30  # still 9 px of cap height at 480p once a plot is scaled to SIDE_BY_SIDE
PATCH_CELL = 0.68  # a magnified pixel's side, room for a two-decimal number at 22 pt


class ChapterScene(NetScene):
    chapter = "network"

    @property
    def side(self) -> int:
        return int(self.facts.meta["side"])

    def sizes(self) -> list[int]:
        return [int(s) for s in self.ledger.array("sizes")]

    def digit_image(self, height: float):
        pixels = self.ledger.array(names.INPUT).reshape(self.side, self.side)
        return pixel_image(palette.grey_image(pixels), height=height)

    def layer_count(self, k: int) -> VGroup:
        """'N neurons' for layer k, the number from the ledger."""
        return self.words("common.n_neurons", n=self.ledger.shown("sizes", k, COUNT), font_size=palette.SMALL_SIZE)

    def class_labels(self, font_size: float = 26) -> list:
        return [self.ledger.integer("classes", k, font_size=font_size) for k in range(10)]

    def rows_with_gaps(self, entry, size: float) -> VGroup:
        """One entry per shown row of MatrixForm's layer, a ⋮ wherever rows are skipped and after the
        last. Here, not on MatrixForm, so that the scene continuing it can replay it."""
        column, self.focus_slot = VGroup(), None
        for previous, r in zip([-1, *self.rows], self.rows):
            if r > previous + 1:
                column.add(eq(r"\vdots", font_size=size))
            if r == self.j:
                self.focus_slot = len(column)
            column.add(entry(r))
        column.add(eq(r"\vdots", font_size=size))
        return column.arrange(DOWN, buff=0.28)

    def pixel_patch(self, n: int = PATCH):
        """An n x n block of the digit where the window's row meets the ink, drawn large with each
        pixel's number: (outline on the image, Group(frame, squares, connectors), numbers). Here,
        not on DigitInput, so that the scenes continuing DigitInput can replay it."""
        side, values = self.side, self.ledger.array(names.INPUT)
        row = self.window_start // side
        inked = np.flatnonzero(values[row * side : (row + 1) * side] > 0.5)
        col = int(inked[0]) if len(inked) else side // 2
        top, left = min(max(row - n // 2, 0), side - n), min(max(col - n // 2, 0), side - n)
        corners = cell(self.image, side, side, top, left), cell(self.image, side, side, top + n - 1, left + n - 1)
        outline = SurroundingRectangle(VGroup(*corners), buff=0, color=palette.HIGHLIGHT, stroke_width=3)
        squares, numbers = VGroup(), VGroup()
        for r in range(top, top + n):
            for c in range(left, left + n):
                value = float(values[r * side + c])
                square = Square(side_length=PATCH_CELL, stroke_color=palette.FAINT, stroke_width=1)
                squares.add(square.set_fill(palette.lit(value), opacity=1.0))
                number = self.ledger.number(names.INPUT, r * side + c, decimals=2, font_size=22)
                numbers.add(number.set_color(BLACK if value > 0.5 else WHITE))
        squares.arrange_in_grid(rows=n, cols=n, buff=0).move_to(RIGHT * 3.2 + DOWN * 0.4)
        for number, square in zip(numbers, squares):
            number.move_to(square)
        frame = SurroundingRectangle(squares, buff=0, color=palette.HIGHLIGHT, stroke_width=3)
        connectors = VGroup(
            *(DashedLine(outline.get_corner(v + RIGHT), frame.get_corner(v + LEFT), color=palette.HIGHLIGHT, stroke_width=2)
              for v in (UP, DOWN))
        )
        return outline, Group(frame, squares, connectors), numbers


class DigitInput(ChapterScene):
    """A held-out digit's pixel grid becomes the input column."""

    estimated_seconds = 30.0
    steps = ("held_out", "pixels", "column")

    def held_out(self):
        self.n = self.sizes()[0]
        self.title = title = self.heading()
        self.image = self.digit_image(4.4).move_to(LEFT * 3.0 + DOWN * 0.4)
        border = SurroundingRectangle(self.image, color=palette.MUTED, buff=0, stroke_width=2)
        label = self.words("label", label=self.ledger.shown("digit.label", spec=COUNT), font_size=palette.LABEL_SIZE)
        label.next_to(self.image, DOWN, buff=0.25)
        self.say("digit", about=[self.image, label], n_test=self.ledger.shown("data.n_test", spec=COUNT))
        self.play(FadeIn(title), FadeIn(self.image), Create(border))
        self.play(Write(label))
        self.wait(1)

    def pixels(self):
        grid = grid_lines(self.image, self.side, self.side)
        self.window_start = input_window_start(self.n)
        self.window = list(range(self.window_start, self.window_start + 16))
        outline, self.patch, numbers = self.pixel_patch()
        self.say("pixels", about=[grid, *numbers], n=self.ledger.shown("sizes", 0, COUNT))
        self.play(Create(grid), run_time=1.5)
        self.play(Create(outline))
        self.play(TransformFromCopy(outline, self.patch[0]), FadeIn(self.patch[1]), FadeIn(self.patch[2]))
        self.play(LaggedStart(*(FadeIn(n) for n in numbers), lag_ratio=0.04), run_time=2)
        self.patch.add(outline, numbers)
        side = self.side
        self.cells = VGroup(*(cell(self.image, side, side, i // side, i % side, stroke_width=2) for i in self.window))
        self.point_at(*self.cells)
        self.play(LaggedStart(*(Create(c) for c in self.cells), lag_ratio=0.08), run_time=2)
        self.wait(1)

    def column(self):
        column = NetworkDiagram([self.n, 1], input_start=self.window_start).columns[0]
        column.move_to(RIGHT * 1.8 + DOWN * 0.45)
        values = self.ledger.array(names.INPUT)
        numbers = VGroup()
        for i, circle in zip(column.indices, column.circles):
            number = self.ledger.number(names.INPUT, i, decimals=2, font_size=palette.LABEL_SIZE)
            numbers.add(number.next_to(circle, RIGHT, buff=0.2))
        brace = column.brace(self.layer_count(0), LEFT)
        column.set_activations(values)
        squares = VGroup()
        for i, c in zip(self.window, self.cells):
            square = Square(side_length=c.width, stroke_width=0).move_to(c)
            squares.add(square.set_fill(palette.lit(float(values[i])), opacity=1.0))
        self.say("column", about=[*column.circles])
        self.play(FadeOut(self.patch))
        self.play(
            LaggedStart(
                *(ReplacementTransform(sq, circle) for sq, circle in zip(squares, column.circles)), lag_ratio=0.05
            ),
            run_time=2.5,
        )
        self.play(FadeIn(column.gaps), FadeIn(brace))
        self.input_column = VGroup(*column.circles, column.gaps)
        self.say("activation", about=[*numbers])
        self.play(LaggedStart(*(FadeIn(num, shift=0.1 * LEFT) for num in numbers), lag_ratio=0.05), run_time=2)
        self.wait(2)


class Layers(ChapterScene):
    """Input, two hidden layers of 16, ten outputs: at most 16 drawn per layer."""

    estimated_seconds = 35.0
    steps = ("input", "output", "hidden", "edges")
    continues = DigitInput  # the digit's column becomes the network's input layer

    def input(self):
        self.layer_sizes = self.sizes()
        self.net = NetworkDiagram(
            self.layer_sizes, input_start=input_window_start(self.layer_sizes[0]), width=8.4, spacing=0.31
        ).shift(DOWN * 0.2)
        self.net.set_layer(0, self.ledger.array(names.INPUT))
        kinds = ["input", "hidden", "hidden", "output"]
        self.layer_captions = VGroup()
        for k, column in enumerate(self.net.columns):
            kind = self.words(f"common.{kinds[k]}_layer", font_size=palette.SMALL_SIZE)
            caption = stack(kind, self.layer_count(k), buff=0.08)
            self.layer_captions.add(caption.next_to(column, DOWN, buff=0.2).set_x(column.get_x()))
        title = self.heading()
        self.say("input", about=[self.net.columns[0], self.layer_captions[0]], n=self.ledger.shown("sizes", 0, COUNT))
        self.hand_over([(self.input_column, self.net.columns[0]), (self.title, title)], self.layer_captions[0])
        self.title = title
        self.play(Indicate(self.net.columns[0].gaps, color=palette.HIGHLIGHT), Indicate(self.layer_captions[0][1]), run_time=2)

    def output(self):
        labels = VGroup(*self.class_labels())
        for k, label in enumerate(labels):
            label.next_to(self.net.columns[-1].circles[k], RIGHT, buff=0.2)
        self.say(
            "output", about=[self.net.columns[-1],
            labels], n=self.ledger.shown("sizes", len(self.layer_sizes) - 1, COUNT),
        )
        self.play(FadeIn(self.net.columns[-1]), FadeIn(labels), FadeIn(self.layer_captions[-1]))
        self.play(LaggedStart(*(Indicate(label, color=palette.HIGHLIGHT) for label in labels), lag_ratio=0.25), run_time=3)

    def hidden(self):
        self.say("hidden", about=[self.net.columns[1], self.net.columns[2]], n=self.ledger.shown("sizes", 1, COUNT))
        self.play(*(FadeIn(self.net.columns[k]) for k in (1, 2)), *(FadeIn(self.layer_captions[k]) for k in (1, 2)))
        self.play(*(Indicate(self.layer_captions[k][1], color=palette.HIGHLIGHT) for k in (1, 2)), run_time=1.5)

    def edges(self):
        edges = VGroup(
            *(self.net.edges(k, self.ledger.array(names.layer(k, "weight"))) for k in range(len(self.layer_sizes) - 1))
        )
        self.say("edges", about=[*edges], n=self.ledger.shown("edges.total", spec=COUNT))
        self.play(LaggedStart(*(Create(e) for e in edges), lag_ratio=0.3), run_time=3)
        self.bring_to_front(self.net)
        self.wait(1)


class OneNeuron(ChapterScene):
    """One first-layer neuron: its weights over the digit, the weighted sum, the bias, the sigmoid."""

    estimated_seconds = 45.0
    steps = ("weights", "overlay", "sum", "sigmoid", "relu")
    continues = Layers  # out of the network: the input layer becomes the digit, the neuron its weights

    def weights(self):
        self.j = int(self.ledger.value("focus.neuron"))
        side = self.side
        height = 2.5
        neuron = self.ledger.shown("focus.neuron", spec=COUNT)
        network_title, self.title = self.title, self.heading()
        self.picture = self.digit_image(height)
        weights = self.ledger.array(names.layer(0, "weight"), self.j)
        scale = float(np.abs(weights).max())
        self.weight_image = pixel_image(palette.signed_image(weights.reshape(side, side), scale), height)
        terms = self.ledger.array("focus.terms")
        self.term_image = pixel_image(palette.signed_image(terms.reshape(side, side), scale), height)
        self.row = Group(self.picture, eq(r"\times"), self.weight_image, eq("="), self.term_image)
        self.row.arrange(RIGHT, buff=0.45).move_to(UP * 0.9)
        self.image_captions = VGroup(
            self.words("pixels_caption", font_size=palette.SMALL_SIZE),
            self.words("weights_caption", j=neuron, font_size=palette.SMALL_SIZE),
            self.words("terms_caption", font_size=palette.SMALL_SIZE),
        )
        for caption, image in zip(self.image_captions, self.row[::2]):
            caption.next_to(image, DOWN, buff=0.15)
        self.legend = self.words("common.weight_legend", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        self.legend.to_edge(DOWN, buff=0.3)
        chosen = self.net.columns[1].circle_for(self.j)
        self.say("weights", about=[chosen, self.picture, self.weight_image], j=neuron)
        self.play(Indicate(chosen, color=palette.HIGHLIGHT, scale_factor=1.8), run_time=1.5)
        self.hand_over(
            [(self.net.columns[0], self.picture), (chosen, self.weight_image), (network_title, self.title)],
            *self.image_captions[:2], self.row[1], self.legend, run_time=2,
        )
        self.wait(1)

    def overlay(self):
        self.say("overlay", about=[self.picture, self.term_image])
        overlay = self.weight_image.copy().set_opacity(0.75)
        self.play(overlay.animate.move_to(self.picture), run_time=1.5)
        self.play(
            FadeIn(self.row[3]),
            ReplacementTransform(overlay, self.term_image),
            FadeIn(self.image_captions[2]),
            run_time=1.5,
        )
        self.wait(1)

    def sum(self):
        j = self.j
        self.total = eq(
            r"\sum_i w_i a_i", "=", self.ledger.shown("focus.weighted_sum", spec=VALUE),
            font_size=36,
        ).next_to(self.image_captions, DOWN, buff=0.45)
        self.bias = eq(
            "z", "=", r"\sum_i w_i a_i", "+", "b",
            "=", self.ledger.shown("focus.weighted_sum", spec=VALUE),
            r"+ (", self.ledger.shown(names.layer(0, "bias"), j, VALUE), ")",
            "=", self.ledger.shown(names.layer(0, "hook_z"), j, VALUE),
            font_size=36,
        ).next_to(self.total, DOWN, buff=0.3)
        self.say("sum", about=[self.total])
        self.play(Write(self.total))
        self.say("bias", about=[self.bias], b=self.ledger.shown(names.layer(0, "bias"), j, VALUE))
        self.play(Write(self.bias))
        self.wait(1)

    def sigmoid(self):
        j = self.j
        z = self.ledger.value(names.layer(0, "hook_z"), j)
        a = self.ledger.value(names.layer(0, "hook_a"), j)
        self.reach = reach = max(6.0, float(np.ceil(abs(z))) + 1)
        self.ledger.span(names.layer(0, "hook_z"), j, -reach, reach)
        self.sigmoid_plot = plot = self.activation_plot(lambda x: 1 / (1 + np.exp(-x)), 1.0, (0.5, 1.0), decimals=1)
        plot.move_to(LEFT * 2.2 + DOWN * 1.3)
        axes, curve = plot[0], plot[1]
        self.dot = dot = Dot(axes.c2p(z, a), color=WHITE, radius=0.1)
        self.guide = guide = DashedLine(axes.c2p(z, 0), axes.c2p(z, a), color=palette.MUTED)
        self.result = result = eq(r"a = \sigma(z) =", self.ledger.shown(names.layer(0, "hook_a"), j, VALUE), font_size=44)
        result.next_to(plot, RIGHT, buff=0.7).shift(UP * 0.5)
        self.say("sigmoid", about=[axes, curve, dot])
        self.play(FadeOut(self.row), FadeOut(self.image_captions), FadeOut(self.total), FadeOut(self.legend))
        self.play(self.bias.animate.next_to(self.title, DOWN, buff=0.5), Create(axes), Create(curve))
        self.play(Create(guide), FadeIn(dot, scale=2))
        self.say("activation", about=[result, dot], a=self.ledger.shown(names.layer(0, "hook_a"), j, VALUE))
        self.play(Write(result))
        self.play(Indicate(result[-1], color=palette.HIGHLIGHT))
        self.wait(1)

    def relu(self):
        relu = self.activation_plot(lambda x: np.maximum(x, 0.0), self.reach, (self.reach,), decimals=0)
        relu.scale(SIDE_BY_SIDE).move_to(RIGHT * 3.4 + DOWN * 0.6)
        formulas = [
            eq(r"\sigma(z) = \frac{1}{1 + e^{-z}}", font_size=34),
            eq(r"\mathrm{ReLU}(z) = \max(0,\ z)", font_size=34),
        ]
        names_ = [self.words(key, font_size=palette.LABEL_SIZE) for key in ("sigmoid_name", "relu_name")]
        self.say("relu", about=[relu, formulas[1], names_[1]])
        self.play(
            FadeOut(self.result), FadeOut(self.guide), FadeOut(self.dot), FadeOut(self.bias),
            self.sigmoid_plot.animate.scale(SIDE_BY_SIDE).move_to(LEFT * 3.4 + DOWN * 0.6),
        )
        for formula, name, plot in zip(formulas, names_, (self.sigmoid_plot, relu)):
            formula.next_to(plot, DOWN, buff=0.35)
            name.next_to(plot, UP, buff=0.3)
        self.play(FadeIn(names_[0]), Write(formulas[0]))
        self.play(Create(relu[0]), Create(relu[1]), FadeIn(names_[1]), run_time=1.5)
        self.play(Write(formulas[1]))
        self.say("ours", about=[self.sigmoid_plot, names_[0]])
        self.play(Indicate(names_[0], color=palette.HIGHLIGHT), self.sigmoid_plot[1].animate.set_stroke(width=6))
        self.wait(1)

    def activation_plot(self, fn, top: float, y_ticks: tuple[float, ...], decimals: int) -> VGroup:
        """Axes over z in [-reach, reach] with the curve a = fn(z), the axes named z and a."""
        reach = self.reach
        axes = Axes(
            x_range=[-reach, reach, reach / 2], y_range=[0, top, top / 2], x_length=7, y_length=3,
            axis_config={"color": palette.MUTED, "include_tip": False},
        )
        for x in (-reach, 0, reach):
            axes.add(self.ledger.tick(x, font_size=TICK_SIZE).next_to(axes.c2p(x, 0), DOWN, buff=0.15))
        for y in y_ticks:
            axes.add(self.ledger.tick(y, decimals=decimals, font_size=TICK_SIZE).next_to(axes.c2p(-reach, y), LEFT, buff=0.15))
        axes.add(eq("z", font_size=36).next_to(axes.c2p(reach, 0), RIGHT, buff=0.2))
        axes.add(eq("a", font_size=36).next_to(axes.c2p(0, top), UP, buff=0.15))
        curve = axes.plot(fn, color=palette.HIGHLIGHT)
        return VGroup(axes, curve)


class MatrixForm(ChapterScene):
    """a(1) = sigma(W a(0) + b) with real entries beside the layer it computes: the focus neuron's
    row highlighted with its edges, each shown weight lit on its edge as it meets its pixel."""

    estimated_seconds = 40.0
    steps = ("formula", "numbers", "row")

    def formula(self):
        sizes = self.sizes()
        self.j = int(self.ledger.value("focus.neuron"))
        start = input_window_start(sizes[0])
        self.cols = list(range(start + 6, start + 9))
        self.rows = sorted({0, 1, self.j} | ({2} if self.j > 2 else set()))[:4]
        self.title = title = self.heading()
        first, inputs = (numbered("a", self.ledger.ordinal("sizes", layer)) for layer in (1, 0))
        self.equation = eq(first, "=", r"\sigma\big(", "W", inputs, "+", "b", r"\big)", font_size=48)
        self.equation.next_to(title, DOWN, buff=0.4).set_x(1.6)
        self.layer = NetworkDiagram(sizes[:2], input_start=start, width=2.2, radius=0.1, spacing=0.22)
        self.layer.move_to(LEFT * 4.6 + DOWN * 0.2)
        self.layer.set_layer(0, self.ledger.array(names.INPUT))
        self.layer.set_layer(1, self.ledger.array(names.layer(0, "hook_a")))
        self.layer_edges = self.layer.edges(0, self.ledger.array(names.layer(0, "weight")), max_width=1.2)
        captions = VGroup(
            *(self.layer_count(k).next_to(column, DOWN, buff=0.2) for k, column in enumerate(self.layer.columns))
        )
        for caption in captions:
            caption.align_to(captions[0], UP)
        self.say("formula", about=[self.equation, self.layer.columns[1]], m=self.ledger.shown("sizes", 1, COUNT))
        self.play(FadeIn(title), FadeIn(self.layer_edges), FadeIn(self.layer), FadeIn(captions))
        self.bring_to_front(self.layer)
        self.play(Write(self.equation))
        self.play(
            LaggedStart(*(Indicate(c, color=palette.HIGHLIGHT) for c in self.layer.columns[1].circles), lag_ratio=0.1),
            Indicate(self.equation[0], color=palette.HIGHLIGHT),
            run_time=2,
        )

    def numbers(self):
        size = 28
        cols = self.cols
        w_key, b_key, a_key = (names.layer(0, tensor) for tensor in ("weight", "bias", "hook_a"))
        self.matrix = self.rows_with_gaps(
            lambda r: VGroup(
                eq(r"\cdots", font_size=size),
                *(self.ledger.number(w_key, (r, c), decimals=2, font_size=size) for c in cols),
                eq(r"\cdots", font_size=size),
            ).arrange(RIGHT, buff=0.22),
            size,
        )
        vector = self.vector = VGroup(
            eq(r"\vdots", font_size=size),
            *(self.ledger.number(names.INPUT, c, decimals=2, font_size=size) for c in cols),
            eq(r"\vdots", font_size=size),
        ).arrange(DOWN, buff=0.2)
        self.bias = self.rows_with_gaps(lambda r: self.ledger.number(b_key, r, decimals=2, font_size=size), size)
        self.result = self.rows_with_gaps(lambda r: self.ledger.number(a_key, r, decimals=2, font_size=size), size)
        blocks = [VGroup(m, brackets(m)) for m in (self.matrix, vector, self.bias, self.result)]
        expression = VGroup(
            eq(r"\sigma\Big(", font_size=48), blocks[0], blocks[1], eq("+", font_size=40), blocks[2],
            eq(r"\Big)", font_size=48), eq("=", font_size=40), blocks[3],
        ).arrange(RIGHT, buff=0.25)
        expression.next_to(self.equation, DOWN, buff=0.6).set_x(1.6)
        if expression.width > 9.4:
            expression.scale_to_fit_width(9.4)
        dims = eq(
            "W:", self.ledger.shown("sizes", 1, COUNT), r"\times", self.ledger.shown("sizes", 0, COUNT), font_size=30,
        ).next_to(blocks[0], DOWN, buff=0.3)
        shown_inputs = [self.layer.columns[0].circle_for(c) for c in cols]
        self.say(
            "numbers", about=[blocks[0], blocks[1], *shown_inputs],
            n=self.ledger.shown("sizes", 0, COUNT), m=self.ledger.shown("sizes", 1, COUNT),
        )
        self.play(FadeIn(blocks[0]), FadeIn(expression[0]), FadeIn(dims), run_time=1.5)
        self.play(
            *(TransformFromCopy(circle, number) for circle, number in zip(shown_inputs, vector[1:-1])),
            FadeIn(vector[0]), FadeIn(vector[-1]), FadeIn(blocks[1][1]),
            FadeIn(expression[3]), FadeIn(blocks[2]), FadeIn(expression[5]),
        )
        self.play(FadeIn(expression[6]), FadeIn(blocks[3]))
        self.play(sweep([self.matrix[:-1], vector[1:-1], self.result[:-1]]), run_time=2)

    def row(self):
        k = self.focus_slot
        row_box = SurroundingRectangle(self.matrix[k], color=palette.HIGHLIGHT, buff=0.08)
        out_box = SurroundingRectangle(self.result[k], color=palette.HIGHLIGHT, buff=0.08)
        bias_box = SurroundingRectangle(self.bias[k], color=palette.HIGHLIGHT, buff=0.08)
        neuron = self.layer.columns[1].circle_for(self.j)
        starts, ends, pairs = self.layer.edge_points(0)
        own = [Line(starts[p], ends[p], color=palette.HIGHLIGHT, stroke_width=3) for p, (j, _) in enumerate(pairs) if j == self.j]
        shown = [self.layer.columns[0].circle_for(c) for c in self.cols]
        ring = SurroundingRectangle(neuron, color=palette.HIGHLIGHT, buff=0.06)
        self.say(
            "row", about=[self.matrix[k], self.result[k], row_box, neuron],
            j=self.ledger.shown("focus.neuron", spec=COUNT),
            a=self.ledger.shown(names.layer(0, "hook_a"), self.j, VALUE),
        )
        self.play(Create(row_box), Create(ring), self.layer_edges.animate.set_stroke(opacity=0.15), *(Create(e) for e in own))
        self.play(sweep(list(zip(self.matrix[k][1:-1], shown, self.vector[1:-1]))), run_time=2)
        self.play(Create(bias_box))
        self.play(Create(out_box), TransformFromCopy(self.result[k], ring))
        self.play(Indicate(neuron, color=palette.HIGHLIGHT, scale_factor=1.6))
        self.wait(1)


class ForwardPass(ChapterScene):
    """The digit flows through the network layer by layer; then every edge at once."""

    estimated_seconds = 55.0
    steps = ("network", "pulse", "outputs", "everything")
    continues = MatrixForm  # the layer beside the matrix grows into the whole network

    def network(self):
        layer_title, layer = self.title, self.layer
        self.layer_sizes = self.sizes()
        self.layers = len(self.layer_sizes) - 1
        self.net = NetworkDiagram(
            self.layer_sizes, input_start=input_window_start(self.layer_sizes[0]), width=6.4
        ).shift(LEFT * 1.4 + DOWN * 0.3)
        brace = self.net.columns[0].brace(self.layer_count(0), LEFT)
        keep_inside(VGroup(self.net, brace))  # the brace's count is wider on MNIST's 784 inputs
        self.edges = [
            self.net.edges(k, self.ledger.array(names.layer(k, "weight")), max_width=2.5) for k in range(self.layers)
        ]
        self.title = self.heading()
        legend = self.words("common.weight_legend", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        legend.to_edge(DOWN, buff=0.25)
        self.output_labels = VGroup(*self.class_labels(font_size=22))
        for circle, label in zip(self.net.columns[-1].circles, self.output_labels):
            label.next_to(circle, RIGHT, buff=0.15)
        self.say("network", about=[self.net, *self.edges, self.output_labels])
        grown = [(old, new) for old, new in zip(layer.columns, self.net.columns)]
        self.hand_over(
            [(layer_title, self.title), *grown],
            *self.net.columns[len(grown):], brace, *self.edges, legend, self.output_labels,
        )
        self.remove(*self.net.columns)
        self.add(self.net)
        self.wait(1)

    def pulse(self):
        digit = self.digit_image(2.2).move_to(RIGHT * 4.6 + UP * 0.4)
        self.say("pulse", about=[self.net, digit])
        self.play(FadeIn(digit))
        self.play(
            digit.animate.scale(0.2).move_to(self.net.columns[0]).set_opacity(0),
            self.net.columns[0].animate.set_activations(self.ledger.array(names.INPUT)),
            run_time=1.2,
        )
        self.remove(digit)
        for k in range(self.layers):
            flash = self.edges[k].copy().set_stroke(color=palette.HIGHLIGHT)
            self.play(FadeIn(flash), run_time=0.6)
            self.play(
                FadeOut(flash),
                self.net.columns[k + 1].animate.set_activations(self.ledger.array(names.layer(k, "hook_a"))),
                run_time=0.9,
            )
        self.wait(1)

    def outputs(self):
        bars = Bars.for_classes(
            self.ledger, names.layer(self.layers - 1, "hook_a"), font_size=26, length=2.0, row_height=0.5
        ).to_edge(RIGHT, buff=0.6).shift(DOWN * 0.5)
        predicted = int(self.ledger.value("prediction"))
        box = SurroundingRectangle(bars.row(predicted), color=palette.HIGHLIGHT, buff=0.06)
        neuron = self.net.columns[-1].circles[predicted]
        neuron_box = SurroundingRectangle(VGroup(neuron, self.output_labels[predicted]), color=palette.HIGHLIGHT, buff=0.05)
        verdict = stack(
            self.words("common.guess", d=self.ledger.shown("prediction", spec=COUNT), font_size=palette.LABEL_SIZE),
            self.words("common.truth", d=self.ledger.shown("digit.label", spec=COUNT), font_size=palette.LABEL_SIZE),
            buff=0.1,
        ).next_to(bars, UP, buff=0.3)
        self.say("outputs", about=[bars.labels, bars.numbers, box, neuron_box], d=self.ledger.shown("prediction", spec=COUNT))
        self.play(
            LaggedStart(*(GrowFromEdge(bar, LEFT) for bar in bars.bars), lag_ratio=0.08),
            FadeIn(bars.labels), FadeIn(bars.numbers), run_time=2,
        )
        self.play(Create(neuron_box), Indicate(neuron, color=palette.HIGHLIGHT))
        self.play(TransformFromCopy(neuron_box, box), FadeIn(verdict))
        self.wait(2)

    def everything(self):
        full = self.full_view(self.layer_sizes)
        count = self.words(
            "everything_count", n=self.ledger.shown("edges.total", spec=COUNT), font_size=palette.LABEL_SIZE
        ).to_edge(DOWN, buff=0.3)
        self.say(
            "everything", about=[full["inputs"],
            *full["columns"], count, *full["edges"]], n=self.ledger.shown("edges.total", spec=COUNT),
        )
        self.hand_over([(self.title, self.title.copy())], full["inputs"], *full["columns"], count)
        for k in range(self.layers):
            self.play(FadeIn(full["edges"][k]), run_time=0.8)
            self.bring_to_front(*full["columns"])
            activations = self.ledger.array(names.layer(k, "hook_a"))
            self.play(full["columns"][k].animate.set_activations(activations), run_time=0.7)
        self.wait(2)

    def full_view(self, sizes: list[int]) -> dict:
        """Every input pixel as one thin column image and every edge, none sampled away."""
        top, bottom = 2.6, -3.1
        xs = np.linspace(-5.0, 5.0, len(sizes))
        pixels = self.ledger.array(names.INPUT)
        inputs = pixel_image(palette.grey_image(pixels[:, None]), height=top - bottom)
        inputs.stretch_to_fit_width(0.12).move_to([xs[0], (top + bottom) / 2, 0])
        input_points = np.stack(
            [np.full(len(pixels), xs[0] + 0.06), np.linspace(top, bottom, len(pixels)), np.zeros(len(pixels))], axis=1
        )
        columns, points = [], [input_points]
        for k, n in enumerate(sizes[1:], start=1):
            spacing = (top - bottom) / max(n - 1, 1) * 0.9
            column = NetworkDiagram([n, 1], width=1.0, radius=0.1, spacing=spacing).columns[0]
            column.move_to([xs[k], (top + bottom) / 2, 0])
            columns.append(column)
            points.append(np.array([c.get_center() for c in column.circles]))
        edges = []
        for k in range(len(sizes) - 1):
            w = self.ledger.array(names.layer(k, "weight"))  # [out, in]
            src, dst = points[k], points[k + 1]
            starts = np.repeat(src[None], len(dst), axis=0).reshape(-1, 3)
            ends = np.repeat(dst[:, None], len(src), axis=1).reshape(-1, 3)
            edges.append(edge_raster(starts, ends, w.reshape(-1), max_width=0.02))
        return {"inputs": inputs, "columns": columns, "edges": edges}


class ParameterCount(ChapterScene):
    """Weights and biases counted from the model, layer by layer, each row lit on its layer of the
    network; then the network as one function of its inputs."""

    estimated_seconds = 35.0
    steps = ("count", "total")
    continues = Hope  # the hope's picture gives way to the count

    def count(self):
        sizes = self.sizes()
        hope_title, title = self.title, self.heading()
        self.net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=3.4, radius=0.07, spacing=0.19)
        self.net.move_to(LEFT * 4.4 + DOWN * 0.3)
        self.edges = [self.net.edges(k, self.ledger.array(names.layer(k, "weight")), max_width=1.2) for k in range(len(sizes) - 1)]
        header = [
            VGroup(),
            self.words("common.weights", font_size=palette.BODY_SIZE),
            self.words("common.biases", font_size=palette.BODY_SIZE),
        ]
        cells = list(header)
        for k in range(len(sizes) - 1):
            cells += [
                eq(numbered("W", self.ledger.ordinal("sizes", k + 1)), r",\ ", numbered("b", self.ledger.ordinal("sizes", k + 1)), font_size=38),
                eq(
                    self.ledger.shown("sizes", k + 1, COUNT), r"\times", self.ledger.shown("sizes", k, COUNT), "=",
                    self.ledger.shown(self.params(k, "weight"), spec=COUNT), font_size=38,
                ),
                eq(self.ledger.shown(self.params(k, "bias"), spec=COUNT), font_size=38),
            ]
        table = VGroup(*cells).arrange_in_grid(cols=3, buff=(0.7, 0.45), col_alignments="lrr")
        table.next_to(title, DOWN, buff=0.6).set_x(2.6)
        self.rule = Line(table.get_corner(DOWN + LEFT), table.get_corner(DOWN + RIGHT), color=palette.MUTED)
        self.rule.shift(DOWN * 0.3)
        self.total_line = VGroup(
            self.words("total_label", font_size=palette.BODY_SIZE),
            eq(self.ledger.shown("params.total", spec=COUNT), font_size=52, color=palette.HIGHLIGHT),
        ).arrange(RIGHT, buff=0.4)
        self.total_line.next_to(self.rule, DOWN, buff=0.35).align_to(table, RIGHT)
        self.say("intro", about=[header[1], header[2], self.net])
        self.hand_over([(hope_title, title)], *self.edges, self.net, header[1], header[2])
        self.bring_to_front(self.net)
        self.rows = [cells[3 * (k + 1) : 3 * (k + 2)] for k in range(len(sizes) - 1)]
        for k, row in enumerate(self.rows):
            biased = self.net.columns[k + 1].circles
            self.say(
                "layer_line", about=[row[1], row[2], self.edges[k], biased],
                w=self.ledger.shown(self.params(k, "weight"), spec=COUNT),
                b=self.ledger.shown(self.params(k, "bias"), spec=COUNT),
            )
            self.play(FadeIn(row[0]), Write(row[1]), trace(self.edges[k], time_width=1.0), run_time=1.5)
            self.play(Write(row[2]), LaggedStart(*(Indicate(c, color=palette.HIGHLIGHT) for c in biased), lag_ratio=0.05))

    def total(self):
        self.say("total", about=[self.total_line], n=self.ledger.shown("params.total", spec=COUNT))
        self.play(Create(self.rule), Write(self.total_line))
        self.play(Indicate(self.total_line[1], color=palette.HIGHLIGHT))
        counts = [cell for row in self.rows for cell in row[1:]]
        outputs = len(self.net.columns) - 1
        ends = [
            self.words(key, n=self.ledger.shown("sizes", k, COUNT), font_size=palette.SMALL_SIZE).next_to(self.net.columns[k], DOWN, buff=0.25)
            for key, k in (("inputs_label", 0), ("outputs_label", outputs))
        ]
        ends[0].align_to(self.net.columns[0], LEFT)
        ends[1].align_to(ends[0], UP)
        box = SurroundingRectangle(VGroup(self.net, *ends), color=palette.HIGHLIGHT, buff=0.2, corner_radius=0.15)
        self.say(
            "knobs", about=[self.total_line, box, *ends, *counts],
            i=self.ledger.shown("sizes", 0, COUNT), n=self.ledger.shown("params.total", spec=COUNT),
        )
        self.play(Create(box), *(FadeIn(e) for e in ends))
        self.play(Indicate(self.net.columns[0], color=palette.HIGHLIGHT), Indicate(ends[0], color=palette.HIGHLIGHT))
        self.play(Indicate(self.net.columns[-1], color=palette.HIGHLIGHT), Indicate(ends[1], color=palette.HIGHLIGHT))
        self.play(LaggedStart(*(Indicate(cell, color=palette.HIGHLIGHT) for cell in counts), lag_ratio=0.3), run_time=3)
        self.play(Indicate(self.total_line[1], color=palette.HIGHLIGHT))
        self.wait(1)

    @staticmethod
    def params(k: int, tensor: str) -> str:
        """The fact counting layer ``k``'s ``tensor`` (weight or bias)."""
        return f"params.{names.layer(k, tensor)}"


SCENES = [DigitInput, Layers, OneNeuron, MatrixForm, ForwardPass, Hope, ParameterCount]
