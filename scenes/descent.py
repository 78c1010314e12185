"""Chapter 2 — Gradient descent: the real cost of the digit network, its slopes, its training."""

from __future__ import annotations

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
    Brace,
    Circle,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    Line,
    ManimColor,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Transform,
    ValueTracker,
    VGroup,
    Write,
    linear,
    rate_functions,
)

from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.diagram import NetworkDiagram, input_window_start
from netreel.scenes.common.mobjects import brackets, nudge_arrow, pixel_image, stack
from netreel.scenes.common.plots import Plot, param_parts, polyline, surface_map
from netreel.scenes.common.text import eq

COUNT = ",.0f"
VALUE = ",.2f"
COST = ",.4f"
PERCENT = ".1%"


class ChapterScene(NetScene):
    chapter = "descent"


    def param(self, key: str, index: tuple = (), font_size: float = 32):
        return eq(*param_parts(self.ledger, key, index), font_size=font_size)


class OneExampleCost(ChapterScene):
    """Ten outputs beside the one-hot target, the ten squared differences, their sum; untrained, then trained."""

    estimated_seconds = 40.0

    def construct(self):
        label = self.ledger.shown("example.label", spec=COUNT)
        self.step("example")
        title = self.heading()
        image = self.digit("example.pixels", None, 2.6).move_to(LEFT * 5.2 + UP * 0.5)
        caption = self.words("label", label=label, font_size=palette.LABEL_SIZE).next_to(image, DOWN, buff=0.2)
        state = self.words("untrained", font_size=palette.LABEL_SIZE, color=palette.MUTED).next_to(caption, DOWN, buff=0.3)
        self.say("example", label=label)
        self.play(FadeIn(title), FadeIn(image), FadeIn(caption), FadeIn(state))

        self.step("outputs")
        rows = [1.95 - 0.5 * k for k in range(10)]
        xs = {"class": -3.15, "circle": -2.45, "a": -1.25, "y": 0.45, "term": 2.35}
        headers = VGroup(*(eq(tex, font_size=36).move_to([xs[k], 2.65, 0]) for k, tex in (("a", "a_j"), ("y", "y_j"), ("term", "(a_j - y_j)^2"))))
        classes = VGroup(*(self.ledger.integer("classes", k, font_size=28).move_to([xs["class"], rows[k], 0]) for k in range(10)))
        blank = VGroup(*(Circle(radius=0.18, stroke_color=palette.NEURON_STROKE, stroke_width=2).move_to([xs["circle"], rows[k], 0]) for k in range(10)))
        circles = self.lit(blank, "untrained")
        outputs, terms = self.columns("untrained", rows, xs)
        self.say("outputs")
        self.play(FadeIn(classes), FadeIn(circles), FadeIn(headers[0]), LaggedStart(*(FadeIn(o) for o in outputs), lag_ratio=0.08), run_time=2)

        self.step("target")
        target = VGroup(*(self.ledger.integer("example.target", k, font_size=30).move_to([xs["y"], rows[k], 0]) for k in range(10)))
        truth = int(self.ledger.value("example.label"))
        box = SurroundingRectangle(VGroup(classes[truth], target[truth]), color=palette.HIGHLIGHT, buff=0.08)
        self.say("target")
        self.play(FadeIn(headers[1]), LaggedStart(*(FadeIn(t) for t in target), lag_ratio=0.08), run_time=1.5)
        self.play(Create(box))

        self.step("terms")
        self.say("terms")
        self.play(FadeIn(headers[2]), LaggedStart(*(FadeIn(t, shift=0.2 * RIGHT) for t in terms), lag_ratio=0.08), run_time=2)

        self.step("sum")
        brace = Brace(VGroup(*terms), RIGHT, color=palette.MUTED)
        total = self.total("untrained").next_to(brace, RIGHT, buff=0.2)
        formula = eq(r"C_0 = \sum_{j=0}^{9} (a_j - y_j)^2", font_size=36).next_to(total, UP, buff=0.6).align_to(total, LEFT)
        self.say("sum", c=self.ledger.shown("example.untrained.cost", spec=COST))
        self.play(Create(brace), Write(formula))
        self.play(Write(total))
        self.play(Indicate(total, color=palette.HIGHLIGHT))

        self.step("trained")
        new_state = self.words("trained", font_size=palette.LABEL_SIZE, color=palette.MUTED).move_to(state)
        new_outputs, new_terms = self.columns("trained", rows, xs)
        new_total = self.total("trained").move_to(total, aligned_edge=LEFT)
        self.say("trained_step", c=self.ledger.shown("example.trained.cost", spec=COST))
        self.play(
            ReplacementTransform(state, new_state),
            *(FadeTransform(a, b) for a, b in zip(outputs, new_outputs)),
            *(FadeTransform(a, b) for a, b in zip(terms, new_terms)),
            FadeTransform(total, new_total),
            Transform(circles, self.lit(circles, "trained")),
            run_time=2,
        )
        self.play(Indicate(new_total, color=palette.HIGHLIGHT))
        self.wait(1)

    def columns(self, state: str, rows: list[float], xs: dict) -> tuple[VGroup, VGroup]:
        outputs = VGroup(*(self.ledger.number(f"example.{state}.output", k, 2, font_size=30).move_to([xs["a"], rows[k], 0]) for k in range(10)))
        terms = VGroup(*(self.ledger.number(f"example.{state}.terms", k, 4, font_size=30).move_to([xs["term"], rows[k], 0]) for k in range(10)))
        return outputs, terms

    def lit(self, circles: VGroup, state: str) -> VGroup:
        """A copy of the output circles lit by the network's real outputs."""
        lit = circles.copy()
        for circle, value in zip(lit, self.ledger.array(f"example.{state}.output")):
            circle.set_fill(palette.lit(float(value)), opacity=1.0)
        return lit

    def total(self, state: str):
        return eq(r"=", self.ledger.shown(f"example.{state}.cost", spec=COST), font_size=44, color=palette.HIGHLIGHT)


