"""Chapter 2 — Gradient descent: the real cost of the digit network, its slopes, its training."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DL,
    DOWN,
    DR,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    WHITE,
    Arrow,
    BackgroundRectangle,
    Brace,
    Circle,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    Line,
    ManimColor,
    MoveAlongPath,
    Rectangle,
    ReplacementTransform,
    Succession,
    SurroundingRectangle,
    Transform,
    Triangle,
    ValueTracker,
    VGroup,
    VMobject,
    Write,
    always_redraw,
    linear,
    rate_functions,
)

from netreel.nets import names
from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.diagram import NetworkDiagram, input_window_start
from netreel.scenes.common.heightmap import HIGH, LOW, MID, contour_levels
from netreel.scenes.common.formats import COUNT, PERCENT1, VALUE4, VALUE6
from netreel.scenes.common.mobjects import brackets, nudge_arrow, pixel_image, stack
from netreel.scenes.common.motion import swap, sweep
from netreel.scenes.common.plots import Plot, param_parts, polyline, surface_map
from netreel.scenes.common.text import eq


class ChapterScene(NetScene):
    chapter = "descent"

    def param(self, key: str, index: tuple = (), font_size: float = 32):
        return eq(*param_parts(self.ledger, key, index), font_size=font_size)


class OneExampleCost(ChapterScene):
    """Ten outputs beside the one-hot target, the ten squared differences, their sum; untrained, then trained."""

    estimated_seconds = 40.0
    steps = ("example", "outputs", "target", "terms", "sum", "trained")
    ROWS = [1.95 - 0.5 * k for k in range(10)]
    XS = {"class": -3.15, "circle": -2.45, "a": -1.25, "y": 0.45, "term": 2.35}  # each column's x

    def example(self):
        label = self.ledger.shown("example.label", spec=COUNT)
        title = self.heading()
        image = self.digit("example.pixels", None, 2.6).move_to(LEFT * 5.2 + UP * 0.5)
        caption = self.words("label", label=label, font_size=palette.LABEL_SIZE).next_to(image, DOWN, buff=0.2)
        self.state = self.words("untrained", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        self.state.next_to(caption, DOWN, buff=0.3)
        self.say("example", about=[image, caption], label=label)
        self.play(FadeIn(title), FadeIn(image), FadeIn(caption), FadeIn(self.state))

    def outputs(self):
        rows, xs = self.ROWS, self.XS
        heads = (("a", "a_j"), ("y", "y_j"), ("term", "(a_j - y_j)^2"))
        self.headers = VGroup(*(eq(tex, font_size=36).move_to([xs[k], 2.65, 0]) for k, tex in heads))
        self.classes = VGroup(
            *(self.ledger.integer("classes", k, font_size=28).move_to([xs["class"], rows[k], 0]) for k in range(10))
        )
        blank = VGroup(*(Circle(radius=0.18, stroke_color=palette.NEURON_STROKE, stroke_width=2) for _ in range(10)))
        for circle, y in zip(blank, rows):
            circle.move_to([xs["circle"], y, 0])
        self.circles = self.lit(blank, "untrained")
        self.output_numbers, self.term_numbers = self.columns("untrained")
        self.say("outputs", about=[self.circles, *self.output_numbers])
        self.play(
            FadeIn(self.classes),
            FadeIn(self.circles),
            FadeIn(self.headers[0]),
            LaggedStart(*(FadeIn(o) for o in self.output_numbers), lag_ratio=0.08),
            run_time=2,
        )

    def target(self):
        rows, xs = self.ROWS, self.XS
        target = VGroup(
            *(self.ledger.integer("example.target", k, font_size=30).move_to([xs["y"], rows[k], 0]) for k in range(10))
        )
        truth = int(self.ledger.value("example.label"))
        box = SurroundingRectangle(VGroup(self.classes[truth], target[truth]), color=palette.HIGHLIGHT, buff=0.08)
        self.say("target", about=[*target, box])
        self.play(FadeIn(self.headers[1]), LaggedStart(*(FadeIn(t) for t in target), lag_ratio=0.08), run_time=1.5)
        self.play(Create(box))

    def terms(self):
        self.say("terms", about=[*self.term_numbers])
        self.play(
            FadeIn(self.headers[2]),
            LaggedStart(*(FadeIn(t, shift=0.2 * RIGHT) for t in self.term_numbers), lag_ratio=0.08),
            run_time=2,
        )

    def sum(self):
        brace = Brace(VGroup(*self.term_numbers), RIGHT, color=palette.MUTED)
        self.cost = self.total("untrained").next_to(brace, RIGHT, buff=0.2)
        formula = eq(r"C_0 = \sum_{j=0}^{9} (a_j - y_j)^2", font_size=36)
        formula.next_to(self.cost, UP, buff=0.6).align_to(self.cost, LEFT)
        self.say("sum", about=[self.cost, formula], c=self.ledger.shown("example.untrained.cost", spec=VALUE4))
        self.play(Create(brace), Write(formula))
        self.play(Write(self.cost))
        self.play(Indicate(self.cost, color=palette.HIGHLIGHT))

    def trained(self):
        new_state = self.words("trained", font_size=palette.LABEL_SIZE, color=palette.MUTED).move_to(self.state)
        new_outputs, new_terms = self.columns("trained")
        new_total = self.total("trained").move_to(self.cost, aligned_edge=LEFT)
        self.say(
            "trained_step", about=[*new_outputs, new_total], c=self.ledger.shown("example.trained.cost", spec=VALUE4),
        )
        self.play(
            swap(self.state, new_state),
            *(swap(a, b) for a, b in zip(self.output_numbers, new_outputs)),
            *(swap(a, b) for a, b in zip(self.term_numbers, new_terms)),
            swap(self.cost, new_total),
            Transform(self.circles, self.lit(self.circles, "trained")),
            run_time=2,
        )
        self.play(Indicate(new_total, color=palette.HIGHLIGHT))
        self.wait(1)

    def columns(self, state: str) -> tuple[VGroup, VGroup]:
        """The network's ten outputs and the ten squared differences, in their columns."""
        rows, xs = self.ROWS, self.XS
        outputs = VGroup(*(self.ledger.number(f"example.{state}.output", k, 2, font_size=30) for k in range(10)))
        terms = VGroup(*(self.ledger.number(f"example.{state}.terms", k, 4, font_size=30) for k in range(10)))
        for output, term, y in zip(outputs, terms, rows):
            output.move_to([xs["a"], y, 0])
            term.move_to([xs["term"], y, 0])
        return outputs, terms

    def lit(self, circles: VGroup, state: str) -> VGroup:
        """A copy of the output circles lit by the network's real outputs."""
        lit = circles.copy()
        for circle, value in zip(lit, self.ledger.array(f"example.{state}.output")):
            circle.set_fill(palette.lit(float(value)), opacity=1.0)
        return lit

    def total(self, state: str):
        return eq(r"=", self.ledger.shown(f"example.{state}.cost", spec=VALUE4), font_size=44, color=palette.HIGHLIGHT)


