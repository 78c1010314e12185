"""Chapter 4 — What backprop is really doing: one real example's wishes, a real minibatch, SGD."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    WHITE,
    Animation,
    Circle,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    Line,
    SurroundingRectangle,
    VGroup,
    VMobject,
    Write,
    linear,
)

from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.diagram import NetworkDiagram, input_window_start
from netreel.scenes.common.formats import COUNT, VALUE, VALUE1, VALUE4
from netreel.scenes.common.mobjects import NeuronColumn, brackets, cell, edge_buckets, nudge_arrow, pixel_image
from netreel.scenes.common.motion import sweep, trace
from netreel.scenes.common.plots import param_parts, polyline, surface_map
from netreel.scenes.common.text import eq, turned


WISH_CELL = 0.3  # the side of one cell of the wishes grid
X_SUM, X_EQUAL, X_EXACT = -1.6, -0.65, 0.3  # the columns of the sums, the signs and autograd's numbers beside it


def grow(arrows: VGroup) -> LaggedStart:
    """Nudge arrows growing one after another from their tails: up ones from below, down ones from above."""
    return LaggedStart(
        *(GrowFromEdge(a, DOWN if a.get_end()[1] >= a.get_start()[1] else UP) for a in arrows), lag_ratio=0.05
    )


class ChapterScene(NetScene):
    chapter = "backprop"


class DesiredNudges(ChapterScene):
    """The output layer's real desired nudges for one "2", as arrows proportional to -dC0/da."""

    estimated_seconds = 31.0
    steps = ("example", "outputs", "nudges", "sizes")
    rows = [2.35 - 0.54 * k for k in range(10)]
    x_class, x_circle, x_a, x_arrow, x_nudge = -2.6, -1.9, -0.7, 0.55, 1.55

    def example(self):
        self.label = self.ledger.shown("example.label", spec=COUNT)
        title = self.heading()
        image = self.digit("example.pixels", None, 2.6).move_to(LEFT * 5.3 + UP * 0.6)
        caption = self.words("label", label=self.label, font_size=palette.LABEL_SIZE).next_to(image, DOWN, buff=0.2)
        state = self.words("untrained", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        state.next_to(caption, DOWN, buff=0.25)
        self.say("example", about=[image, caption], label=self.label)
        self.play(FadeIn(title), FadeIn(image), FadeIn(caption), FadeIn(state))

    def outputs(self):
        rows = self.rows
        classes = VGroup(
            *(self.ledger.integer("classes", k, font_size=28).move_to([self.x_class, rows[k], 0]) for k in range(10))
        )
        values = self.ledger.array("out.a")
        circles = VGroup(*(
            Circle(radius=0.2, stroke_color=palette.NEURON_STROKE, stroke_width=2)
            .set_fill(palette.lit(float(v)), 1.0)
            .move_to([self.x_circle, rows[k], 0])
            for k, v in enumerate(values)
        ))
        numbers = VGroup(
            *(self.ledger.number("out.a", k, 2, font_size=28).move_to([self.x_a, rows[k], 0]) for k in range(10))
        )
        truth = int(self.ledger.value("example.label"))
        box = SurroundingRectangle(VGroup(classes[truth], numbers[truth]), color=palette.HIGHLIGHT, buff=0.08)
        self.say("outputs", about=[circles, *numbers, box], label=self.label)
        self.play(
            FadeIn(classes), FadeIn(circles), LaggedStart(*(FadeIn(n) for n in numbers), lag_ratio=0.08), run_time=1.5
        )
        self.play(Create(box))

    def nudges(self):
        nudges = self.ledger.array("out.nudge")
        scale = float(np.abs(nudges).max())
        self.arrows = VGroup(
            *(nudge_arrow(float(v), scale, 0.5).move_to([self.x_arrow, self.rows[k], 0]) for k, v in enumerate(nudges))
        )
        self.nudge_numbers = VGroup(*(
            self.ledger.number("out.nudge", k, 2, font_size=26).move_to([self.x_nudge, self.rows[k], 0])
            for k in range(10)
        ))
        cost = eq(r"C_0 = \sum_j (a_j - y_j)^2", font_size=38).move_to(RIGHT * 4.55 + UP * 1.0)
        formula = eq(r"-\frac{\partial C_0}{\partial a_j} = -2\,(a_j - y_j)", font_size=42)
        formula.next_to(cost, DOWN, buff=0.5)
        self.say("nudges", about=[*self.arrows, self.nudge_numbers, formula])
        self.play(Write(cost), Write(formula))
        self.play(
            grow(self.arrows),
            FadeIn(self.nudge_numbers),
            run_time=2,
        )

    def sizes(self):
        biggest = int(self.ledger.value("out.biggest"))
        self.say(
            "sizes", about=[self.arrows[biggest], self.nudge_numbers[biggest]],
            d=self.ledger.shown("out.biggest", spec=COUNT), v=self.ledger.shown("out.nudge", biggest, VALUE),
        )
        self.play(
            Indicate(self.arrows[biggest], color=palette.HIGHLIGHT),
            Indicate(self.nudge_numbers[biggest], color=palette.HIGHLIGHT),
        )
        self.wait(1)


class ThreeLevers(ChapterScene):
    """One output neuron's bias, weights and inputs, with the real nudge each should get."""

    estimated_seconds = 50.0
    steps = ("levers", "bias", "weights", "strong", "prev")
    lever_names = (
        ("lever_bias", r"\Delta b_j"),
        ("lever_weights", r"\Delta w_{jk} \propto a_k"),
        ("lever_prev", r"\Delta a_k \propto w_{jk}"),
    )

    def levers(self):
        j = int(self.ledger.value("lever.j"))
        d = self.ledger.shown("lever.j", spec=COUNT)
        prev_a = self.ledger.array("prev.a")
        n = len(prev_a)
        self.column = NeuronColumn(n, list(range(n)), radius=0.12, spacing=0.31).move_to(LEFT * 4.0 + DOWN * 0.5)
        self.column.set_activations(prev_a)
        target = Circle(radius=0.32, stroke_color=palette.NEURON_STROKE, stroke_width=2)
        target.set_fill(palette.lit(self.ledger.value("out.a", j)), 1.0)
        target.move_to(LEFT * 1.2 + DOWN * 0.5)
        self.target = target
        self.starts = np.array([c.get_right() for c in self.column.circles])
        self.ends = np.repeat(target.get_left()[None], n, axis=0)
        edges = edge_buckets(self.starts, self.ends, self.ledger.array("lever.w"), max_width=4.0)
        name = self.ledger.integer("lever.j", font_size=28).next_to(target, DOWN, buff=0.15)
        self.lever_list = VGroup(*(
            VGroup(self.words(key, font_size=palette.LABEL_SIZE), eq(rule, font_size=30)).arrange(RIGHT, buff=0.2)
            for key, rule in self.lever_names
        )).arrange(DOWN, buff=0.18, aligned_edge=LEFT)
        self.lever_list.set_color(palette.MUTED).move_to(LEFT * 1.0 + UP * 1.75)

        title = self.heading()
        formula = eq(r"a_j = \sigma\Big(\sum_k w_{jk}\, a_k + b_j\Big)", font_size=40).move_to(RIGHT * 3.7 + UP * 2.3)
        self.values = eq(
            "a_j =", self.ledger.shown("out.a", j, VALUE), r",\quad y_j =", self.ledger.shown("out.y", j, COUNT),
            font_size=34,
        ).next_to(formula, DOWN, buff=0.3)
        self.say("levers", about=[edges, self.column, target, self.lever_list], d=d)
        self.play(FadeIn(title), FadeIn(edges), FadeIn(self.column), FadeIn(target), FadeIn(name))
        self.bring_to_front(self.column, target)
        self.play(sweep(list(self.column.circles)), run_time=2)
        self.play(trace(edges), Write(formula), run_time=1.5)
        self.play(Indicate(target, color=palette.HIGHLIGHT), FadeIn(self.values))
        self.play(LaggedStart(*(FadeIn(item, shift=0.2 * RIGHT) for item in self.lever_list), lag_ratio=0.4), run_time=1.5)

    def light(self, lever: int) -> list[Animation]:
        """The lever being pulled stands out in the list; the others go back to grey."""
        return [
            item.animate.set_color(palette.HIGHLIGHT if k == lever else palette.MUTED)
            for k, item in enumerate(self.lever_list)
        ]

    def bias(self):
        self.bias_rule = VGroup(
            eq(r"-\frac{\partial C_0}{\partial b_j} = -\sigma'(z_j)\cdot 2(a_j - y_j)", font_size=34),
            eq(
                "= -", self.ledger.shown("lever.sigma_prime", spec=VALUE4), r"\cdot (",
                self.ledger.shown("lever.dc_da", spec=VALUE4), ") =", self.ledger.shown("lever.bias", spec=VALUE4),
                font_size=34,
            ),
        ).arrange(DOWN, buff=0.15)
        self.bias_rule.next_to(self.values, DOWN, buff=0.4).set_x(3.7)
        self.say(
            "bias", about=[self.bias_rule, self.target, self.lever_list[0]],
            s=self.ledger.shown("lever.sigma_prime", spec=VALUE4),
            b=self.ledger.shown("lever.bias", spec=VALUE4),
        )
        self.play(*self.light(0), Write(self.bias_rule))
        self.play(Indicate(self.target, color=palette.HIGHLIGHT))

    def weights(self):
        self.weight_rule = eq(
            r"-\frac{\partial C_0}{\partial w_{jk}} = -\sigma'(z_j)\cdot 2(a_j - y_j)\cdot a_k", font_size=34
        ).next_to(self.bias_rule, DOWN, buff=0.4)
        self.weight_nudges = self.value_column("lever.weights")
        self.caption = self.words("weights_caption", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        self.caption.next_to(self.weight_nudges, UP, buff=0.2)
        self.caption.align_to(self.weight_nudges, RIGHT)
        self.say("weights", about=[self.weight_rule, *self.weight_nudges, self.lever_list[1]])
        self.play(*self.light(1), Write(self.weight_rule))
        self.play(
            FadeIn(self.caption), LaggedStart(*(FadeIn(v) for v in self.weight_nudges), lag_ratio=0.05), run_time=1.5
        )

    def strong(self):
        strong = [int(k) for k in self.ledger.array("lever.strong")]
        self.lines = VGroup(
            *(Line(self.starts[k], self.ends[k], color=palette.HIGHLIGHT, stroke_width=6) for k in strong)
        )
        self.rings = VGroup(*(
            SurroundingRectangle(
                VGroup(self.column.circles[k], self.weight_nudges[k]), color=palette.HIGHLIGHT, buff=0.05
            )
            for k in strong
        ))
        brightest = sum(([self.ledger.shown("prev.a", k, VALUE), ","] for k in strong), [])[:-1]
        changes = sum(([self.ledger.shown("lever.weights", k, VALUE4), ","] for k in strong), [])[:-1]
        self.carried = VGroup(
            eq(r"a_k:", *brightest, font_size=32),
            eq(r"-\frac{\partial C_0}{\partial w_{jk}}:", *changes, font_size=32),
        ).arrange(DOWN, buff=0.15, aligned_edge=LEFT).next_to(self.weight_rule, DOWN, buff=0.35)
        self.say("strong", about=[self.lines, self.rings, self.carried])
        self.play(Create(self.rings), FadeIn(self.carried[0]))
        self.play(Create(self.lines), FadeIn(self.carried[1]))
        self.play(*(trace(line, width=8) for line in self.lines), run_time=1.5)

    def prev(self):
        prev_rule = eq(
            r"-\frac{\partial C_0}{\partial a_k} = -\sigma'(z_j)\cdot 2(a_j - y_j)\cdot w_{jk}", font_size=34
        ).move_to(self.carried)
        prev_nudges = self.value_column("lever.prev")
        prev_caption = self.words("prev_caption", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        prev_caption.move_to(self.caption, aligned_edge=RIGHT)
        self.say("prev", about=[prev_rule, *prev_nudges, self.lever_list[2]])
        self.play(*self.light(2), FadeOut(self.lines), FadeOut(self.rings), FadeOut(self.carried), FadeIn(prev_rule))
        self.play(
            FadeOut(self.weight_nudges),
            FadeOut(self.caption),
            LaggedStart(*(FadeIn(v) for v in prev_nudges), lag_ratio=0.05),
            FadeIn(prev_caption),
            run_time=1.5,
        )
        self.play(sweep(list(zip(self.column.circles, prev_nudges))), run_time=3)

    def value_column(self, key: str) -> VGroup:
        """One real number beside each neuron of the previous layer, blue if positive, red if negative."""
        values = self.ledger.array(key)
        out = VGroup()
        for k, circle in enumerate(self.column.circles):
            colour = palette.POSITIVE if values[k] > 0 else palette.NEGATIVE
            out.add(self.ledger.number(key, k, 3, font_size=22, color=colour).next_to(circle, LEFT, buff=0.2))
        return out


class Backpropagate(ChapterScene):
    """Every output neuron's wishes for the previous layer, summed: the real -dC0/da^(L-1), equal to autograd."""

    estimated_seconds = 36.0
    steps = ("one", "all", "sum", "autograd")

    def one(self):
        wishes = self.ledger.array("wishes")  # [10, 16]
        n_out, self.n_prev = wishes.shape
        size, n_prev = WISH_CELL, self.n_prev
        grid = self.grid = pixel_image(palette.signed_image(wishes.T), height=size * n_prev)
        grid.move_to(LEFT * 4.4 + DOWN * 0.55)
        frame = SurroundingRectangle(grid, buff=0, color=palette.MUTED, stroke_width=1.5)
        top, left = grid.get_top()[1], grid.get_left()[0]
        col_labels = VGroup(*(
            self.ledger.integer("classes", j, font_size=22).move_to([left + size * (j + 0.5), top + 0.22, 0])
            for j in range(n_out)
        ))
        outputs_axis = self.words("outputs_axis", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        outputs_axis.next_to(col_labels, UP, buff=0.12)
        prev_axis = self.words("prev_axis", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        turned(prev_axis).next_to(grid, LEFT, buff=0.2)
        legend = self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(frame, DOWN, buff=0.15)
        self.rows_y = [top - size * (k + 0.5) for k in range(n_prev)]

        def column(c: int) -> Line:
            return Line([left + size * c, top, 0], [left + size * (c + 1), top - size * n_prev, 0])

        j = int(self.ledger.value("lever.j"))
        self.title = title = self.heading()
        self.strip = SurroundingRectangle(column(j), buff=0, color=palette.HIGHLIGHT, stroke_width=3)
        self.cover = VGroup(*(
            SurroundingRectangle(column(c), buff=0, stroke_width=0).set_fill(palette.BACKGROUND, 1.0)
            for c in range(n_out)
            if c != j
        ))
        self.say("one", about=[grid, self.strip], d=self.ledger.shown("lever.j", spec=COUNT))
        self.play(
            FadeIn(title), FadeIn(grid), FadeIn(self.cover), Create(frame), FadeIn(col_labels), FadeIn(outputs_axis),
            FadeIn(prev_axis), FadeIn(legend), Create(self.strip),
        )
        self.play(sweep([cell(grid, n_prev, n_out, r, j) for r in range(n_prev)]), run_time=4)

    def all(self):
        self.say("all", about=[self.grid])
        self.play(FadeOut(self.cover), FadeOut(self.strip), run_time=1.5)

    def sum(self):
        formula = VGroup(
            eq(r"-\frac{\partial C_0}{\partial a^{(L-1)}_k}", font_size=38),
            eq(r"= \sum_j -w_{jk}\, \sigma'(z_j)\, 2(a_j - y_j)", font_size=38),
        ).arrange(DOWN, buff=0.2, aligned_edge=LEFT).move_to(RIGHT * 4.2 + UP * 1.6)
        sums = VGroup(*(
            self.ledger.number("prev.nudge", k, 4, font_size=22).move_to([X_SUM, self.rows_y[k], 0])
            for k in range(self.n_prev)
        ))
        sum_label = self.words("sum_label", font_size=palette.SMALL_SIZE).next_to(sums, UP, buff=0.15)
        self.say("sum", about=[formula, *sums])
        self.play(Write(formula))
        self.play(
            LaggedStart(*(FadeIn(s, shift=0.3 * RIGHT) for s in sums), lag_ratio=0.05), FadeIn(sum_label), run_time=1.5
        )

    def autograd(self):
        exact = VGroup(*(
            self.ledger.number("prev.autograd", k, 4, font_size=22).move_to([X_EXACT, self.rows_y[k], 0])
            for k in range(self.n_prev)
        ))
        exact_label = self.words("autograd_label", font_size=palette.SMALL_SIZE).next_to(exact, UP, buff=0.15)
        signs = VGroup(*(eq("=", font_size=24).move_to([X_EQUAL, y, 0]) for y in self.rows_y))
        self.say("autograd", about=[*exact, signs])
        self.play(
            LaggedStart(*(FadeIn(e) for e in exact), lag_ratio=0.05), FadeIn(signs), FadeIn(exact_label), run_time=1.5
        )


class BackwardSweep(ChapterScene):
    """The same example's nudges swept back through the whole network, layer by layer, to the
    first layer's weights: every arrow and edge colour a real -dC0/da or -dC0/dw, by autograd."""

    estimated_seconds = 45.0
    continues = Backpropagate  # the summed wishes give way to the network they came from
    steps = ("outputs", "last", "first_hidden", "weights", "all")
    longest = 0.32  # the longest arrow of each layer, about the spacing of its neurons

    def outputs(self):
        sizes = [int(s) for s in self.ledger.array("sizes")]
        self.net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=7.4, radius=0.12, spacing=0.3)
        self.net.move_to(LEFT * 2.6 + DOWN * 0.2)
        for k, key in enumerate(("example.pixels", "back.h1", "prev.a", "out.a")):
            self.net.set_layer(k, self.ledger.array(key))
        self.faint = [self.backwards(k) for k in range(len(sizes) - 1)]
        classes = VGroup(*(
            self.ledger.integer("classes", j, font_size=22).next_to(circle, RIGHT, buff=0.12)
            for j, circle in enumerate(self.net.neurons(3))
        ))
        note = self.words("scale_note", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        note.move_to(RIGHT * 4.5 + UP * 2.6)
        title = self.heading()
        self.out_arrows = self.arrows(3, "out.nudge", offset=0.55)
        self.say("outputs", about=[self.net, self.out_arrows], label=self.ledger.shown("example.label", spec=COUNT))
        self.hand_over([(self.title, title)], *self.faint, self.net, classes, note)
        self.play(grow(self.out_arrows), run_time=2)
        self.play(sweep(list(zip(self.net.neurons(3), self.out_arrows))), run_time=3)

    def last(self):
        self.edges_2 = self.nudged(2, self.ledger.array("back.w3"))
        self.h2_arrows = self.arrows(2, "prev.nudge")
        self.say("last", about=[self.edges_2, self.h2_arrows])
        self.play(trace(self.faint[2]), run_time=2)
        self.play(FadeIn(self.edges_2), grow(self.h2_arrows), run_time=2)
        self.bring_to_front(self.net)

    def first_hidden(self):
        self.edges_1 = self.nudged(1, self.ledger.array("back.w2"))
        self.h1_arrows = self.arrows(1, "back.a1")
        self.say("first_hidden", about=[self.edges_1, self.h1_arrows])
        self.play(self.edges_2.animate.set_stroke(opacity=0.3), trace(self.faint[1]), run_time=2)
        self.play(FadeIn(self.edges_1), grow(self.h1_arrows), run_time=2)
        self.bring_to_front(self.net)

    def weights(self):
        neuron = int(self.ledger.value("back.neuron"))
        nudges = self.ledger.array("back.w1")
        side = int(round(len(nudges) ** 0.5))
        circle = self.net.columns[1].circle_for(neuron)
        column = self.net.columns[0]
        starts = np.array([c.get_right() for c in column.circles])
        ends = np.repeat(circle.get_left()[None], len(starts), axis=0)
        into = edge_buckets(ends, starts, nudges[column.indices], max_width=4.0)
        image = pixel_image(palette.signed_image(nudges.reshape(side, side)), height=2.4).move_to(RIGHT * 4.5 + UP * 0.5)
        frame = SurroundingRectangle(image, buff=0, color=palette.MUTED, stroke_width=1.5)
        ring = Circle(radius=0.2, color=palette.HIGHLIGHT, stroke_width=4).move_to(circle)
        link = Line(ring.get_right(), frame.get_left(), color=palette.HIGHLIGHT, stroke_width=2)
        caption = self.words(
            "image_caption", k=self.ledger.shown("back.neuron", spec=COUNT), n=self.ledger.shown("sizes", 0, COUNT),
            font_size=palette.SMALL_SIZE, color=palette.MUTED,
        ).next_to(frame, DOWN, buff=0.15)
        legend = self.words("image_legend", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        legend.next_to(caption, DOWN, buff=0.1)
        self.say("weights", about=[image, ring, into], n=self.ledger.shown("sizes", 0, COUNT))
        self.play(
            self.edges_1.animate.set_stroke(opacity=0.3), Create(ring),
            trace(into), run_time=2,
        )
        self.play(FadeIn(into), Create(link), FadeIn(image), Create(frame), FadeIn(caption), FadeIn(legend), run_time=2)
        self.bring_to_front(self.net, ring)

    def all(self):
        count = self.words("count", n=self.ledger.shown("batch.count", spec=COUNT), font_size=palette.LABEL_SIZE)
        count.move_to(RIGHT * 4.3 + DOWN * 2.1)
        self.say("all", about=[count, self.net], n=self.ledger.shown("batch.count", spec=COUNT))
        self.play(FadeIn(count, shift=0.2 * UP))
        self.play(*(trace(edges, time_width=0.8) for edges in self.faint), run_time=2.5)

    def backwards(self, k: int) -> VMobject:
        """The drawn edges from layer k to k + 1, faint and running backwards (for a flash from right to left)."""
        starts, ends, _ = self.net.edge_points(k)
        path = VMobject(stroke_color=palette.FAINT, stroke_width=1, stroke_opacity=0.6)
        for a, b in zip(ends, starts):
            path.start_new_path(a)
            path.add_line_to(b)
        return path

    def nudged(self, k: int, nudges: np.ndarray) -> VGroup:
        """The drawn edges from layer k to k + 1 coloured by their weights' real nudges [out, in]."""
        starts, ends, pairs = self.net.edge_points(k)
        return edge_buckets(ends, starts, np.array([nudges[j, i] for j, i in pairs]), max_width=3.0)

    def arrows(self, k: int, key: str, offset: float = 0.28) -> VGroup:
        """Layer k's real nudges as arrows beside its drawn neurons, scaled to that layer's largest."""
        values = self.ledger.array(key)
        column = self.net.columns[k]
        scale = float(np.abs(values[column.indices]).max())
        return VGroup(*(
            nudge_arrow(float(values[i]), scale, self.longest).move_to(column.circle_for(i).get_center() + RIGHT * offset)
            for i in column.indices
        ))


class MinibatchAverage(ChapterScene):
    """A real minibatch, one column per digit: each one's nudges for the ten output biases as a
    coloured grid, their row averages, and the step they add up to."""

    estimated_seconds = 36.0
    steps = ("batch", "grid", "average", "update")
    cell_size = 0.4
    x_mean, x_step = 4.35, 5.75

    def batch(self):
        values = self.ledger.array("batch.values")  # [B, rows]
        self.n_batch, self.n_rows = values.shape
        size = self.cell_size
        self.table = pixel_image(palette.signed_image(values.T), height=size * self.n_rows).move_to(LEFT * 0.6 + DOWN * 0.7)
        left, top = self.table.get_left()[0], self.table.get_top()[1]
        self.xs = [left + size * (b + 0.5) for b in range(self.n_batch)]
        self.ys = [top - size * (r + 0.5) for r in range(self.n_rows)]
        self.images = Group(*(
            self.digit("batch.pixels", b, size * 0.95).move_to([self.xs[b], top + 0.3, 0]) for b in range(self.n_batch)
        ))
        self.labels = VGroup(*(
            self.ledger.integer("batch.label", b, font_size=22, color=palette.MUTED).move_to([self.xs[b], top + 0.75, 0])
            for b in range(self.n_batch)
        ))
        title = self.heading()
        self.say(
            "batch", about=[*self.images],
            label=self.ledger.shown("example.label", spec=COUNT), n=self.ledger.shown("sgd.batch", spec=COUNT)
        )
        self.play(FadeIn(title), LaggedStart(*(FadeIn(i) for i in self.images), lag_ratio=0.1), run_time=2)
        self.play(LaggedStart(*(FadeIn(n) for n in self.labels), lag_ratio=0.05), run_time=1.5)

    def grid(self):
        frame = SurroundingRectangle(self.table, buff=0, color=palette.MUTED, stroke_width=1.5)
        row_names = VGroup(*(
            eq(*param_parts(self.ledger, "batch.rows.name", (r,)), font_size=26).move_to([0, y, 0])
            for r, y in enumerate(self.ys)
        ))
        row_names.next_to(frame, LEFT, buff=0.2)
        legend = self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(frame, DOWN, buff=0.12)
        legend.align_to(frame, LEFT)
        rest = self.words(
            "rest", n=self.ledger.shown("batch.rest", spec=COUNT), font_size=palette.SMALL_SIZE, color=palette.MUTED
        ).next_to(frame, DOWN, buff=0.12).align_to(frame, RIGHT)
        own = [self.own_row(int(self.ledger.value("batch.label", b))) for b in range(self.n_batch)]
        cells = [cell(self.table, self.n_rows, self.n_batch, r, b) for b, r in enumerate(own)]
        self.say("grid", about=[self.table, row_names, *self.images])
        self.play(FadeIn(self.table), Create(frame), FadeIn(row_names), FadeIn(legend), FadeIn(rest), run_time=1.5)
        self.play(sweep([(c, self.images[b]) for b, c in enumerate(cells)]), run_time=5)

    def own_row(self, label: int) -> int:
        """The grid row of the bias of the output neuron for ``label``."""
        neurons = self.ledger.array("batch.rows.name")[:, 1].astype(int)
        return int(np.flatnonzero(neurons == label)[0])

    def average(self):
        means = VGroup(*(
            self.ledger.number("batch.mean", r, 3, font_size=22, color=palette.HIGHLIGHT).move_to([self.x_mean, y, 0])
            for r, y in enumerate(self.ys)
        ))
        mean_label = self.words("average_label", font_size=palette.SMALL_SIZE).next_to(means, UP, buff=0.2)
        box = brackets(means, buff=0.12)
        self.say("average", about=[*means, box])
        self.play(sweep([cell(self.table, self.n_rows, 1, r, 0) for r in range(self.n_rows)]), run_time=2.5)
        self.play(
            FadeIn(mean_label),
            Create(box),
            LaggedStart(*(FadeIn(m, shift=0.3 * RIGHT) for m in means), lag_ratio=0.1),
            run_time=2,
        )

    def update(self):
        step_values = self.ledger.array("batch.step")
        steps = VGroup(*(
            self.ledger.number(
                "batch.step", r, 3, font_size=22, color=palette.POSITIVE if step_values[r] > 0 else palette.NEGATIVE
            ).move_to([self.x_step, y, 0])
            for r, y in enumerate(self.ys)
        ))
        step_label = eq(r"\times\,\eta =", self.ledger.shown("batch.lr", spec=VALUE1), font_size=26)
        step_label.next_to(steps, UP, buff=0.2)
        self.say("step", about=[*steps, step_label], lr=self.ledger.shown("batch.lr", spec=VALUE1))
        self.play(
            FadeIn(step_label), LaggedStart(*(FadeIn(s, shift=0.3 * RIGHT) for s in steps), lag_ratio=0.1), run_time=2
        )
        self.wait(1)


class StochasticDescent(ChapterScene):
    """Full-batch and minibatch descent on Chapter 2's real two-weight cost surface, both computed."""

    estimated_seconds = 35.0
    steps = ("surface", "full", "mini", "compare")

    def surface(self):
        picture, self.plot = surface_map(self.ledger, self.ledger.array("sgd.cost"), self.ledger.array("sgd.u"), self.ledger.array("sgd.v"), 5.6)
        picture.move_to(LEFT * 2.55 + DOWN * 0.25)
        u_name = eq(*param_parts(self.ledger, "sgd.name", (0,)), font_size=32).next_to(picture, DOWN, buff=0.1)
        v_name = eq(*param_parts(self.ledger, "sgd.name", (1,)), font_size=32).next_to(picture, LEFT, buff=0.15)
        self.paths = self.ledger.array("sgd.full"), self.ledger.array("sgd.mini")
        start = Dot(self.plot.p(*self.paths[0][0]), radius=0.09, color=palette.HIGHLIGHT)
        title = self.heading()
        self.say("surface", about=[picture, start], lr=self.ledger.shown("sgd.lr", spec=COUNT))
        self.play(FadeIn(title), FadeIn(picture), FadeIn(u_name), FadeIn(v_name))
        self.play(FadeIn(start, scale=2))

    def full(self):
        path = self.paths[0]
        line = polyline(self.plot.points_of(path[:, 0], path[:, 1]), stroke_color=WHITE, stroke_width=3)
        self.full_key = self.legend(WHITE, "full", "data.n_train").move_to(RIGHT * 3.9 + UP * 1.6)
        self.say("full_step", about=[self.full_key, line], n=self.ledger.shown("data.n_train", spec=COUNT))
        self.play(FadeIn(self.full_key))
        self.play(Create(line), run_time=4, rate_func=linear)

    def mini(self):
        path = self.paths[1]
        line = polyline(self.plot.points_of(path[:, 0], path[:, 1]), stroke_color=palette.NEGATIVE, stroke_width=2.5)
        self.mini_key = self.legend(palette.NEGATIVE, "mini", "sgd.batch").next_to(self.full_key, DOWN, buff=0.5).align_to(self.full_key, LEFT)
        self.say("mini_step", about=[self.mini_key, line], b=self.ledger.shown("sgd.batch", spec=COUNT))
        self.play(FadeIn(self.mini_key))
        self.play(Create(line), run_time=4, rate_func=linear)

    def compare(self):
        full, mini = self.paths
        count = self.words("steps", n=self.ledger.shown("sgd.steps", spec=COUNT), font_size=palette.LABEL_SIZE).next_to(self.mini_key, DOWN, buff=0.6).align_to(self.full_key, LEFT)
        reads = VGroup(
            self.words("read", n=self.ledger.shown("sgd.examples.full", spec=COUNT), font_size=palette.LABEL_SIZE, color=WHITE),
            self.words("read", n=self.ledger.shown("sgd.examples.mini", spec=COUNT), font_size=palette.LABEL_SIZE, color=palette.NEGATIVE),
        ).arrange(DOWN, buff=0.2, aligned_edge=LEFT).next_to(count, DOWN, buff=0.25).align_to(count, LEFT)
        ends = VGroup(Dot(self.plot.p(*full[-1]), radius=0.09, color=WHITE), Dot(self.plot.p(*mini[-1]), radius=0.09, color=palette.NEGATIVE))
        together = int(self.ledger.value("sgd.valleys")) == 1
        self.say(
            "compare" if together else "compare_apart", about=[ends, count, reads],
            s=self.ledger.shown("sgd.steps", spec=COUNT),
            m=self.ledger.shown("sgd.examples.mini", spec=COUNT), f=self.ledger.shown("sgd.examples.full", spec=COUNT),
        )
        self.play(FadeIn(ends, scale=2), FadeIn(count), FadeIn(reads))
        self.wait(1)

    def legend(self, colour, key: str, per_step_key: str) -> VGroup:
        """A line in the path's colour, its name, and how many digits each of its steps reads."""
        swatch = Line(LEFT * 0.3, RIGHT * 0.3, color=colour, stroke_width=5)
        name = self.words(key, font_size=palette.LABEL_SIZE)
        per_step = self.words("per_step", n=self.ledger.shown(per_step_key, spec=COUNT), font_size=palette.SMALL_SIZE, color=palette.MUTED)
        return VGroup(VGroup(swatch, name).arrange(RIGHT, buff=0.2), per_step).arrange(DOWN, buff=0.1, aligned_edge=LEFT)


SCENES = [DesiredNudges, ThreeLevers, Backpropagate, BackwardSweep, MinibatchAverage, StochasticDescent]