class AverageCost(ChapterScene):
    """Per-example costs of the first training digits, then the average over all of them; untrained, then trained."""

    estimated_seconds = 25.0

    def construct(self):
        n_shown = len(self.ledger.array("avg.index"))
        self.step("many")
        title = self.heading()
        xs = np.linspace(-5.0, 5.4, n_shown)
        images = Group(*(self.digit("avg.pixels", k, 1.25).move_to([xs[k], 1.75, 0]) for k in range(n_shown)))
        costs = self.costs("untrained", images)
        row_label = eq("C_k", font_size=36).next_to(costs, LEFT, buff=0.35)
        rest = self.words("rest", n=self.ledger.shown("avg.rest", spec=COUNT), font_size=palette.LABEL_SIZE, color=palette.MUTED)
        rest.next_to(costs, DOWN, buff=0.3).align_to(costs, RIGHT)
        self.say("many")
        self.play(FadeIn(title), LaggedStart(*(FadeIn(i) for i in images), lag_ratio=0.1), run_time=1.5)
        self.play(FadeIn(row_label), LaggedStart(*(FadeIn(c) for c in costs), lag_ratio=0.1), FadeIn(rest), run_time=1.5)

        self.step("average")
        n = self.ledger.shown("data.n_train", spec=COUNT)
        formula = self.formula(n, "untrained").move_to(DOWN * 0.55)
        state = self.words("untrained", font_size=palette.LABEL_SIZE, color=palette.MUTED).next_to(formula, DOWN, buff=0.25)
        self.say("average", n=n, c=self.ledger.shown("cost.untrained", spec=COST))
        self.play(Write(formula), FadeIn(state))
        self.play(Indicate(formula[-1], color=palette.HIGHLIGHT))

        self.step("trained")
        new_costs = self.costs("trained", images)
        new_formula = self.formula(n, "trained").move_to(formula, aligned_edge=LEFT)
        new_state = self.words("trained", font_size=palette.LABEL_SIZE, color=palette.MUTED).move_to(state)
        self.say("trained_step", c=self.ledger.shown("cost.trained", spec=COST))
        self.play(
            *(FadeTransform(a, b) for a, b in zip(costs, new_costs)),
            FadeTransform(formula, new_formula), ReplacementTransform(state, new_state), run_time=2,
        )

        self.step("compare")
        bars = self.bars().to_edge(DOWN, buff=0.45)
        self.say("compare", a=self.ledger.shown("cost.untrained", spec=COST), b=self.ledger.shown("cost.trained", spec=COST))
        self.play(FadeOut(new_state))
        self.play(*(GrowFromEdge(bar, LEFT) for bar in bars[0]), FadeIn(bars[1]), run_time=1.5)
        self.wait(1)

    def formula(self, n: str, state: str):
        return eq(r"C = \frac{1}{", n, r"} \sum_{k} C_k", "=", self.ledger.shown(f"cost.{state}", spec=COST), font_size=48)

    def costs(self, state: str, images: Group) -> VGroup:
        return VGroup(*(self.ledger.number(f"avg.{state}.cost", k, 3, font_size=28).next_to(image, DOWN, buff=0.2) for k, image in enumerate(images)))

    def bars(self) -> VGroup:
        """The two averages as bars on one scale: untrained above, trained below."""
        length = 7.0
        top = self.ledger.value("cost.untrained")
        bars, labels = VGroup(), VGroup()
        for k, state in enumerate(("untrained", "trained")):
            value = self.ledger.value(f"cost.{state}")
            y = -0.6 * k
            bar = Rectangle(width=max(length * value / top, 0.01), height=0.42, stroke_width=0).set_fill(palette.NEGATIVE if k == 0 else palette.POSITIVE, 1.0)
            bar.move_to([-2.5, y, 0], aligned_edge=LEFT)
            name = self.words(state, font_size=palette.LABEL_SIZE).next_to([-2.5, y, 0], LEFT, buff=0.25)
            number = self.ledger.number(f"cost.{state}", decimals=4, font_size=28).next_to(bar, RIGHT, buff=0.2)
            bars.add(bar)
            labels.add(name, number)
        return VGroup(bars, labels)