class AverageCost(ChapterScene):
    """Per-example costs of the first training digits, then the average over all of them; untrained, then trained."""

    estimated_seconds = 25.0
    steps = ("many", "average", "trained", "compare")

    def many(self):
        n_shown = len(self.ledger.array("avg.index"))
        title = self.heading()
        xs = np.linspace(-5.0, 5.4, n_shown)
        self.images = Group(*(self.digit("avg.pixels", k, 1.25).move_to([xs[k], 1.75, 0]) for k in range(n_shown)))
        self.cost_numbers = self.costs("untrained")
        row_label = eq("C_k", font_size=36).next_to(self.cost_numbers, LEFT, buff=0.35)
        rest = self.words(
            "rest", n=self.ledger.shown("avg.rest", spec=COUNT), font_size=palette.LABEL_SIZE, color=palette.MUTED
        )
        rest.next_to(self.cost_numbers, DOWN, buff=0.3).align_to(self.cost_numbers, RIGHT)
        self.say("many", about=[*self.images, *self.cost_numbers])
        self.play(FadeIn(title), LaggedStart(*(FadeIn(i) for i in self.images), lag_ratio=0.1), run_time=1.5)
        self.play(
            FadeIn(row_label),
            LaggedStart(*(FadeIn(c) for c in self.cost_numbers), lag_ratio=0.1),
            FadeIn(rest),
            run_time=1.5,
        )

    def average(self):
        self.n_train = self.ledger.shown("data.n_train", spec=COUNT)
        self.mean = self.formula("untrained").move_to(DOWN * 0.55)
        self.state = self.words("untrained", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        self.state.next_to(self.mean, DOWN, buff=0.25)
        self.say("average", about=[self.mean], n=self.n_train, c=self.ledger.shown("cost.untrained", spec=VALUE4))
        self.play(Write(self.mean), FadeIn(self.state))
        self.play(Indicate(self.mean[-1], color=palette.HIGHLIGHT))

    def trained(self):
        new_costs = self.costs("trained")
        new_formula = self.formula("trained").move_to(self.mean, aligned_edge=LEFT)
        self.new_state = self.words("trained", font_size=palette.LABEL_SIZE, color=palette.MUTED).move_to(self.state)
        self.say("trained_step", about=[*new_costs, new_formula], c=self.ledger.shown("cost.trained", spec=VALUE4))
        self.play(
            *(swap(a, b) for a, b in zip(self.cost_numbers, new_costs)),
            swap(self.mean, new_formula),
            swap(self.state, self.new_state),
            run_time=2,
        )

    def compare(self):
        bars = self.bars().to_edge(DOWN, buff=0.45)
        self.say(
            "compare", about=[*bars[0], bars[1]],
            a=self.ledger.shown("cost.untrained", spec=VALUE4),
            b=self.ledger.shown("cost.trained", spec=VALUE4),
        )
        self.play(FadeOut(self.new_state))
        self.play(*(GrowFromEdge(bar, LEFT) for bar in bars[0]), FadeIn(bars[1]), run_time=1.5)
        self.wait(1)

    def formula(self, state: str):
        """The average cost over the training set, with its value for the network in ``state``."""
        cost = self.ledger.shown(f"cost.{state}", spec=VALUE4)
        return eq(r"C = \frac{1}{", self.n_train, r"} \sum_{k} C_k", "=", cost, font_size=48)

    def costs(self, state: str) -> VGroup:
        """Each shown digit's cost, under its image."""
        return VGroup(
            *(
                self.ledger.number(f"avg.{state}.cost", k, 3, font_size=28).next_to(image, DOWN, buff=0.2)
                for k, image in enumerate(self.images)
            )
        )

    def bars(self) -> VGroup:
        """The two averages as bars on one scale: untrained above, trained below."""
        length = 7.0
        top = self.ledger.value("cost.untrained")
        bars, labels = VGroup(), VGroup()
        for k, state in enumerate(("untrained", "trained")):
            value = self.ledger.value(f"cost.{state}")
            y = -0.6 * k
            bar = Rectangle(width=max(length * value / top, 0.01), height=0.42, stroke_width=0)
            bar.set_fill(palette.NEGATIVE if k == 0 else palette.POSITIVE, 1.0)
            bar.move_to([-2.5, y, 0], aligned_edge=LEFT)
            name = self.words(state, font_size=palette.LABEL_SIZE).next_to([-2.5, y, 0], LEFT, buff=0.25)
            number = self.ledger.number(f"cost.{state}", decimals=4, font_size=28).next_to(bar, RIGHT, buff=0.2)
            bars.add(bar)
            labels.add(name, number)
        return VGroup(bars, labels)


class OneWeight(ChapterScene):
    """The real cost along one weight, its slope, and balls rolling down by real gradient steps."""

    estimated_seconds = 55.0
    steps = ("slice", "curve", "slope", "one_step", "balls", "valleys")

    def slice(self):
        self.grid, self.cost = self.ledger.array("curve.grid"), self.ledger.array("curve.cost")
        pad = 0.08 * (self.cost.max() - self.cost.min())
        self.cost_range = self.ledger.span("curve.cost", None, self.cost.min() - pad, self.cost.max() + pad)
        grid_range = self.ledger.span("curve.grid", None, self.grid[0], self.grid[-1])
        self.plot = Plot(self.ledger, grid_range, self.cost_range, 10.6, 4.1, font_size=24)
        self.plot.move_to(DOWN * 0.75 + RIGHT * 0.55)
        x_label = VGroup(self.words("axis_w", font_size=palette.LABEL_SIZE), self.param("curve.name", font_size=34))
        x_label.arrange(RIGHT, buff=0.15).next_to(self.plot, DOWN, buff=0.2)
        y_label = self.words("axis_c", font_size=palette.LABEL_SIZE)
        y_label.next_to(self.plot, UP, buff=0.1).align_to(self.plot, LEFT)
        title = self.heading()
        net, edges, weight, name = self.weight_in_network()
        self.say(
            "slice", about=[weight, name, self.plot],
            epoch=self.ledger.shown("terrain.epoch", spec=COUNT),
            rest=self.ledger.shown("curve.others", spec=COUNT),
        )
        self.play(FadeIn(title), FadeIn(edges), FadeIn(net))
        self.play(Create(weight), FadeIn(name), run_time=1.2)
        self.play(
            FadeOut(net), FadeOut(edges), FadeOut(weight), ReplacementTransform(name, x_label[1]),
            Create(self.plot), FadeIn(x_label[0]), FadeIn(y_label), run_time=1.5,
        )
        self.turn_weight(x_label[1])

    def weight_in_network(self) -> tuple:
        """The network's connections, dimmed, with the one weight the curve varies lit and named."""
        sizes = [int(s) for s in self.ledger.array("sizes")]
        layer, neuron, source = (int(v) for v in self.ledger.array("curve.name"))
        net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=7.0, radius=0.1, spacing=0.24)
        net.move_to(DOWN * 0.6)
        edges = VGroup()  # where the connections are, not their values (the weights of that epoch are not drawn)
        for k in range(len(sizes) - 1):
            starts, ends, _ = net.edge_points(k)
            edges.add(*(Line(a, b, color=palette.MUTED, stroke_width=0.6, stroke_opacity=0.35) for a, b in zip(starts, ends)))
        start, end = net.columns[layer - 1].circle_for(source), net.columns[layer].circle_for(neuron)
        weight = Line(start.get_right(), end.get_left(), color=palette.HIGHLIGHT, stroke_width=6)
        name = self.param("curve.name", font_size=34)
        name.add_background_rectangle(opacity=0.8, buff=0.06).next_to(weight, UP, buff=0.1)
        return net, edges, weight, name

    def turn_weight(self, name):
        """The one weight turned through the curve's range and back, a line across the plot at its value,
        while its name is lit: the change the words speak of."""
        now = self.ledger.value("curve.current")
        knots = [now, self.grid[0], self.grid[-1], now]  # the weight's path: to one end, the other, and back
        clock = ValueTracker(0)
        low, top = self.cost_range

        def at_value():
            w = float(np.interp(clock.get_value(), range(len(knots)), knots))
            line = Line(self.plot.p(w, low), self.plot.p(w, top), color=palette.HIGHLIGHT, stroke_width=3, stroke_opacity=0.7)
            tip = Triangle(color=palette.HIGHLIGHT, fill_opacity=1, stroke_width=0).scale(0.12)
            return VGroup(line, tip.move_to(self.plot.p(w, low), aligned_edge=DOWN))

        marker = always_redraw(at_value)
        self.add(marker)
        self.play(
            clock.animate(run_time=6, rate_func=linear).set_value(len(knots) - 1),
            sweep([name]),
        )
        marker.clear_updaters()
        self.play(FadeOut(marker))

    def curve(self):
        plot, grid, cost = self.plot, self.grid, self.cost
        line = polyline(plot.points_of(grid, cost), stroke_color=palette.POSITIVE, stroke_width=4)
        now_w = self.ledger.value("curve.current")
        now = Dot(plot.p(now_w, float(np.interp(now_w, grid, cost))), color=WHITE, radius=0.08)
        corners = (plot.p(grid[0], self.cost_range[0]), plot.p(grid[-1], self.cost_range[1]))
        self.now_label = beside(
            self.words("now", font_size=palette.SMALL_SIZE, color=palette.MUTED), now, line.get_points(), corners
        )
        self.now_dot = now
        self.say("curve", about=[line, now])
        self.play(Create(line), run_time=2.5)
        self.play(FadeIn(now), FadeIn(self.now_label))

    def slope(self):
        plot = self.plot
        self.ball_index = int(self.ledger.value("curve.tangent"))
        w0, c0 = self.ledger.value("curve.tangent.w"), self.ledger.value("curve.tangent.cost")
        self.tangent_point = (w0, c0)
        slope = self.ledger.value("curve.tangent.slope")
        reach = 0.1 * (self.grid[-1] - self.grid[0])
        self.tangent = Line(
            plot.p(w0 - reach, c0 - slope * reach), plot.p(w0 + reach, c0 + slope * reach),
            color=palette.HIGHLIGHT, stroke_width=4,
        )
        self.ball = Dot(plot.p(w0, c0), color=palette.HIGHLIGHT, radius=0.1)
        slope_text = eq(
            r"\frac{\partial C}{\partial w} =", self.ledger.shown("curve.tangent.slope", spec=VALUE6), font_size=36
        )
        slope_text.move_to([plot.get_left()[0], 2.35, 0], aligned_edge=LEFT)
        self.say(
            "slope_up" if slope > 0 else "slope_down", about=[self.tangent, self.ball, slope_text],
            s=self.ledger.shown("curve.tangent.slope", spec=VALUE6),
        )
        self.play(FadeOut(self.now_label), FadeOut(self.now_dot), self.slide_tangent(w0, reach))  # one point on the curve: the tangent's
        self.play(FadeIn(self.ball), Create(self.tangent))
        self.play(Write(slope_text))
        self.play(sweep([slope_text, self.tangent]))

    def slide_tangent(self, w0: float, reach: float):
        """A tangent that runs along the curve from the network's value out to the flat end and back to the
        ball's, turning with the slope of the drawn curve: at any value the slope says which way is downhill."""
        plot, grid, cost = self.plot, self.grid, self.cost
        slopes = np.gradient(cost, grid)
        knots = [self.ledger.value("curve.current"), grid[0] + 2 * reach, w0]  # out to the flat end, back to the ball
        clock = ValueTracker(0)

        def line_at():
            w = float(np.interp(clock.get_value(), range(len(knots)), knots))
            c, m = float(np.interp(w, grid, cost)), float(np.interp(w, grid, slopes))
            return Line(plot.p(w - reach, c - m * reach), plot.p(w + reach, c + m * reach), color=palette.MUTED, stroke_width=3)

        sliding = always_redraw(line_at)
        self.add(sliding)
        return Succession(
            clock.animate(run_time=5, rate_func=rate_functions.ease_in_out_sine).set_value(len(knots) - 1), FadeOut(sliding),
        )

    def one_step(self):
        plot, b = self.plot, self.ball_index
        w0, c0 = self.tangent_point
        w1 = self.ledger.value("curve.balls", (b, 1))
        rule = eq(
            r"w \leftarrow w - \eta \frac{\partial C}{\partial w}, \quad \eta =",
            self.ledger.shown("curve.lr", spec=COUNT),
            font_size=36,
        )
        rule.move_to([plot.get_right()[0], 2.35, 0], aligned_edge=RIGHT)
        arrow = Arrow(
            plot.p(w0, c0), plot.p(w1, c0),
            buff=0, color=palette.HIGHLIGHT, stroke_width=5, max_tip_length_to_length_ratio=0.3,
        )
        self.say("step", about=[rule, arrow], lr=self.ledger.shown("curve.lr", spec=COUNT))
        self.play(Write(rule))
        self.play(GrowFromEdge(arrow, LEFT if w1 > w0 else RIGHT))
        self.play(
            self.ball.animate.move_to(plot.p(w1, self.ledger.value("curve.balls.cost", (b, 1)))),
            FadeOut(self.tangent),
            FadeOut(arrow),
        )

    def balls(self):
        plot = self.plot
        paths = self.ledger.array("curve.balls")
        heights = self.ledger.array("curve.balls.cost")
        colours = [BALL_COLOURS[k % 4] for k in range(len(paths))]
        runs = list(zip(paths, heights, colours))
        self.ball_dots = VGroup(*(Dot(plot.p(w[0], c[0]), color=colour, radius=0.11) for w, c, colour in runs))
        trails = VGroup(*(polyline(plot.points_of(w, c), stroke_color=colour, stroke_width=3) for w, c, colour in runs))
        self.say("balls", about=[self.ball_dots])
        self.play(FadeOut(self.ball), FadeIn(self.ball_dots))
        self.roll(self.ball_dots, plot, paths, heights)
        self.add(trails)
        self.bring_to_front(self.ball_dots)

    def valleys(self):
        n = int(self.ledger.value("curve.valleys"))
        self.say(
            "valleys" if n > 1 else "valleys_one", about=[self.ball_dots],
            n=self.ledger.shown("curve.valleys", spec=COUNT),
        )
        inset, region, links, ends = self.valleys_magnified()
        self.play(Create(region), Create(links), FadeIn(inset), run_time=1.5)
        self.play(FadeIn(ends, scale=1.5))
        self.play(*(Indicate(b, scale_factor=1.6, color=WHITE) for b in (*self.ball_dots, *ends)))
        self.wait(1)

    def valleys_magnified(self) -> tuple:
        """The flat stretch where the balls rest, stretched upward in a box above it, so that the dips
        they rest in can be seen; the balls' real end points on it. No ticks: only its shape is shown."""
        paths, heights = self.ledger.array("curve.balls"), self.ledger.array("curve.balls.cost")
        grid, cost = self.grid, self.cost
        ends = paths[:, -1]
        hi = min(grid[-1], ends.max() + 0.08 * (ends.max() - grid[0]))
        part = grid <= hi
        low = min(cost[part].min(), heights[:, -1].min())
        top = max(cost[part].max(), heights[:, -1].max())
        pad = 0.12 * (top - low)
        inset = Plot(self.ledger, (grid[0], hi), (low - pad, top + pad), 5.6, 1.7, x_ticks=[], y_ticks=[])
        inset.move_to(LEFT * 0.9 + UP * 0.45)
        curve = polyline(inset.points_of(grid[part], cost[part]), stroke_color=palette.POSITIVE, stroke_width=4)
        frame = SurroundingRectangle(inset, buff=0.12, color=palette.MUTED, stroke_width=2)
        note = self.words("magnified", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(frame, UP, buff=0.08)
        note.align_to(frame, RIGHT)
        region = Rectangle(
            width=self.plot.p(hi, 0)[0] - self.plot.p(grid[0], 0)[0],
            height=max(self.plot.p(0, top + pad)[1] - self.plot.p(0, low - pad)[1], 0.12),
            color=palette.MUTED, stroke_width=2,
        ).move_to((self.plot.p(grid[0], low - pad) + self.plot.p(hi, top + pad)) / 2)
        links = VGroup(*(DashedLine(region.get_corner(UP + v), frame.get_corner(DOWN + v), color=palette.MUTED, stroke_width=1.5) for v in (LEFT, RIGHT)))
        dots = VGroup(
            *(Dot(inset.p(w, c), color=BALL_COLOURS[k % 4], radius=0.1) for k, (w, c) in enumerate(zip(ends, heights[:, -1])))
        )
        return VGroup(frame, curve, note), region, links, dots

    def roll(self, balls: VGroup, plot: Plot, paths: np.ndarray, heights: np.ndarray) -> None:
        """Move every ball through its real steps, a tracker ticking through the steps: slowly at
        first, where the steps are long enough to follow, faster as they shrink."""
        clock = ValueTracker(0)
        steps = paths.shape[1] - 1

        def follow(k):
            def update(dot):
                t = min(clock.get_value(), steps)
                i = min(int(t), steps - 1)
                f = t - i
                w = paths[k, i] * (1 - f) + paths[k, i + 1] * f
                dot.move_to(plot.p(w, heights[k, i] * (1 - f) + heights[k, i + 1] * f))
            return update

        for k, dot in enumerate(balls):
            dot.add_updater(follow(k))
        self.play(clock.animate.set_value(steps), run_time=8, rate_func=rate_functions.ease_in_quad)
        for dot in balls:
            dot.clear_updaters()


def beside(label, anchor, points: np.ndarray, corners: tuple[np.ndarray, np.ndarray]):
    """Put ``label`` next to ``anchor`` on the first side where it covers none of ``points`` and stays
    between ``corners``.

    A curve through ``anchor`` can run anywhere near it, so no one side is clear for every
    network; below is tried first, and used when no side is clear.
    """
    lo, hi = corners
    for side in (DOWN, UP, DR, UR, DL, UL):
        label.next_to(anchor, side, buff=0.15)
        near, far = label.get_corner(DL) - 0.06, label.get_corner(UR) + 0.06
        covered = np.all((points[:, :2] >= near[:2]) & (points[:, :2] <= far[:2]), axis=1).any()
        if not covered and np.all(label.get_corner(DL)[:2] >= lo[:2]) and np.all(label.get_corner(UR)[:2] <= hi[:2]):
            return label
    return label.next_to(anchor, DOWN, buff=0.2)


BALL_COLOURS = [palette.HIGHLIGHT, palette.NEGATIVE, "#7bd389", "#c77dff"]


@dataclass(frozen=True)
class Tilt:
    """A fixed view of a surface over a square grid: turned by ``azimuth`` about the vertical, seen from
    ``elevation`` degrees above the horizon (90: straight down, the flat map). The grid's square spans
    2 * ``half`` units before turning, the cost's whole range rises ``rise`` units, around ``centre``."""

    azimuth: float
    elevation: float
    half: float
    rise: float
    centre: np.ndarray

    def project(self, u: np.ndarray, v: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Scene points [..., 3] of (u, v) in [-1, 1]^2 at height z in [0, 1], and how near each is to the eye."""
        a, e = np.radians(self.azimuth), np.radians(self.elevation)
        across = u * np.cos(a) - v * np.sin(a)
        back = u * np.sin(a) + v * np.cos(a)
        x = self.half * across
        y = self.half * back * np.sin(e) + self.rise * z * np.cos(e)
        near = -back * np.cos(e) + z * np.sin(e) * self.rise / max(self.half, 1e-9)
        points = np.stack([x, y, np.zeros_like(x)], axis=-1) + np.asarray(self.centre)
        return points, near

    def points(self, u: np.ndarray, v: np.ndarray, c: np.ndarray, grid: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """Scene points of weights (u, v) at real cost c, on the surface of ``cost`` over ``grid``."""
        return self.project(unit(np.asarray(u), grid), unit(np.asarray(v), grid), (np.asarray(c) - cost.min()) / np.ptp(cost))[0]


def unit(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Grid values mapped onto [-1, 1]."""
    return 2 * (values - grid[0]) / (grid[-1] - grid[0]) - 1


def surface_mesh(cost: np.ndarray, grid: np.ndarray, view: Tilt, stride: int = 2, order_of: Tilt | None = None) -> VGroup:
    """The real cost [u, v] over ``grid`` as shaded quadrilaterals seen through ``view``, far ones first.

    Each quad is coloured as the height map colours its mean cost (the same contour bands) and darkened
    where it faces away from a light at the upper left. ``order_of`` draws them in another view's
    far-to-near order, so that a flat copy can turn into the tilted one quad for quad.
    """
    index = np.arange(0, len(grid), stride)
    if index[-1] != len(grid) - 1:
        index = np.append(index, len(grid) - 1)
    sub = cost[np.ix_(index, index)]  # [m, m]
    u, v = np.meshgrid(unit(grid[index], grid), unit(grid[index], grid), indexing="ij")
    z = (sub - cost.min()) / np.ptp(cost)
    points, near = view.project(u, v, z)
    levels = contour_levels(cost, 14)
    stops = [np.array(ManimColor(c).to_rgb()) for c in (LOW, MID, HIGH)]
    light = np.array([-0.5, 0.4, 0.77])
    quads = []
    for i in range(len(index) - 1):
        for j in range(len(index) - 1):
            corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]
            mean = float(np.mean([sub[c] for c in corners]))
            shade = np.searchsorted(levels, mean) / len(levels)
            rgb = stops[0] + (stops[1] - stops[0]) * 2 * shade if shade < 0.5 else stops[1] + (stops[2] - stops[1]) * (2 * shade - 1)
            du = np.array([u[i + 1, j] - u[i, j], 0, (z[i + 1, j] - z[i, j]) * 1.2])
            dv = np.array([0, v[i, j + 1] - v[i, j], (z[i, j + 1] - z[i, j]) * 1.2])
            normal = np.cross(du, dv)
            bright = 0.55 + 0.45 * max(0.0, float(normal @ light / np.linalg.norm(normal)))
            quads.append((corners, rgb * bright))
    depth = (order_of or view).project(u, v, z)[1]
    quads.sort(key=lambda q: float(np.mean([depth[c] for c in q[0]])))
    mesh = VGroup()
    for corners, rgb in quads:
        colour = ManimColor(np.clip(rgb, 0, 1))
        quad = VMobject(fill_color=colour, fill_opacity=1.0, stroke_color=colour, stroke_width=0.8)
        quad.set_points_as_corners([points[c] for c in (*corners, corners[0])])
        mesh.add(quad)
    return mesh


class TwoWeights(ChapterScene):
    """The real cost surface over two weights as a height map, with real descent paths on it."""

    estimated_seconds = 50.0
    steps = ("surface", "current", "gradient", "tilt", "descent", "valleys")
    MAP_CENTRE, MAP_SIZE = LEFT * 2.5 + DOWN * 0.25, 5.6
    VIEW = Tilt(azimuth=40.0, elevation=32.0, half=1.95, rise=2.3, centre=RIGHT * 3.85 + DOWN * 0.55)

    def surface(self):
        grid = self.ledger.array("surface.grid")
        picture, self.plot = surface_map(self.ledger, self.ledger.array("surface.cost"), grid, grid, self.MAP_SIZE)
        picture.move_to(self.MAP_CENTRE)
        u_name = self.param("surface.name", (0,), font_size=32).next_to(picture, DOWN, buff=0.1)
        v_name = self.param("surface.name", (1,), font_size=32).next_to(picture, LEFT, buff=0.15)
        legend = self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        legend.next_to(picture, UP, buff=0.1).align_to(picture, RIGHT)
        title = self.heading()
        self.say("surface", about=[picture], epoch=self.ledger.shown("terrain.epoch", spec=COUNT))
        self.play(FadeIn(title), FadeIn(picture), FadeIn(u_name), FadeIn(v_name), FadeIn(legend))
        self.tour(grid, u_name, v_name)
        self.play(sweep([legend]))

    def tour(self, grid: np.ndarray, u_name, v_name) -> None:
        """A point that moves over the map on a loop, both weights changing at once, each name lit in turn."""
        centre, radius = (grid[0] + grid[-1]) / 2, 0.3 * (grid[-1] - grid[0])
        angle = ValueTracker(0)
        probe = Circle(radius=0.08, color=WHITE, stroke_width=3)
        probe.add_updater(
            lambda m: m.move_to(self.plot.p(centre + radius * np.cos(angle.get_value()), centre + radius * np.sin(2 * angle.get_value())))
        )
        self.add(probe)
        self.play(angle.animate.set_value(2 * np.pi), Succession(sweep([u_name]), sweep([v_name])), run_time=5, rate_func=linear)
        probe.clear_updaters()
        self.play(FadeOut(probe))

    def current(self):
        now = self.ledger.array("surface.current")
        ring = Circle(radius=0.14, color=WHITE, stroke_width=3).move_to(self.plot.p(*now))
        self.now_label = self.words("now", font_size=palette.SMALL_SIZE).next_to(ring, RIGHT, buff=0.1)
        self.say("current", about=[ring])
        self.play(Create(ring), FadeIn(self.now_label))

    def gradient(self):
        rule = eq(r"\vec{w} \leftarrow \vec{w} - \eta \, \nabla C(\vec{w})", font_size=40)
        rate = eq(r"\eta =", self.ledger.shown("surface.lr", spec=COUNT), font_size=40)
        panel = stack(rule, rate, buff=0.35).move_to(RIGHT * 3.9 + UP * 1.0)
        uphill, downhill = self.gradient_arrows()
        note = self.words("arrow_note", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(panel, DOWN, buff=0.35)
        self.say("gradient", about=[panel, uphill, downhill], lr=self.ledger.shown("surface.lr", spec=COUNT))
        self.play(FadeOut(self.now_label), Write(panel))
        self.play(GrowArrow(uphill[0]), FadeIn(uphill[1]), FadeIn(note))
        self.play(GrowArrow(downhill[0]), FadeIn(downhill[1]))
        self.play(sweep([rule, downhill]))
        self.gradient_drawn = VGroup(uphill, downhill, note, panel)

    def tilt(self):
        """A copy of the map lifts off it and tilts up into the surface whose height is the real cost."""
        grid, cost = self.ledger.array("surface.grid"), self.ledger.array("surface.cost")
        flat_view = Tilt(azimuth=0.0, elevation=90.0, half=self.MAP_SIZE / 2, rise=0.0, centre=self.MAP_CENTRE)
        self.lifted = surface_mesh(cost, grid, self.VIEW)
        flat = surface_mesh(cost, grid, flat_view, order_of=self.VIEW)
        self.height_label = self.words("height", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        self.height_label.next_to(self.lifted, UP, buff=0.15)
        self.say("tilt", about=[self.lifted])
        self.play(FadeOut(self.gradient_drawn))
        self.add(flat)
        self.play(Transform(flat, self.lifted), run_time=3.5, rate_func=rate_functions.ease_in_out_sine)
        self.remove(flat)
        self.add(self.lifted)
        self.play(FadeIn(self.height_label))

    def gradient_arrows(self) -> tuple[VGroup, VGroup]:
        """∇C and -∇C at the circle, along the real gradient there, drawn one length (their direction is
        the fact, and the note under the rule says so)."""
        now, gradient = self.ledger.array("surface.current"), self.ledger.array("surface.gradient")
        start = self.plot.p(*now)
        direction = self.plot.p(*(now + gradient)) - start
        direction = direction / np.linalg.norm(direction)
        drawn = []
        for sign, tex, colour in ((1, r"\nabla C", WHITE), (-1, r"-\nabla C", palette.HIGHLIGHT)):
            arrow = Arrow(
                start, start + 1.2 * sign * direction,
                buff=0.14, color=colour, stroke_width=5, max_tip_length_to_length_ratio=0.25,
            )
            label = eq(tex, font_size=32, color=colour)
            label = VGroup(BackgroundRectangle(label, buff=0.05, fill_opacity=0.75), label)
            label.next_to(arrow.get_end(), sign * direction, buff=0.05)
            drawn.append(VGroup(arrow, label))
        return drawn[0], drawn[1]

    def descent(self):
        """Each real path drawn on the map while a ball rolls the same steps on the surface, at the real cost."""
        self.paths = self.ledger.array("surface.paths")
        heights = self.ledger.array("surface.paths.cost")
        grid = self.ledger.array("surface.grid")
        cost = self.ledger.array("surface.cost")
        self.balls = VGroup()
        drawn, trails = VGroup(), VGroup()
        for k, (path, height) in enumerate(zip(self.paths, heights)):
            points = self.plot.points_of(path[:, 0], path[:, 1])
            colour = BALL_COLOURS[k % 4]
            steps = VGroup(*(Dot(p, radius=0.03, color=colour) for p in points[::3]))
            line = polyline(points, stroke_color=colour, stroke_width=3)
            drawn.add(VGroup(line, steps, Dot(points[0], radius=0.09, color=colour)))
            lifted = self.VIEW.points(path[:, 0], path[:, 1], height, grid, cost)
            trails.add(polyline(lifted, stroke_color=colour, stroke_width=3))
            self.balls.add(Dot(lifted[0], radius=0.1, color=colour).set_stroke(palette.BACKGROUND, 1.5))
        self.say("descent", about=[*(group[0] for group in drawn), *self.balls])
        for group, trail, ball in zip(drawn, trails, self.balls):
            self.play(FadeIn(group[2]), FadeIn(ball, scale=1.5), run_time=0.4)
            self.play(
                Create(group[0]), FadeIn(group[1], lag_ratio=0.1), Create(trail), MoveAlongPath(ball, trail.copy()),
                run_time=2.6, rate_func=linear,
            )

    def valleys(self):
        n = int(self.ledger.value("surface.valleys"))
        ends = VGroup(*(Dot(self.plot.p(*path[-1]), radius=0.11, color=WHITE) for path in self.paths))
        self.say(
            "valleys" if n > 1 else "valleys_one", about=[*ends, *self.balls],
            n=self.ledger.shown("surface.valleys", spec=COUNT),
        )
        self.play(
            LaggedStart(*(FadeIn(e, scale=2) for e in ends), lag_ratio=0.3),
            LaggedStart(*(Indicate(b, scale_factor=1.6, color=WHITE) for b in self.balls), lag_ratio=0.3),
        )
        self.wait(1)


class GradientVector(ChapterScene):
    """-grad C of the untrained network: its largest entries by name and on their edges, one entry that
    is positive, a typical one, all of them sorted; then real steps w <- w - eta grad C, the cost recomputed."""

    estimated_seconds = 55.0
    steps = ("column", "sign", "size", "compare", "sorted", "full_step", "repeat")
    NET_CENTRE = RIGHT * 3.75 + DOWN * 0.35

    def column(self):
        self.top = self.ledger.array("grad.top.value")
        self.up_value = self.ledger.value("grad.up.value")
        scale = float(np.abs(self.top).max())
        self.count = self.ledger.shown("grad.count", spec=COUNT)
        self.param_names = [self.param("grad.top.name", (k,), font_size=28) for k in range(len(self.top))]
        self.numbers = [self.ledger.number("grad.top.value", k, 4, font_size=28) for k in range(len(self.top))]
        self.up_name = self.param("grad.up.name", font_size=28)
        self.up_number = self.ledger.number("grad.up.value", decimals=4, font_size=28)
        self.typical_name = self.param("grad.median.name", font_size=28)
        self.typical_number = self.ledger.number("grad.median.value", decimals=4, font_size=28)
        column_numbers = (*self.numbers, self.up_number, self.typical_number)
        dots = eq(r"\vdots", font_size=30)
        column = VGroup(*self.numbers, dots, self.up_number, self.typical_number).arrange(DOWN, buff=0.32)
        for number in column_numbers:
            number.align_to(self.numbers[0], RIGHT)
        column.move_to(LEFT * 2.6 + DOWN * 0.35)
        for name, number in zip((*self.param_names, self.up_name, self.typical_name), column_numbers):
            name.next_to(number, LEFT, buff=0.4)
        self.box = brackets(column, buff=0.16)
        self.lhs = eq(r"-\nabla C =", font_size=40).next_to(VGroup(*self.param_names, self.typical_name), LEFT, buff=0.3)
        x_arrow = self.box.get_right()[0] + 0.35
        self.arrows = VGroup(*(nudge_arrow(float(v), scale, 0.4).set_x(x_arrow).set_y(n.get_y()) for v, n in zip(self.top, self.numbers)))
        self.up_arrow = nudge_arrow(self.up_value, scale, 0.4).set_x(x_arrow).set_y(self.up_number.get_y())
        self.typical_arrow = nudge_arrow(self.ledger.value("grad.median.value"), scale, 0.4).set_x(x_arrow)
        self.typical_arrow.set_y(self.typical_number.get_y())
        self.rest = self.words("rest", n=self.ledger.shown("grad.rest", spec=COUNT), font_size=palette.SMALL_SIZE, color=palette.MUTED)
        self.rest.next_to(dots, RIGHT, buff=0.6)
        self.dots = dots
        self.total = self.words("count", n=self.count, font_size=palette.LABEL_SIZE).to_edge(DOWN, buff=0.3).set_x(self.lhs.get_left()[0], LEFT)
        self.total.align_to(self.lhs, LEFT)
        self.network()
        title = self.heading()
        self.say("column", about=[self.lhs, self.box, *self.numbers, self.edges], n=self.count)
        self.play(FadeIn(title), Write(self.lhs), Create(self.box), FadeIn(self.net), FadeIn(self.edges), FadeIn(self.edge_key))
        self.bring_to_front(self.net)
        self.play(
            LaggedStart(*(FadeIn(VGroup(n, v)) for n, v in zip(self.param_names, self.numbers)), lag_ratio=0.15),
            FadeIn(dots), FadeIn(self.rest), FadeIn(self.total),
            run_time=2,
        )
        self.play(sweep([*self.edges]), run_time=2.5)
        self.play(sweep([self.edge_key, self.lhs]), run_time=1.5)

    def network(self):
        """The network with each drawn edge coloured by its real entry of -grad C: blue up, red down, wider for more."""
        sizes = [int(s) for s in self.ledger.array("sizes")]
        self.net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=5.2, radius=0.1, spacing=0.26)
        self.net.move_to(self.NET_CENTRE)
        self.layers = len(sizes) - 1
        nudges = [self.ledger.array("grad." + names.layer(k, "weight")) for k in range(self.layers)]
        self.edge_scale = max(float(np.abs(n).max()) for n in nudges)
        self.edges = self.nudge_edges(nudges)
        self.edge_key = self.words("edge_key", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        self.edge_key.set_width(min(self.edge_key.width, 5.4)).next_to(self.net, DOWN, buff=0.3)

    def nudge_edges(self, nudges: list[np.ndarray]) -> VGroup:
        """Every drawn edge of every layer on one scale (``edge_scale``), so that layers compare."""
        starts, ends, values = [], [], []
        for k, nudge in enumerate(nudges):
            s, e, pairs = self.net.edge_points(k)
            starts.append(s), ends.append(e), values.append(np.array([nudge[j, i] for j, i in pairs]))
        starts, ends, values = np.concatenate(starts), np.concatenate(ends), np.concatenate(values)
        level = np.minimum((np.abs(values) / self.edge_scale * 4).astype(int), 3)
        group = VGroup()
        for positive, colour in ((True, palette.POSITIVE), (False, palette.NEGATIVE)):
            for lv in range(4):
                mask = ((values >= 0) == positive) & (level == lv)
                if not mask.any():
                    continue
                strength = (lv + 1) / 4
                path = VMobject(stroke_color=colour, stroke_width=3.5 * strength, stroke_opacity=0.15 + 0.85 * strength)
                for a, b in zip(starts[mask], ends[mask]):
                    path.start_new_path(a)
                    path.add_line_to(b)
                group.add(path)
        return group

    def mark(self, key: str, index: tuple = ()) -> VMobject:
        """The named parameter on the network: its edge (a weight) or a ring round its neuron (a bias)."""
        layer, row, col = (int(self.ledger.value(key, (*index, i))) for i in range(3))
        right = self.net.columns[layer]
        if col < 0:
            return Circle(radius=0.17, color=palette.HIGHLIGHT, stroke_width=4).move_to(right.circle_for(row))
        left = self.net.columns[layer - 1]
        return Line(left.circle_for(col).get_right(), right.circle_for(row).get_left(), color=palette.HIGHLIGHT, stroke_width=5)

    def sign(self):
        up_label = self.words("largest_up", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(self.up_arrow, RIGHT, buff=0.25)
        self.up_label = up_label
        self.up_mark = self.mark("grad.up.name")
        self.say("sign", about=[*self.arrows, self.up_arrow, self.up_number])
        self.play(
            LaggedStart(*(GrowFromEdge(a, UP if v < 0 else DOWN) for a, v in zip(self.arrows, self.top)), lag_ratio=0.15),
            run_time=1.5,
        )
        self.play(FadeIn(self.up_name), FadeIn(self.up_number), GrowFromEdge(self.up_arrow, DOWN), FadeIn(up_label), Create(self.up_mark))
        self.play(Indicate(self.up_number, color=palette.POSITIVE), Indicate(self.up_mark, color=palette.POSITIVE))

    def size(self):
        marks = [self.mark("grad.top.name", (k,)) for k in range(len(self.top))]
        self.say("size", about=[*self.param_names, *marks])
        for name, mark in zip(self.param_names, marks):
            self.play(Indicate(name, color=palette.HIGHLIGHT), Create(mark), run_time=0.8)
        self.top_marks = VGroup(*marks)

    def compare(self):
        typical_label = self.words("typical", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        typical_label.next_to(self.typical_arrow, RIGHT, buff=0.25)
        self.say("compare", about=[self.numbers[0], self.typical_number], r=self.ledger.shown("grad.ratio", spec=COUNT))
        self.play(FadeIn(self.typical_name), FadeIn(self.typical_number), FadeIn(self.typical_arrow), FadeIn(typical_label))
        self.play(Indicate(self.numbers[0], color=palette.HIGHLIGHT), Indicate(self.typical_number, color=palette.HIGHLIGHT))
        self.column_drawn = VGroup(
            self.lhs, self.box, *self.param_names, *self.numbers, self.up_name, self.up_number, self.typical_name,
            self.typical_number, self.dots, self.rest, self.arrows, self.up_arrow, self.typical_arrow, typical_label,
            self.total, self.up_label,
        )

    def sorted(self):
        chart = self.sorted_chart().move_to(LEFT * 3.5 + DOWN * 0.2)
        self.say("sorted_step", about=[chart], n=self.count)
        self.play(FadeOut(self.column_drawn), FadeOut(self.top_marks), FadeOut(self.up_mark))
        self.play(FadeIn(chart, shift=0.3 * RIGHT), run_time=1.5)
        self.chart = chart

    def full_step(self):
        lr = self.ledger.shown("loop.lr", spec=COUNT)
        self.rule = eq(r"\vec{w} \leftarrow \vec{w} - \eta \, \nabla C, \quad \eta =", lr, font_size=36)
        self.rule.move_to(LEFT * 3.3 + UP * 2.3)
        costs = self.ledger.array("loop.cost")
        self.bar_scale = 3.2 / float(costs[0])
        self.rows = [self.cost_row(k) for k in range(len(costs))]
        for k, row in enumerate(self.rows):
            row.shift(UP * (1.1 - 0.62 * k))
        before, after = self.rows[0], self.rows[1]
        self.say(
            "full_step", about=[self.rule, before, after, self.edges], lr=lr,
            a=self.ledger.shown("loop.cost", 0, VALUE4), b=self.ledger.shown("loop.cost", 1, VALUE4),
        )
        self.play(FadeOut(self.chart), Write(self.rule))
        self.play(FadeIn(before))
        step_edges = self.nudge_edges([self.ledger.array("loop.nudge.0." + names.layer(k, "weight")) for k in range(self.layers)])
        self.play(Transform(self.edges, step_edges), Indicate(self.rule, color=palette.HIGHLIGHT))
        self.bring_to_front(self.net)
        self.play(sweep([self.net.columns[k] for k in range(self.layers + 1)]), run_time=2)
        self.play(FadeIn(after, shift=0.2 * DOWN))

    def repeat(self):
        steps = len(self.rows) - 1
        self.say("repeat", about=[*self.rows[2:], self.edges], c=self.ledger.shown("loop.cost", steps, VALUE4))
        for k in range(1, steps):
            step_edges = self.nudge_edges([self.ledger.array(f"loop.nudge.{k}." + names.layer(j, "weight")) for j in range(self.layers)])
            self.play(Transform(self.edges, step_edges), run_time=1.2)
            self.bring_to_front(self.net)
            self.play(sweep([self.net.columns[j] for j in range(self.layers + 1)]), run_time=1.2)
            self.play(FadeIn(self.rows[k + 1], shift=0.2 * DOWN), run_time=0.8)
        self.play(Indicate(self.rows[-1], color=palette.HIGHLIGHT))
        self.wait(1)

    def cost_row(self, k: int) -> VGroup:
        """Step k's cost: its number and a bar of that length."""
        label = self.words("one_more" if k else "before", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        label.set_width(min(label.width, 1.8))
        value = self.ledger.value("loop.cost", k)
        bar = Rectangle(width=max(value * self.bar_scale, 0.02), height=0.3, stroke_width=0)
        bar.set_fill(palette.NEGATIVE, 1.0)
        number = self.ledger.number("loop.cost", k, 4, font_size=28)
        bar.next_to([-4.3, 0, 0], RIGHT, buff=0)
        label.next_to(bar, LEFT, buff=0.2)
        number.next_to(bar, RIGHT, buff=0.2)
        return VGroup(label, bar, number)

    def sorted_chart(self) -> Group:
        """Every entry's size, largest first, as one image: one column of pixels per entry."""
        values = self.ledger.array("grad.sorted")
        height_px = 160
        fill = (np.arange(height_px)[::-1, None] + 0.5) / height_px < (values / values.max())[None, :]  # [h, P]
        rgba = np.zeros((*fill.shape, 4), dtype=np.uint8)
        rgba[fill] = [*(np.array(ManimColor(palette.POSITIVE).to_rgb()) * 255).round().astype(np.uint8), 255]
        image = pixel_image(rgba, height=3.0)
        image.stretch_to_fit_width(4.6)
        axis = Line(image.get_corner(DOWN + LEFT), image.get_corner(DOWN + RIGHT), color=palette.MUTED, stroke_width=2)
        side = Line(image.get_corner(DOWN + LEFT), image.get_corner(UP + LEFT), color=palette.MUTED, stroke_width=2)
        caption = self.words("chart", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(axis, DOWN, buff=0.15)
        return Group(image, axis, side, caption)


class Training(ChapterScene):
    """The real loss curve and held-out accuracy by epoch, the edges recoloured from weight snapshots."""

    estimated_seconds = 26.0
    steps = ("start", "train", "done")

    def start(self):
        sizes = [int(s) for s in self.ledger.array("sizes")]
        self.epochs = int(self.ledger.value("train.epochs"))
        self.shown_epochs = [int(e) for e in self.ledger.array("train.shown")]
        self.costs, self.accuracy = self.ledger.array("train.cost"), self.ledger.array("train.accuracy")
        self.net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=5.0, radius=0.11, spacing=0.27)
        self.net.move_to(LEFT * 3.6 + DOWN * 0.55)
        low, high = int(np.floor(np.log10(self.costs.min()))), int(np.ceil(np.log10(self.costs.max())))
        self.ledger.span("train.cost", None, 10.0**low, 10.0**high)
        self.ledger.span("train.accuracy", None, 0.0, 1.0)
        epochs = self.epochs
        self.cost_plot = Plot(self.ledger, (0, epochs), (low, high), 5.2, 1.9, x_ticks=[0, epochs], y_ticks=[])
        for power in range(low, high + 1):  # a logarithmic axis: each tick one power of ten, saying its value
            tick = self.ledger.tick(10.0**power, max(0, -power), font_size=22)
            self.cost_plot.ticks.add(tick.next_to(self.cost_plot.p(0, power), LEFT, buff=0.12))
            self.cost_plot.add(Line(self.cost_plot.p(0, power), self.cost_plot.p(0, power) + LEFT * 0.08, color=palette.MUTED, stroke_width=2))
        self.acc_plot = Plot(self.ledger, (0, epochs), (0, 1), 5.2, 1.9, x_ticks=[0, epochs], y_ticks=[0, 1])
        VGroup(self.cost_plot, self.acc_plot).arrange(DOWN, buff=1.0).move_to(RIGHT * 3.7 + DOWN * 0.45)
        cost_label = self.words("cost_axis", font_size=palette.SMALL_SIZE).next_to(self.cost_plot, UP, buff=0.1)
        cost_label.align_to(self.cost_plot, LEFT)
        acc_label = self.words("accuracy_axis", font_size=palette.SMALL_SIZE).next_to(self.acc_plot, UP, buff=0.1)
        acc_label.align_to(self.acc_plot, LEFT)
        epoch_label = self.words("epoch_axis", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        epoch_label.next_to(self.acc_plot, DOWN, buff=0.15)
        title = self.heading()
        self.edges = self.edges_at(0)
        self.marks = self.marks_at(0)
        self.clock = self.words("epoch", e=self.ledger.shown("train.shown", 0, COUNT), font_size=palette.LABEL_SIZE)
        self.clock.next_to(title, DOWN, buff=0.2).set_x(self.net.get_x())
        self.say(
            "start", about=[self.net, self.cost_plot, self.acc_plot],
            c=self.ledger.shown("train.cost", 0, VALUE4),
            a=self.ledger.shown("train.accuracy", 0, PERCENT1),
        )
        self.play(FadeIn(title), FadeIn(self.edges), FadeIn(self.net), FadeIn(self.clock))
        self.bring_to_front(self.net)
        self.play(
            Create(self.cost_plot), Create(self.acc_plot),
            FadeIn(cost_label), FadeIn(acc_label), FadeIn(epoch_label), FadeIn(self.marks),
        )

    def train(self):
        self.say("train", about=[self.net, self.cost_plot, self.acc_plot])
        shown, costs, accuracy = self.shown_epochs, self.costs, self.accuracy
        for i in range(1, len(shown)):
            span = range(shown[i - 1], shown[i] + 1)
            cost_points = self.cost_plot.points_of(span, np.log10(costs[span.start : span.stop]))
            acc_points = self.acc_plot.points_of(span, accuracy[span.start : span.stop])
            segments = VGroup(
                polyline(cost_points, stroke_color=palette.NEGATIVE),
                polyline(acc_points, stroke_color=palette.POSITIVE),
            )
            edges = self.edges_at(i)
            marks = self.marks_at(shown[i])
            clock = self.words("epoch", e=self.ledger.shown("train.shown", i, COUNT), font_size=palette.LABEL_SIZE)
            clock.move_to(self.clock)
            self.play(
                Create(segments),
                FadeOut(self.edges),
                FadeIn(edges),
                FadeTransform(self.marks, marks),
                swap(self.clock, clock),
                run_time=1.2 + 0.15 * (shown[i] - shown[i - 1]),  # later epochs change less, but each gets its time
                rate_func=linear,
            )
            self.bring_to_front(self.net)
            self.edges, self.marks, self.clock = edges, marks, clock

    def done(self):
        epochs = self.epochs
        self.say(
            "done", about=[self.marks],
            e=self.ledger.shown("train.epochs", spec=COUNT),
            c=self.ledger.shown("train.cost", epochs, VALUE4),
            a=self.ledger.shown("train.accuracy", epochs, PERCENT1),
        )
        self.play(Indicate(self.marks, color=palette.HIGHLIGHT))
        self.wait(1)

    def edges_at(self, snapshot: int) -> VGroup:
        """The network's edges coloured by the weights of snapshot ``snapshot``."""
        return VGroup(
            *(
                self.net.edges(k, self.ledger.array(f"train.snap.{snapshot}.{names.layer(k, 'weight')}"), max_width=2.5)
                for k in range(len(self.net.columns) - 1)
            )
        )

    def marks_at(self, epoch: int) -> VGroup:
        """Dots at ``epoch``, with the real cost and accuracy at the plots' top right."""
        cost_dot = Dot(self.cost_plot.p(epoch, np.log10(self.costs[epoch])), color=palette.NEGATIVE, radius=0.07)
        acc_dot = Dot(self.acc_plot.p(epoch, self.accuracy[epoch]), color=palette.POSITIVE, radius=0.07)
        cost_value = self.ledger.number("train.cost", epoch, 4, font_size=28, color=palette.NEGATIVE)
        cost_value.next_to(self.cost_plot, UP, buff=0.1).align_to(self.cost_plot, RIGHT)
        accuracy = self.ledger.shown("train.accuracy", epoch, PERCENT1)
        acc_value = self.words("right", a=accuracy, font_size=palette.LABEL_SIZE, color=palette.POSITIVE)
        acc_value.next_to(self.acc_plot, UP, buff=0.1).align_to(self.acc_plot, RIGHT)
        return VGroup(cost_dot, acc_dot, cost_value, acc_value)


SCENES = [OneExampleCost, AverageCost, OneWeight, TwoWeights, GradientVector, Training]