class OneWeight(ChapterScene):
    """The real cost along one weight, its slope, and balls rolling down by real gradient steps."""

    estimated_seconds = 55.0

    def construct(self):
        grid, cost = self.ledger.array("curve.grid"), self.ledger.array("curve.cost")
        pad = 0.08 * (cost.max() - cost.min())
        plot = Plot(self.ledger, (grid[0], grid[-1]), (cost.min() - pad, cost.max() + pad), 10.6, 4.1, font_size=24)
        plot.move_to(DOWN * 1.0 + RIGHT * 0.55)
        x_label = VGroup(self.words("axis_w", font_size=palette.LABEL_SIZE), self.param("curve.name", font_size=34)).arrange(RIGHT, buff=0.15)
        x_label.next_to(plot, DOWN, buff=0.2)
        y_label = self.words("axis_c", font_size=palette.LABEL_SIZE).next_to(plot, UP, buff=0.1).align_to(plot, LEFT)
        curve = polyline(plot.points_of(grid, cost), stroke_color=palette.POSITIVE, stroke_width=4)

        self.step("slice")
        title = self.heading()
        self.say("slice", epoch=self.ledger.shown("terrain.epoch", spec=COUNT), rest=self.ledger.shown("curve.others", spec=COUNT))
        self.play(FadeIn(title), Create(plot), FadeIn(x_label), FadeIn(y_label))

        self.step("curve")
        now_w = self.ledger.value("curve.current")
        now = Dot(plot.p(now_w, float(np.interp(now_w, grid, cost))), color=WHITE, radius=0.08)
        corners = (plot.p(grid[0], cost.min() - pad), plot.p(grid[-1], cost.max() + pad))
        now_label = beside(self.words("now", font_size=palette.SMALL_SIZE, color=palette.MUTED), now, curve.get_points(), corners)
        self.say("curve")
        self.play(Create(curve), run_time=2.5)
        self.play(FadeIn(now), FadeIn(now_label))

        self.step("slope")
        b = int(self.ledger.value("curve.tangent"))
        w0, c0 = self.ledger.value("curve.tangent.w"), self.ledger.value("curve.tangent.cost")
        slope = self.ledger.value("curve.tangent.slope")
        reach = 0.1 * (grid[-1] - grid[0])
        tangent = Line(plot.p(w0 - reach, c0 - slope * reach), plot.p(w0 + reach, c0 + slope * reach), color=palette.HIGHLIGHT, stroke_width=4)
        ball = Dot(plot.p(w0, c0), color=palette.HIGHLIGHT, radius=0.1)
        slope_text = eq(r"\frac{\partial C}{\partial w} =", self.ledger.shown("curve.tangent.slope", spec=",.6f"), font_size=36)
        slope_text.move_to([plot.get_left()[0], 2.35, 0], aligned_edge=LEFT)
        self.say("slope_up" if slope > 0 else "slope_down", s=self.ledger.shown("curve.tangent.slope", spec=",.6f"))
        self.play(FadeOut(now_label), FadeIn(ball), Create(tangent))
        self.play(Write(slope_text))

        self.step("step")
        w1 = self.ledger.value("curve.balls", (b, 1))
        rule = eq(r"w \leftarrow w - \eta \frac{\partial C}{\partial w}, \quad \eta =", self.ledger.shown("curve.lr", spec=COUNT), font_size=36)
        rule.move_to([plot.get_right()[0], 2.35, 0], aligned_edge=RIGHT)
        arrow = Arrow(plot.p(w0, c0), plot.p(w1, c0), buff=0, color=palette.HIGHLIGHT, stroke_width=5, max_tip_length_to_length_ratio=0.3)
        self.say("step", lr=self.ledger.shown("curve.lr", spec=COUNT))
        self.play(Write(rule))
        self.play(GrowFromEdge(arrow, LEFT if w1 > w0 else RIGHT))
        self.play(ball.animate.move_to(plot.p(w1, self.ledger.value("curve.balls.cost", (b, 1)))), FadeOut(tangent), FadeOut(arrow))

        self.step("balls")
        paths = self.ledger.array("curve.balls")
        heights = self.ledger.array("curve.balls.cost")
        balls = VGroup(*(Dot(plot.p(paths[k, 0], heights[k, 0]), color=BALL_COLOURS[k % 4], radius=0.11) for k in range(len(paths))))
        trails = VGroup(*(polyline(plot.points_of(paths[k], heights[k]), stroke_color=BALL_COLOURS[k % 4], stroke_width=3) for k in range(len(paths))))
        self.say("balls")
        self.play(FadeOut(ball), FadeIn(balls))
        self.roll(balls, plot, paths, heights)
        self.add(trails)
        self.bring_to_front(balls)

        self.step("valleys")
        n = int(self.ledger.value("curve.valleys"))
        self.say("valleys" if n > 1 else "valleys_one", n=self.ledger.shown("curve.valleys", spec=COUNT))
        self.play(*(Indicate(b, scale_factor=1.6, color=WHITE) for b in balls))
        self.wait(1)

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
                dot.move_to(plot.p(paths[k, i] * (1 - f) + paths[k, i + 1] * f, heights[k, i] * (1 - f) + heights[k, i + 1] * f))
            return update

        for k, dot in enumerate(balls):
            dot.add_updater(follow(k))
        self.play(clock.animate.set_value(steps), run_time=8, rate_func=rate_functions.ease_in_quad)
        for dot in balls:
            dot.clear_updaters()


def beside(label, anchor, points: np.ndarray, corners: tuple[np.ndarray, np.ndarray]):
    """Put ``label`` next to ``anchor`` on the first side where it covers none of ``points`` and stays between ``corners``.

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


class TwoWeights(ChapterScene):
    """The real cost surface over two weights as a height map, with real descent paths on it."""

    estimated_seconds = 38.0

    def construct(self):
        grid = self.ledger.array("surface.grid")
        picture, plot = surface_map(self.ledger, self.ledger.array("surface.cost"), grid, grid, 5.6)
        picture.move_to(LEFT * 2.9 + DOWN * 0.25)
        u_name = self.param("surface.name", (0,), font_size=32).next_to(picture, DOWN, buff=0.1)
        v_name = self.param("surface.name", (1,), font_size=32).next_to(picture, LEFT, buff=0.15)
        legend = self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(picture, UP, buff=0.1).align_to(picture, RIGHT)

        self.step("surface")
        title = self.heading()
        self.say("surface", epoch=self.ledger.shown("terrain.epoch", spec=COUNT))
        self.play(FadeIn(title), FadeIn(picture), FadeIn(u_name), FadeIn(v_name), FadeIn(legend))

        self.step("current")
        now = self.ledger.array("surface.current")
        ring = Circle(radius=0.14, color=WHITE, stroke_width=3).move_to(plot.p(*now))
        now_label = self.words("now", font_size=palette.SMALL_SIZE).next_to(ring, RIGHT, buff=0.1)
        self.say("current")
        self.play(Create(ring), FadeIn(now_label))

        self.step("gradient")
        rule = eq(r"\vec{w} \leftarrow \vec{w} - \eta \, \nabla C(\vec{w})", font_size=40)
        rate = eq(r"\eta =", self.ledger.shown("surface.lr", spec=COUNT), font_size=40)
        panel = stack(rule, rate, buff=0.35).move_to(RIGHT * 3.9 + UP * 1.0)
        self.say("gradient", lr=self.ledger.shown("surface.lr", spec=COUNT))
        self.play(FadeOut(now_label), Write(panel))

        self.step("descent")
        paths = self.ledger.array("surface.paths")
        drawn = VGroup()
        for k, path in enumerate(paths):
            points = plot.points_of(path[:, 0], path[:, 1])
            colour = BALL_COLOURS[k % 4]
            steps = VGroup(*(Dot(p, radius=0.03, color=colour) for p in points[::3]))
            drawn.add(VGroup(polyline(points, stroke_color=colour, stroke_width=3), steps, Dot(points[0], radius=0.09, color=colour)))
        self.say("descent")
        for group in drawn:
            self.play(FadeIn(group[2]), run_time=0.4)
            self.play(Create(group[0]), FadeIn(group[1], lag_ratio=0.1), run_time=2.2, rate_func=linear)

        self.step("valleys")
        n = int(self.ledger.value("surface.valleys"))
        ends = VGroup(*(Dot(plot.p(*path[-1]), radius=0.11, color=WHITE) for path in paths))
        self.say("valleys" if n > 1 else "valleys_one", n=self.ledger.shown("surface.valleys", spec=COUNT))
        self.play(LaggedStart(*(FadeIn(e, scale=2) for e in ends), lag_ratio=0.3))
        self.wait(1)


class GradientVector(ChapterScene):
    """-grad C for every parameter of the untrained network: the largest by name, a typical one, all sorted."""

    estimated_seconds = 33.0

    def construct(self):
        top = self.ledger.array("grad.top.value")
        scale = float(np.abs(top).max())
        count = self.ledger.shown("grad.count", spec=COUNT)
        names = [self.param("grad.top.name", (k,)) for k in range(len(top))]
        numbers = [self.ledger.number("grad.top.value", k, 4, font_size=32) for k in range(len(top))]
        typical_name = self.param("grad.median.name")
        typical_number = self.ledger.number("grad.median.value", decimals=4, font_size=32)
        dots = eq(r"\vdots", font_size=36)
        column = VGroup(*numbers, dots, typical_number).arrange(DOWN, buff=0.3)
        for number in (*numbers, typical_number):
            number.align_to(numbers[0], RIGHT)
        column.move_to(LEFT * 3.3 + DOWN * 0.4)
        for name, number in zip((*names, typical_name), (*numbers, typical_number)):
            name.next_to(number, LEFT, buff=0.5)
        box = brackets(column, buff=0.18)
        lhs = eq(r"-\nabla C =", font_size=44).next_to(VGroup(*names, typical_name), LEFT, buff=0.4)
        arrows = VGroup(*(nudge_arrow(float(v), scale, 0.6).next_to(box, RIGHT, buff=0.35).set_y(n.get_y()) for v, n in zip(top, numbers)))
        typical_value = self.ledger.value("grad.median.value")
        typical_arrow = nudge_arrow(typical_value, scale, 0.6).next_to(box, RIGHT, buff=0.35).set_y(typical_number.get_y())
        rest = self.words("rest", n=self.ledger.shown("grad.rest", spec=COUNT), font_size=palette.SMALL_SIZE, color=palette.MUTED)
        rest.next_to(box, RIGHT, buff=0.35).set_y(dots.get_y())
        total = self.words("count", n=count, font_size=palette.LABEL_SIZE).to_edge(DOWN, buff=0.3)

        self.step("column")
        title = self.heading()
        self.say("column", n=count)
        self.play(FadeIn(title), Write(lhs), Create(box))
        self.play(LaggedStart(*(FadeIn(VGroup(n, v)) for n, v in zip(names, numbers)), lag_ratio=0.15), FadeIn(dots), FadeIn(rest), FadeIn(total), run_time=2)

        self.step("sign")
        self.say("sign")
        self.play(LaggedStart(*(GrowFromEdge(a, UP if v < 0 else DOWN) for a, v in zip(arrows, top)), lag_ratio=0.15), run_time=1.5)

        self.step("size")
        self.say("size")
        self.play(LaggedStart(*(Indicate(n, color=palette.HIGHLIGHT) for n in names), lag_ratio=0.15))

        self.step("compare")
        typical_label = self.words("typical", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(typical_arrow, RIGHT, buff=0.3)
        self.say("compare", r=self.ledger.shown("grad.ratio", spec=",.0f"))
        self.play(FadeIn(typical_name), FadeIn(typical_number), FadeIn(typical_arrow), FadeIn(typical_label))
        self.play(Indicate(numbers[0], color=palette.HIGHLIGHT), Indicate(typical_number, color=palette.HIGHLIGHT))

        self.step("sorted")
        chart = self.sorted_chart().move_to(RIGHT * 4.2 + DOWN * 0.2)
        self.say("sorted_step", n=count)
        self.play(FadeIn(chart, shift=0.3 * LEFT), run_time=1.5)
        self.wait(1)

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

    estimated_seconds = 22.0

    def construct(self):
        sizes = [int(s) for s in self.ledger.array("sizes")]
        epochs = int(self.ledger.value("train.epochs"))
        shown = [int(e) for e in self.ledger.array("train.shown")]
        costs, accuracy = self.ledger.array("train.cost"), self.ledger.array("train.accuracy")
        net = NetworkDiagram(sizes, input_start=input_window_start(sizes[0]), width=5.0, radius=0.11, spacing=0.27).move_to(LEFT * 3.6 + DOWN * 0.55)
        top = float(np.ceil(costs.max()))
        cost_plot = Plot(self.ledger, (0, epochs), (0, top), 5.2, 1.9, x_ticks=[0, epochs], y_ticks=[0, top])
        acc_plot = Plot(self.ledger, (0, epochs), (0, 1), 5.2, 1.9, x_ticks=[0, epochs], y_ticks=[0, 1])
        plots = VGroup(cost_plot, acc_plot).arrange(DOWN, buff=1.0).move_to(RIGHT * 3.7 + DOWN * 0.45)
        cost_label = self.words("cost_axis", font_size=palette.SMALL_SIZE).next_to(cost_plot, UP, buff=0.1).align_to(cost_plot, LEFT)
        acc_label = self.words("accuracy_axis", font_size=palette.SMALL_SIZE).next_to(acc_plot, UP, buff=0.1).align_to(acc_plot, LEFT)
        epoch_label = self.words("epoch_axis", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(acc_plot, DOWN, buff=0.15)

        self.step("start")
        title = self.heading()
        edges = self.edges(net, 0)
        marks = self.marks(cost_plot, acc_plot, 0, costs, accuracy)
        clock = self.words("epoch", e=self.ledger.shown("train.shown", 0, COUNT), font_size=palette.LABEL_SIZE).next_to(title, DOWN, buff=0.2).set_x(net.get_x())
        self.say("start", c=self.ledger.shown("train.cost", 0, COST), a=self.ledger.shown("train.accuracy", 0, PERCENT))
        self.play(FadeIn(title), FadeIn(edges), FadeIn(net), FadeIn(clock))
        self.bring_to_front(net)
        self.play(Create(cost_plot), Create(acc_plot), FadeIn(cost_label), FadeIn(acc_label), FadeIn(epoch_label), FadeIn(marks))

        self.step("train")
        self.say("train")
        for i in range(1, len(shown)):
            span = range(shown[i - 1], shown[i] + 1)
            segments = VGroup(
                polyline(cost_plot.points_of(span, costs[span.start : span.stop]), stroke_color=palette.NEGATIVE),
                polyline(acc_plot.points_of(span, accuracy[span.start : span.stop]), stroke_color=palette.POSITIVE),
            )
            new_edges = self.edges(net, i)
            new_marks = self.marks(cost_plot, acc_plot, shown[i], costs, accuracy)
            new_clock = self.words("epoch", e=self.ledger.shown("train.shown", i, COUNT), font_size=palette.LABEL_SIZE).move_to(clock)
            self.play(Create(segments), FadeOut(edges), FadeIn(new_edges), FadeTransform(marks, new_marks), FadeTransform(clock, new_clock), run_time=1.6, rate_func=linear)
            self.bring_to_front(net)
            edges, marks, clock = new_edges, new_marks, new_clock

        self.step("done")
        self.say("done", e=self.ledger.shown("train.epochs", spec=COUNT), c=self.ledger.shown("train.cost", epochs, COST), a=self.ledger.shown("train.accuracy", epochs, PERCENT))
        self.play(Indicate(marks, color=palette.HIGHLIGHT))
        self.wait(1)

    def edges(self, net: NetworkDiagram, snapshot: int) -> VGroup:
        return VGroup(*(net.edges(k, self.ledger.array(f"train.snap.{snapshot}.layers.{k}.weight"), max_width=2.5) for k in range(len(net.columns) - 1)))

    def marks(self, cost_plot: Plot, acc_plot: Plot, epoch: int, costs: np.ndarray, accuracy: np.ndarray) -> VGroup:
        """Dots at the current epoch, with the real cost and accuracy at the plots' top right."""
        cost_dot = Dot(cost_plot.p(epoch, costs[epoch]), color=palette.NEGATIVE, radius=0.07)
        acc_dot = Dot(acc_plot.p(epoch, accuracy[epoch]), color=palette.POSITIVE, radius=0.07)
        cost_value = self.ledger.number("train.cost", epoch, 4, font_size=28, color=palette.NEGATIVE)
        cost_value.next_to(cost_plot, UP, buff=0.1).align_to(cost_plot, RIGHT)
        acc_value = self.words("right", a=self.ledger.shown("train.accuracy", epoch, PERCENT), font_size=palette.LABEL_SIZE, color=palette.POSITIVE)
        acc_value.next_to(acc_plot, UP, buff=0.1).align_to(acc_plot, RIGHT)
        return VGroup(cost_dot, acc_dot, cost_value, acc_value)


SCENES = [OneExampleCost, AverageCost, OneWeight, TwoWeights, GradientVector, Training]
