"""Chapter 5 — Backprop calculus: the chain rule on a real 1-1-1-1 chain, then on a real layer of the digit MLP."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    GOLD_C,
    LEFT,
    PURPLE_B,
    RIGHT,
    TEAL_C,
    UP,
    Arrow,
    Brace,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromCenter,
    Group,
    Indicate,
    LaggedStart,
    Line,
    NumberLine,
    ReplacementTransform,
    SurroundingRectangle,
    TransformFromCopy,
    Triangle,
    ValueTracker,
    VGroup,
    Write,
    linear,
)

from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.flipbook import Flipbook
from netreel.scenes.common.formats import COUNT, VALUE, VALUE3, VALUE4
from netreel.scenes.common.mobjects import NeuronColumn, brackets, edge_buckets, pixel_image, stack
from netreel.scenes.common.motion import sweep, trace
from netreel.scenes.common.text import eq, numbered

FACTOR_COLORS = (TEAL_C, GOLD_C, PURPLE_B)  # dz/dw, da/dz, dC0/da
SWEEP_SECONDS = 3.0
PANEL_LEFT = -1.3  # left edge of the equations beside the MLP layer
LEFT_COLUMN = -6.5  # left edge of the equations beside a graph on the right


def layer_tag(offset: int) -> str:
    """The superscript of the layer ``offset`` steps before the last: (L), (L-1), ..."""
    return "(L)" if offset == 0 else f"(L-{offset})"


def wrapped(value: str) -> list[str]:
    """A factor as equation parts: negative values in parentheses."""
    return ["(", value, ")"] if value.startswith("-") else [value]


def times(*factors: str) -> list[str]:
    """Factors joined by a centred dot, negative ones in parentheses."""
    parts: list[str] = []
    for k, factor in enumerate(factors):
        if k:
            parts.append(r"\cdot")
        parts += wrapped(factor)
    return parts


def colour_factors(mob: VGroup, start: int, factors: list[str]) -> None:
    """Colour the factors of ``times(*factors)``, drawn from part ``start`` of ``mob``, as the chain rule's."""
    index = start
    for k, factor in enumerate(factors):
        index += 1 if k else 0  # the centred dot
        width = len(wrapped(factor))
        VGroup(*mob[index : index + width]).set_color(FACTOR_COLORS[k])
        index += width


def colour_rule(rule: VGroup, values: list[str]) -> None:
    """Colour a rule drawn as ``chain_rule(...)`` over ``"=", times(three symbols), "=", times(*values), ...``:
    each factor in its colour, as symbol and as value."""
    for part, color in zip(rule[0][2:], FACTOR_COLORS):
        part.set_color(color)
    colour_factors(rule[1], 1, ["symbol"] * 3)
    colour_factors(rule[1], 7, values)


def partial(top: str, bottom: str) -> str:
    return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"


def chain_rule(wrt: str, z: str = "z^{(L)}", a: str = "a^{(L)}") -> list[str]:
    """dC0/d(wrt) = dz/d(wrt) . da/dz . dC0/da, as equation parts (the three factors are parts 2 to 4)."""
    return [partial("C_0", wrt), "=", partial(z, wrt), partial(a, z), partial("C_0", a)]


class ChapterScene(NetScene):
    chapter = "calculus"

    def depth(self) -> int:
        return int(self.ledger.value("chain.depth"))

    def autograd_line(self, symbol: str, key: str, index, font_size: float = 36) -> VGroup:
        """'torch autograd: dC0/d... = value', the value read from autograd's gradient."""
        return VGroup(
            self.words("calculus.autograd", font_size=palette.LABEL_SIZE, color=palette.MUTED),
            eq(symbol, "=", self.ledger.shown(key, index, VALUE4), font_size=font_size, color=palette.HIGHLIGHT),
        ).arrange(RIGHT, buff=0.25)

    def chain_graph(self, links: int, x0: float, dx: float) -> dict[str, VGroup]:
        """The computational graph of the last ``links`` links, w, a, b -> z -> a -> ... -> C0 <- y, with real values.

        Nodes are named ``w0, b0, z0, a0`` for the last layer, ``w1, ...`` one layer back, and
        ``a{links}`` for the earliest activation; ``C`` and ``y``; arrows are ``src>dst``.
        """
        depth = self.depth()
        nodes: dict[str, VGroup] = {}

        def node(name: str, symbol: str, key: str, index, x: float, y: float, spec: str = VALUE3) -> None:
            label = eq(symbol, font_size=44)
            value = eq(self.ledger.shown(key, index, spec), font_size=30, color=palette.MUTED)
            nodes[name] = VGroup(label, value.next_to(label, DOWN, buff=0.12)).move_to([x, y, 0])

        x = x0
        node(f"a{links}", f"a^{{{layer_tag(links)}}}", "chain.a", depth - links, x, 0.0)
        for offset in reversed(range(links)):
            layer = depth - offset  # 1-based layer number
            node(f"w{offset}", f"w^{{{layer_tag(offset)}}}", "chain.w", layer - 1, x, 1.7)
            node(f"b{offset}", f"b^{{{layer_tag(offset)}}}", "chain.b", layer - 1, x, -1.7)
            node(f"z{offset}", f"z^{{{layer_tag(offset)}}}", "chain.z", layer - 1, x + dx, 0.0)
            node(f"a{offset}", f"a^{{{layer_tag(offset)}}}", "chain.a", layer, x + 2 * dx, 0.0)
            x += 2 * dx
        node("C", "C_0", "chain.cost", None, x + dx, 0.0)
        node("y", "y", "chain.y", None, x + 2 * dx, 0.0, spec=VALUE)
        arrows = {}
        for offset in range(links):
            for src in (f"w{offset}", f"a{offset + 1}", f"b{offset}"):
                arrows[f"{src}>z{offset}"] = self.arrow(nodes[src], nodes[f"z{offset}"])
            arrows[f"z{offset}>a{offset}"] = self.arrow(nodes[f"z{offset}"], nodes[f"a{offset}"])
        arrows["a0>C"] = self.arrow(nodes["a0"], nodes["C"])
        arrows["y>C"] = self.arrow(nodes["y"], nodes["C"])
        return {"nodes": nodes, "arrows": arrows}

    @staticmethod
    def arrow(src: VGroup, dst: VGroup) -> Arrow:
        """From the edge of one node's symbol to the facing edge of the other's."""
        leftwards = src.get_x() > dst.get_x()
        start = src[0].get_left() if leftwards else src[0].get_right()
        end = dst[0].get_right() if leftwards else dst[0].get_left()
        return Arrow(start, end, buff=0.15, color=palette.MUTED, stroke_width=3, max_tip_length_to_length_ratio=0.15)


class ChainNetwork(ChapterScene):
    """The 1-1-1-1 chain with its real seeded weights, biases and input; its target and cost; its graph."""

    estimated_seconds = 50.0
    steps = ("chain", "cost", "focus", "graph")

    def chain(self):
        depth = self.depth()
        a = self.ledger.array("chain.a")
        w = self.ledger.array("chain.w")
        xs = np.linspace(-5.6, 3.2, depth + 1)
        self.title = title = self.heading()
        circles = VGroup()
        for l in range(depth + 1):
            circle = Circle(radius=0.45, stroke_color=palette.NEURON_STROKE, stroke_width=2).move_to([xs[l], 0.7, 0])
            circles.add(circle.set_fill(palette.lit(a[l]), opacity=1.0))
        a_labels = VGroup()
        for l in range(depth + 1):
            label = eq(numbered("a", self.ledger.ordinal("chain.a", l)), "=", self.ledger.shown("chain.a", l, VALUE3), font_size=34)
            a_labels.add(label.next_to(circles[l], DOWN, buff=0.25))
        strongest = float(np.abs(w).max())
        edges, w_labels, b_labels = VGroup(), VGroup(), VGroup()
        for l in range(depth):
            color = palette.POSITIVE if w[l] >= 0 else palette.NEGATIVE
            width = 2 + 6 * abs(w[l]) / strongest
            edge = Line(circles[l].get_right(), circles[l + 1].get_left(), color=color, stroke_width=width)
            edges.add(edge)
            w_label = eq(numbered("w", self.ledger.ordinal("chain.w", l, "from1")), "=", self.ledger.shown("chain.w", l, VALUE3), font_size=32)
            b_label = eq(numbered("b", self.ledger.ordinal("chain.b", l, "from1")), "=", self.ledger.shown("chain.b", l, VALUE3), font_size=32)
            w_labels.add(w_label.next_to(edge, UP, buff=0.3))
            b_labels.add(b_label.next_to(a_labels[l + 1], DOWN, buff=0.2))
        self.say("chain", about=[circles[0], a_labels[0], *edges, w_labels, b_labels])
        self.play(FadeIn(title), FadeIn(circles[0]), Write(a_labels[0]))
        self.play(
            LaggedStart(*(Create(e) for e in edges), lag_ratio=0.3),
            FadeIn(w_labels), FadeIn(circles[1:]), FadeIn(b_labels), run_time=2,
        )
        self.say("forward", about=[*circles[1:], *a_labels[1:]])
        for l in range(1, depth + 1):
            self.play(Indicate(circles[l], color=palette.HIGHLIGHT), Write(a_labels[l]), run_time=1.2)
        self.wait(1)
        self.circles, self.edges = circles, edges
        self.a_labels, self.w_labels, self.b_labels = a_labels, w_labels, b_labels

    def cost(self):
        depth = self.depth()
        y_word = self.words("target", font_size=palette.LABEL_SIZE, color=palette.MUTED)
        y_value = eq("y", "=", self.ledger.shown("chain.y", spec=VALUE), font_size=34, color=palette.HIGHLIGHT)
        self.target = target = stack(y_word, y_value, buff=0.12).move_to([5.9, 0.7, 0])
        self.cost_eq = cost = eq(
            "C_0", "=", "(", numbered("a", self.ledger.ordinal("chain.a", depth)), "- y)^2", "=",
            "(", self.ledger.shown("chain.a", depth, VALUE3), "-", self.ledger.shown("chain.y", spec=VALUE), ")^2",
            "=", self.ledger.shown("chain.cost", spec=VALUE3),
            font_size=38,
        ).move_to(DOWN * 2.6)
        self.say(
            "cost", about=[target, cost],
            y=self.ledger.shown("chain.y", spec=VALUE), c=self.ledger.shown("chain.cost", spec=VALUE3),
        )
        self.play(FadeIn(target, shift=LEFT * 0.3))
        self.play(Write(cost))
        self.wait(1)

    def focus(self):
        depth = self.depth()
        circles, edges = self.circles, self.edges
        a_labels, w_labels, b_labels = self.a_labels, self.w_labels, self.b_labels
        target, cost = self.target, self.cost_eq
        last, previous = depth, depth - 1
        keep = VGroup(
            circles[previous], circles[last], edges[last - 1], a_labels[previous], a_labels[last],
            w_labels[last - 1], b_labels[last - 1], target,
        )
        gone = VGroup(*(m for m in (*circles, *edges, *a_labels, *w_labels, *b_labels) if m not in keep))
        self.say("focus", about=[keep])
        self.play(FadeOut(gone), FadeOut(cost))
        self.play(keep.animate.shift(LEFT * 3.4 + UP * 0.6))
        renames = [
            (a_labels[previous], eq("a^{(L-1)}", "=", self.ledger.shown("chain.a", previous, VALUE3), font_size=34)),
            (a_labels[last], eq("a^{(L)}", "=", self.ledger.shown("chain.a", last, VALUE3), font_size=34)),
            (w_labels[last - 1], eq("w^{(L)}", "=", self.ledger.shown("chain.w", last - 1, VALUE3), font_size=32)),
            (b_labels[last - 1], eq("b^{(L)}", "=", self.ledger.shown("chain.b", last - 1, VALUE3), font_size=32)),
        ]
        self.play(*(ReplacementTransform(old, new.move_to(old)) for old, new in renames))
        z_eq = eq(
            "z^{(L)}", "=", "w^{(L)} a^{(L-1)} + b^{(L)}", "=",
            *times(self.ledger.shown("chain.w", last - 1, VALUE3), self.ledger.shown("chain.a", previous, VALUE3)), "+",
            *wrapped(self.ledger.shown("chain.b", last - 1, VALUE3)), "=",
            self.ledger.shown("chain.z", last - 1, VALUE3),
            font_size=38,
        ).move_to(DOWN * 1.7)
        a_eq = eq("a^{(L)}", "=", r"\sigma(z^{(L)})", "=", self.ledger.shown("chain.a", last, VALUE3), font_size=38)
        a_eq.next_to(z_eq, DOWN, buff=0.35).align_to(z_eq, LEFT)
        self.say("weighted", about=[z_eq], z=self.ledger.shown("chain.z", last - 1, VALUE3))
        self.play(Write(z_eq))
        self.say("squash", about=[a_eq], a=self.ledger.shown("chain.a", last, VALUE3))
        self.play(Write(a_eq))
        self.wait(1)

    def graph(self):
        title = self.title
        self.play(*(FadeOut(m) for m in self.mobjects if m is not title))
        graph = self.chain_graph(1, x0=-5.0, dx=2.7)
        nodes, arrows = graph["nodes"], graph["arrows"]
        VGroup(*nodes.values(), *arrows.values()).shift(DOWN * 0.4)
        self.say("graph", about=[*nodes.values(), *arrows.values()])
        self.play(LaggedStart(*(FadeIn(nodes[n]) for n in ("w0", "a1", "b0")), lag_ratio=0.2))
        self.play(*(GrowArrow(arrows[f"{s}>z0"]) for s in ("w0", "a1", "b0")), FadeIn(nodes["z0"]))
        self.play(GrowArrow(arrows["z0>a0"]), FadeIn(nodes["a0"]))
        self.play(GrowArrow(arrows["a0>C"]), FadeIn(nodes["C"]), FadeIn(nodes["y"]), GrowArrow(arrows["y>C"]))
        self.wait(2)


class NudgeW(ChapterScene):
    """Linked number lines: moving w(L) moves z, a and C0, each frame a recorded sample of the real formulas."""

    estimated_seconds = 30.0
    steps = ("lines", "sweep", "nudge")
    rows_y = [2.0, 0.6, -0.8, -2.2]

    def lines(self):
        names = ["w", "z", "a", "cost"]
        symbols = ["w^{(L)}", "z^{(L)}", "a^{(L)}", "C_0"]
        rules = [None, "= w^{(L)} a^{(L-1)} + b^{(L)}", r"= \sigma(z^{(L)})", "= (a^{(L)} - y)^2"]
        samples = {n: self.ledger.array(f"sweep.{n}") for n in names}
        center = int(self.ledger.value("sweep.center"))
        moved = int(self.ledger.value("sweep.moved"))
        self.center = center
        self.moved = moved
        self.samples = samples
        self.tracker = step = ValueTracker(center)
        rows_y = self.rows_y
        title = self.heading()
        static, books, markers = VGroup(), [], VGroup()
        for name, symbol, rule, y in zip(names, symbols, rules, rows_y):
            line = self.number_line(samples[name], name).move_to([1.05, y, 0])
            label = eq(symbol, *([rule] if rule else []), font_size=30)
            if rule:
                label[1].set_color(palette.MUTED)
            label.move_to([-5.7, y, 0]).set_x(-6.6, LEFT)
            static.add(line, label)
            values = samples[name]
            readout = Flipbook(
                [
                    self.ledger.number(f"sweep.{name}", i, decimals=3, font_size=32).move_to([5.7, y, 0])
                    for i in range(len(values))
                ],
                step,
            )
            books.append(readout)
            marker = Triangle(color=palette.HIGHLIGHT, fill_opacity=1.0).scale(0.12).rotate(np.pi)

            def follow(mob, line=line, values=values):
                mob.move_to(line.n2p(values[int(np.clip(round(step.get_value()), 0, len(values) - 1))]) + UP * 0.2)

            marker.add_updater(follow)
            follow(marker)
            markers.add(marker)
        self.books, self.markers = books, markers
        self.say("lines", about=[static, markers, *books])
        self.play(FadeIn(title), FadeIn(static), FadeIn(markers))
        self.add(*books, step)
        self.wait(1)

    def sweep(self):
        step, samples, center = self.tracker, self.samples, self.center
        self.say("sweep", about=[self.markers, *self.books])
        last = len(samples["w"]) - 1
        for target in (0, last):
            self.play(step.animate.set_value(target), run_time=SWEEP_SECONDS, rate_func=linear)
        self.say("back", about=[self.markers, *self.books])
        self.play(step.animate.set_value(center), run_time=SWEEP_SECONDS / 2, rate_func=linear)
        self.wait(1)

    def nudge(self):
        step, moved, rows_y = self.tracker, self.moved, self.rows_y
        deltas = VGroup(
            *(
                eq(
                    rf"\Delta {s}", "=", self.ledger.shown(f"nudge.{k}", spec=VALUE3),
                    font_size=30, color=palette.HIGHLIGHT,
                )
                for s, k in zip(("w", "z", "a", "C_0"), ("dw", "dz", "da", "dc"))
            )
        )
        for delta, y in zip(deltas, rows_y):
            delta.move_to([5.7, y - 0.5, 0])
        self.say(
            "nudge", about=[*deltas, self.markers],
            dw=self.ledger.shown("nudge.dw", spec=VALUE3),
            dz=self.ledger.shown("nudge.dz", spec=VALUE3),
            da=self.ledger.shown("nudge.da", spec=VALUE3),
            dc=self.ledger.shown("nudge.dc", spec=VALUE3),
        )
        self.play(step.animate.set_value(moved), run_time=1.5, rate_func=linear)
        self.play(LaggedStart(*(FadeIn(d) for d in deltas), lag_ratio=0.3), run_time=2)
        slope_value = self.ledger.shown("nudge.slope", spec=VALUE3)
        slope = eq(r"\frac{\Delta C_0}{\Delta w^{(L)}}", "=", slope_value, font_size=40)
        slope.move_to(DOWN * 3.2 + LEFT * 1.0)
        self.say("slope", about=[slope], slope=self.ledger.shown("nudge.slope", spec=VALUE3))
        self.play(Write(slope))
        self.play(Indicate(slope, color=palette.HIGHLIGHT))
        self.wait(2)

    def number_line(self, values: np.ndarray, name: str) -> VGroup:
        """A number line wide enough for every sampled value, ticks labelled as plot coordinates."""
        if name in ("a", "cost"):
            low, high, step, decimals = 0.0, 1.0, 0.5, 1
        else:
            low, high = float(np.floor(values.min())), float(np.ceil(values.max()))
            step, decimals = 1.0, 0
        self.ledger.span(f"sweep.{name}", None, low, high)
        line = NumberLine(x_range=[low, high, step], length=7.0, color=palette.MUTED, include_tip=False)
        for x in np.arange(low, high + step / 2, step):
            tick = self.ledger.tick(x, decimals=decimals, font_size=24, color=palette.MUTED)
            line.add(tick.next_to(line.n2p(x), DOWN, buff=0.15))
        return line


class ChainRule(ChapterScene):
    """dC0/dw(L) as the product of three real factors, each linked to its edge of the graph, equal to autograd."""

    estimated_seconds = 40.0
    steps = ("rule", "factors", "product")
    links = ("w0>z0", "z0>a0", "a0>C")  # the graph's edge of each factor of the rule

    def rule(self):
        title = self.heading()
        self.rule_eq = rule = eq(*chain_rule("w^{(L)}"), font_size=42).next_to(title, DOWN, buff=0.3)
        rule.set_x(LEFT_COLUMN, LEFT)
        braces = VGroup()
        for part, color in zip(rule[2:], FACTOR_COLORS):
            part.set_color(color)
            braces.add(Brace(part, DOWN, buff=0.06, color=color))
        graph = self.chain_graph(1, x0=0.0, dx=1.7)
        nodes, arrows = graph["nodes"], graph["arrows"]
        nodes["y"].move_to(nodes["C"]).shift(DOWN * 1.7)  # the target under the cost, to keep the graph narrow
        arrows["y>C"] = Arrow(
            nodes["y"][0].get_top(), nodes["C"][1].get_bottom(), buff=0.12, color=palette.MUTED, stroke_width=3,
            max_tip_length_to_length_ratio=0.15,
        )
        picture = VGroup(*nodes.values(), *arrows.values()).scale(0.9)
        picture.move_to([3.9, 0.2, 0])
        self.arrows = [arrows[key] for key in self.links]
        tags = VGroup()
        for part, arrow in zip(rule[2:], self.arrows):
            tag = part.copy().scale(0.62)
            if arrow is self.arrows[0]:
                tag.next_to(arrow.get_center(), RIGHT, buff=0.15)
            else:
                tag.next_to(arrow, UP, buff=0.1)
            tags.add(tag)
        self.tags = tags
        self.say("rule", about=[rule, *braces, *self.arrows, *tags])
        self.play(FadeIn(title), Write(rule), FadeIn(picture), run_time=1.5)
        for part, brace, arrow, tag, color in zip(rule[2:], braces, self.arrows, tags, FACTOR_COLORS):
            self.play(
                GrowFromCenter(brace), arrow.animate.set_color(color), TransformFromCopy(part, tag), run_time=1.2,
            )
        self.braces = braces

    def factors(self):
        depth = self.depth()
        last, previous = depth - 1, depth - 1  # index of w(L), z(L) in the [L] arrays; of a(L-1) in [L+1]
        self.factor_values = values = [
            self.ledger.shown("chain.a", previous, VALUE3),
            self.ledger.shown("chain.sigma_prime", last, VALUE3),
            self.ledger.shown("chain.dc_da_out", spec=VALUE3),
        ]
        self.factor_rows = rows = VGroup(
            eq(partial("z^{(L)}", "w^{(L)}"), "=", "a^{(L-1)}", "=", values[0], font_size=32),
            eq(partial("a^{(L)}", "z^{(L)}"), "=", r"\sigma'(z^{(L)})", "=", values[1], font_size=32),
            eq(partial("C_0", "a^{(L)}"), "=", r"2(a^{(L)} - y)", "=", values[2], font_size=32),
        )
        rows.arrange(DOWN, buff=0.2, aligned_edge=LEFT)
        ratios = VGroup()
        for i, (top, bottom) in enumerate((("z", "w"), ("a", "z"), ("C_0", "a"))):
            ratio = rf"\frac{{\Delta {top}}}{{\Delta {bottom}}}"
            value = self.ledger.shown("nudge.ratio", i, VALUE3)
            ratios.add(eq(r"\approx", ratio, "=", value, font_size=28, color=palette.MUTED))
        for row, ratio, color in zip(rows, ratios, FACTOR_COLORS):
            row[0].set_color(color)
            ratio.set_y(row.get_y()).set_x(rows.get_right()[0] + 0.45, LEFT)
        VGroup(rows, ratios).next_to(self.braces, DOWN, buff=0.35).set_x(LEFT_COLUMN, LEFT)
        for key, row, value, arrow, tag in zip(("dz_dw", "da_dz", "dc_da"), rows, values, self.arrows, self.tags):
            self.say(key, about=[row, arrow, tag], v=value)
            self.play(Write(row), Indicate(tag, scale_factor=1.3), trace(arrow, width=7), run_time=1.5)
        self.say("ratios", about=[*ratios])
        self.play(LaggedStart(*(FadeIn(r) for r in ratios), lag_ratio=0.3))
        self.play(sweep(list(zip(rows, ratios))), run_time=2)

    def product(self):
        last = self.depth() - 1
        values, rows = self.factor_values, self.factor_rows
        product = eq(
            partial("C_0", "w^{(L)}"), "=", *times(*values), "=", self.ledger.shown("chain.product.w", spec=VALUE4),
            font_size=36,
        ).next_to(rows, DOWN, buff=0.3).set_x(LEFT_COLUMN, LEFT)
        colour_factors(product, 2, values)
        check = self.autograd_line(partial("C_0", "w^{(L)}"), "chain.grad.w", last, font_size=32)
        check.next_to(product, DOWN, buff=0.18).set_x(LEFT_COLUMN, LEFT)
        self.say("product", about=[product, *self.arrows], p=self.ledger.shown("chain.product.w", spec=VALUE4))
        self.play(Write(product), *(trace(arrow, width=7) for arrow in self.arrows), run_time=2)
        self.say("autograd_says", about=[check], g=self.ledger.shown("chain.grad.w", last, VALUE4))
        self.play(FadeIn(check))
        self.play(Indicate(check[1], color=palette.HIGHLIGHT))
        self.wait(2)


class OtherDerivatives(ChapterScene):
    """dC0/db(L), dC0/da(L-1), and the recursion to dC0/dw(L-1), each equal to autograd."""

    estimated_seconds = 39.0
    steps = ("bias", "previous", "recursion", "back")

    def bias(self):
        last = self.depth() - 1
        self.sigma = sigma = self.ledger.shown("chain.sigma_prime", last, VALUE3)
        self.dc_da = dc_da = self.ledger.shown("chain.dc_da_out", spec=VALUE3)
        self.title = title = self.heading()
        bias = VGroup(
            eq(*chain_rule("b^{(L)}"), font_size=40),
            eq(
                "=", *times("1", r"\sigma'(z^{(L)})", r"2(a^{(L)} - y)"), "=", *times("1", sigma, dc_da),
                "=", self.ledger.shown("chain.product.b", spec=VALUE4), font_size=36,
            ),
        )
        bias.arrange(DOWN, buff=0.3, aligned_edge=LEFT).next_to(title, DOWN, buff=0.4)
        colour_rule(bias, ["1", sigma, dc_da])
        bias_check = self.autograd_line(partial("C_0", "b^{(L)}"), "chain.grad.b", last, font_size=32)
        bias_check.next_to(bias, DOWN, buff=0.25)
        self.say("bias", about=[bias[0], bias[1], bias_check], v=self.ledger.shown("chain.product.b", spec=VALUE4))
        self.play(FadeIn(title), Write(bias[0]))
        self.play(Write(bias[1]))
        self.play(FadeIn(bias_check))
        self.play(Indicate(bias[1], color=palette.HIGHLIGHT, scale_factor=1.05), run_time=1.5)
        self.bias_eqs, self.bias_check = bias, bias_check

    def previous(self):
        depth = self.depth()
        last = depth - 1
        sigma, dc_da, bias, bias_check = self.sigma, self.dc_da, self.bias_eqs, self.bias_check
        w_last = self.ledger.shown("chain.w", last, VALUE3)
        previous = VGroup(
            eq(*chain_rule("a^{(L-1)}"), font_size=40),
            eq(
                "=", *times("w^{(L)}", r"\sigma'(z^{(L)})", r"2(a^{(L)} - y)"), "=", *times(w_last, sigma, dc_da),
                "=", self.ledger.shown("chain.product.a", spec=VALUE4), font_size=36,
            ),
        )
        previous.arrange(DOWN, buff=0.3, aligned_edge=LEFT).next_to(bias_check, DOWN, buff=0.6).align_to(bias, LEFT)
        colour_rule(previous, [w_last, sigma, dc_da])
        previous_check = self.autograd_line(partial("C_0", "a^{(L-1)}"), "chain.grad.a", depth - 1, font_size=32)
        previous_check.next_to(previous, DOWN, buff=0.25)
        self.say(
            "previous", about=[previous[0],
            previous[1], previous_check], w=w_last, v=self.ledger.shown("chain.product.a", spec=VALUE4),
        )
        self.play(Write(previous[0]))
        self.play(Write(previous[1]))
        self.play(FadeIn(previous_check))
        self.say("previous_note", about=[previous[1], previous_check])
        self.play(Indicate(previous[1], color=palette.HIGHLIGHT, scale_factor=1.05), run_time=2)
        self.play(Indicate(previous_check, color=palette.HIGHLIGHT, scale_factor=1.05), run_time=1.5)

    def recursion(self):
        title = self.title
        self.play(*(FadeOut(m) for m in self.mobjects if m is not title))
        graph = self.chain_graph(2, x0=-7.5, dx=2.5)
        nodes, arrows = graph["nodes"], graph["arrows"]
        picture = VGroup(*nodes.values(), *arrows.values()).scale(0.8).next_to(title, DOWN, buff=0.3).set_x(0)
        back_part = [nodes[n] for n in ("w1", "a2", "b1", "z1")]
        back_part += [arrows[k] for k in ("w1>z1", "a2>z1", "b1>z1", "z1>a1")]
        front_part = [m for m in picture if m not in back_part]
        self.say("graph", about=[*front_part, *back_part])
        self.play(FadeIn(VGroup(*front_part)))
        self.play(LaggedStart(*(FadeIn(m) for m in back_part), lag_ratio=0.15), run_time=2)
        self.wait(1)
        self.picture, self.arrows = picture, arrows

    def back(self):
        depth = self.depth()
        last = depth - 1
        picture, arrows = self.picture, self.arrows
        a_back = self.ledger.shown("chain.a", depth - 2, VALUE3)
        sigma_back = self.ledger.shown("chain.sigma_prime", last - 1, VALUE3)
        dc_da_prev = self.ledger.shown("chain.product.a", spec=VALUE4)
        back = VGroup(
            eq(*chain_rule("w^{(L-1)}", z="z^{(L-1)}", a="a^{(L-1)}"), font_size=38),
            eq(
                "=", *times(a_back, sigma_back, dc_da_prev),
                "=", self.ledger.shown("chain.product.w_prev", spec=VALUE4),
                font_size=36,
            ),
        ).arrange(RIGHT, buff=0.2).next_to(picture, DOWN, buff=0.35)
        for part, color in zip(back[0][2:], FACTOR_COLORS):
            part.set_color(color)
        colour_factors(back[1], 1, [a_back, sigma_back, dc_da_prev])
        if back.width > 13.6:
            back.scale_to_fit_width(13.6)
        back_check = self.autograd_line(partial("C_0", "w^{(L-1)}"), "chain.grad.w", last - 1, font_size=32)
        back_check.next_to(back, DOWN, buff=0.25)
        path = VGroup(arrows["w1>z1"], arrows["z1>a1"], arrows["a1>z0"], arrows["z0>a0"], arrows["a0>C"])
        self.say("back", about=[path, back[0], back[1]], v=self.ledger.shown("chain.product.w_prev", spec=VALUE4))
        self.play(path.animate.set_color(palette.HIGHLIGHT))
        self.play(Write(back[0]))
        self.play(Write(back[1]))
        self.say("check", about=[back_check], g=self.ledger.shown("chain.grad.w", last - 1, VALUE4))
        self.play(FadeIn(back_check))
        self.wait(2)


class LayerIndices(ChapterScene):
    """The output layer of the trained digit MLP: dC0/dw_jk and the sum over j for dC0/da_k, equal to autograd."""

    estimated_seconds = 54.0
    steps = ("layer", "indices", "weight", "sum")

    def layer(self):
        n_out, n_prev = (int(s) for s in self.ledger.array("layer.sizes"))
        self.n_out = n_out
        self.j = int(self.ledger.value("layer.j"))
        self.k = int(self.ledger.value("layer.k"))
        side = int(self.facts.meta["side"])
        self.title = title = self.heading()
        prev_col = NeuronColumn(n_prev, list(range(n_prev)), radius=0.12, spacing=0.3).move_to([-5.3, -0.6, 0])
        out_col = NeuronColumn(n_out, list(range(n_out)), radius=0.12, spacing=0.42).move_to([-3.2, -0.6, 0])
        prev_col.set_activations(self.ledger.array("layer.a_prev"))
        out_col.set_activations(self.ledger.array("layer.a"))
        weights = self.ledger.array("layer.w")  # [out, prev]
        starts = np.array([prev_col.circle_for(kk).get_right() for jj in range(n_out) for kk in range(n_prev)])
        ends = np.array([out_col.circle_for(jj).get_left() for jj in range(n_out) for kk in range(n_prev)])
        edges = edge_buckets(starts, ends, weights.reshape(-1), max_width=1.6)
        classes, targets = VGroup(), VGroup()
        for d in range(n_out):
            circle = out_col.circle_for(d)
            classes.add(self.ledger.integer("classes", d, font_size=22).next_to(circle, RIGHT, buff=0.12))
            y = self.ledger.integer("layer.y", d, font_size=22, color=palette.HIGHLIGHT)
            targets.add(y.move_to([-2.15, circle.get_y(), 0]))
        headers = VGroup(
            eq("a_k^{(L-1)}", font_size=28).next_to(prev_col, UP, buff=0.15),
            eq("a_j^{(L)}", font_size=28).next_to(out_col, UP, buff=0.15),
            eq("y_j", font_size=28).next_to(targets, UP, buff=0.15).set_y(out_col.get_top()[1] + 0.3),
        )
        digit = pixel_image(palette.grey_image(self.ledger.array("layer.image").reshape(side, side)), height=0.8)
        digit.next_to(headers[2], UP, buff=0.15)  # the example whose label gives the targets y_j
        self.k_labels = VGroup(*(
            self.ledger.integer("layer.neurons", kk, font_size=22, color=palette.MUTED)
            .next_to(prev_col.circle_for(kk), LEFT, buff=0.12)
            for kk in range(n_prev)
        ))
        self.say("layer", about=[digit, edges, prev_col, out_col], label=self.ledger.shown("layer.label", spec=COUNT))
        self.play(FadeIn(title), FadeIn(edges), FadeIn(prev_col), FadeIn(out_col), FadeIn(classes), FadeIn(headers[:2]))
        self.bring_to_front(prev_col, out_col)
        self.play(FadeIn(digit, shift=0.3 * DOWN), FadeIn(targets), FadeIn(headers[2]))
        self.play(sweep(list(zip(out_col.circles, targets))), run_time=2.5)
        self.prev_col, self.out_col, self.classes = prev_col, out_col, classes

    def indices(self):
        title = self.title
        self.formulas = formulas = VGroup(
            eq("z_j^{(L)}", "=", r"\sum_k w_{jk}^{(L)} a_k^{(L-1)} + b_j^{(L)}", font_size=32),
            eq("a_j^{(L)}", "=", r"\sigma(z_j^{(L)})", font_size=32),
            eq(
                "C_0", "=", r"\sum_j (a_j^{(L)} - y_j)^2", "=", self.ledger.shown("layer.cost", spec=VALUE3),
                font_size=32,
            ),
        ).arrange(DOWN, buff=0.22, aligned_edge=LEFT).next_to(title, DOWN, buff=0.35)
        formulas.set_x(PANEL_LEFT, LEFT)
        j, k = self.j, self.k
        self.weight_edge = edge = Line(
            self.prev_col.circle_for(k).get_right(), self.out_col.circle_for(j).get_left(),
            color=palette.HIGHLIGHT, stroke_width=5,
        )
        self.say("indices", about=[formulas[0], formulas[1], self.k_labels, self.classes, edge])
        self.play(LaggedStart(*(FadeIn(label) for label in self.k_labels), lag_ratio=0.05), Write(formulas[0]), run_time=2)
        self.play(sweep(list(self.k_labels)), run_time=2)
        self.play(sweep(list(self.classes)), Write(formulas[1]), run_time=1.5)
        self.play(Create(edge), Indicate(self.k_labels[k]), Indicate(self.classes[j]))
        self.say(
            "cost", about=[formulas[2]],
            n=self.ledger.shown("layer.sizes", 0, COUNT), c=self.ledger.shown("layer.cost", spec=VALUE3),
        )
        self.play(Write(formulas[2]))
        self.wait(1)

    def weight(self):
        j, k, prev_col, out_col = self.j, self.k, self.prev_col, self.out_col
        formulas, edge = self.formulas, self.weight_edge
        picks = eq(
            "j", "=", self.ledger.shown("layer.j", spec=COUNT), r",\quad",
            "k", "=", self.ledger.shown("layer.k", spec=COUNT),
            font_size=32,
        )
        factors = [
            self.ledger.shown("layer.a_prev", k, VALUE3),
            self.ledger.shown("layer.sigma_prime", j, VALUE3),
            self.ledger.shown("layer.dc_da", j, VALUE3),
        ]
        derivative = VGroup(
            eq(
                partial("C_0", "w_{jk}^{(L)}"), "=", "a_k^{(L-1)}", r"\sigma'(z_j^{(L)})", r"2(a_j^{(L)} - y_j)",
                font_size=36,
            ),
            eq("=", *times(*factors), "=", self.ledger.shown("layer.product", spec=VALUE4), font_size=34),
        ).arrange(DOWN, buff=0.3, aligned_edge=LEFT)
        for part, color in zip(derivative[0][2:], FACTOR_COLORS):
            part.set_color(color)
        self.weight_block = block = VGroup(picks, derivative).arrange(DOWN, buff=0.25, aligned_edge=LEFT)
        block.next_to(formulas, DOWN, buff=0.4).align_to(formulas, LEFT)
        check = self.autograd_line(partial("C_0", "w_{jk}^{(L)}"), "layer.grad_w", (j, k), font_size=32)
        self.weight_check = check
        check.next_to(block, DOWN, buff=0.3).align_to(block, LEFT)
        self.say(
            "weight", about=[edge, picks, derivative[0],
            derivative[1]], j=self.ledger.shown("layer.j", spec=COUNT), k=self.ledger.shown("layer.k", spec=COUNT),
        )
        self.play(trace(edge, width=8), Indicate(prev_col.circle_for(k)), Indicate(out_col.circle_for(j)), FadeIn(picks))
        self.play(Write(derivative[0]))
        self.play(Write(derivative[1]))
        self.say(
            "weight_value", about=[check],
            p=self.ledger.shown("layer.product", spec=VALUE4),
            g=self.ledger.shown("layer.grad_w", (j, k), VALUE4),
        )
        self.play(FadeIn(check))
        self.wait(1)

    def sum(self):
        n_out, j, k, prev_col, out_col, title = self.n_out, self.j, self.k, self.prev_col, self.out_col, self.title
        formulas, block, check, edge = self.formulas, self.weight_block, self.weight_check, self.weight_edge
        source = prev_col.circle_for(k).get_right()
        fan = VGroup(
            *(
                Line(source, out_col.circle_for(jj).get_left(), color=palette.HIGHLIGHT, stroke_width=3)
                for jj in range(n_out)
            )
        )
        self.play(FadeOut(formulas), FadeOut(block), FadeOut(check), FadeOut(edge))
        total = eq(
            partial("C_0", "a_k^{(L-1)}"), "=", r"\sum_j", "w_{jk}^{(L)}", r"\sigma'(z_j^{(L)})", r"2(a_j^{(L)} - y_j)",
            font_size=34,
        ).next_to(title, DOWN, buff=0.3)
        total.set_x(PANEL_LEFT, LEFT)
        table = terms_table(self.ledger, n_out, j, k).next_to(total, DOWN, buff=0.25).set_x(PANEL_LEFT, LEFT)
        sum_line = eq(r"\sum_j", "=", self.ledger.shown("layer.terms_sum", spec=VALUE4), font_size=30)
        sum_check = self.autograd_line(partial("C_0", "a_k^{(L-1)}"), "layer.grad_a_prev", k, font_size=30)
        VGroup(sum_line, sum_check).arrange(RIGHT, buff=0.6).next_to(table, DOWN, buff=0.2).set_x(PANEL_LEFT, LEFT)
        self.say("sum", about=[*fan, total, table])
        self.play(LaggedStart(*(Create(f) for f in fan), lag_ratio=0.08), Write(total), run_time=2)
        self.play(FadeIn(table), run_time=1.5)
        self.say(
            "sum_value", about=[sum_line, sum_check],
            s=self.ledger.shown("layer.terms_sum", spec=VALUE4),
            g=self.ledger.shown("layer.grad_a_prev", k, VALUE4),
        )
        self.play(Write(sum_line))
        self.play(FadeIn(sum_check))
        self.say("closing", about=[total, table, *fan])
        self.play(trace(fan, width=5), run_time=2)
        self.play(sweep([table[5 * (jj + 1) : 5 * (jj + 2)] for jj in range(n_out)]), run_time=3)


def terms_table(ledger, n_out: int, j: int, k: int) -> VGroup:
    """One row per output neuron j: w_jk, sigma'(z_j), 2(a_j - y_j) and their product."""
    size = 27
    cells = [
        eq("j", font_size=size),
        eq("w_{jk}", font_size=size),
        eq(r"\sigma'(z_j)", font_size=size),
        eq("2(a_j - y_j)", font_size=size),
        eq(r"w_{jk}\,\sigma'\,2(a_j - y_j)", font_size=size),
    ]
    for jj in range(n_out):
        cells += [
            ledger.integer("classes", jj, font_size=size),
            ledger.number("layer.w", (jj, k), decimals=3, font_size=size),
            ledger.number("layer.sigma_prime", jj, decimals=3, font_size=size),
            ledger.number("layer.dc_da", jj, decimals=3, font_size=size),
            ledger.number("layer.terms", jj, decimals=4, font_size=size, color=palette.HIGHLIGHT),
        ]
    table = VGroup(*cells).arrange_in_grid(cols=5, buff=(0.5, 0.16), col_alignments="rrrrr")
    row = VGroup(*cells[5 * (j + 1) : 5 * (j + 2)])
    table.add(SurroundingRectangle(row, color=palette.MUTED, buff=0.06, stroke_width=1.5))
    return table


class AverageOverExamples(ChapterScene):
    """One weight's dC_i/dw_jk on several real training digits, their average as the derivative of the
    average cost (equal to autograd), and the gradient as every parameter's such average."""

    estimated_seconds = 30.0
    continues = LayerIndices  # the same weight w_jk, now over many digits
    steps = ("examples", "average", "gradient")

    def examples(self):
        n = len(self.ledger.array("average.index"))
        side = int(self.facts.meta["side"])
        xs = np.linspace(-4.3, 5.5, n)
        images = self.ledger.array("average.image")
        self.pictures = pictures = Group(*(
            pixel_image(palette.grey_image(images[i].reshape(side, side)), height=1.0).move_to([x, 1.75, 0])
            for i, x in enumerate(xs)
        ))
        grads = self.ledger.array("average.grad")
        self.values = values = VGroup()
        for i, x in enumerate(xs):
            shown = self.ledger.shown("average.grad", i, VALUE4)
            colour = palette.MUTED if float(shown) == 0 else palette.POSITIVE if grads[i] > 0 else palette.NEGATIVE
            values.add(eq(shown, font_size=28, color=colour).move_to([x, 0.8, 0]))
        name = eq(partial("C_i", "w_{jk}^{(L)}"), "=", font_size=32).next_to(values, LEFT, buff=0.35)
        ours = SurroundingRectangle(Group(pictures[0], values[0]), color=palette.HIGHLIGHT, buff=0.1)
        title = self.heading()
        picks = eq(
            "j", "=", self.ledger.shown("layer.j", spec=COUNT), r",\quad",
            "k", "=", self.ledger.shown("layer.k", spec=COUNT), font_size=30,
        ).next_to(title, DOWN, buff=0.25).set_x(LEFT_COLUMN, LEFT)
        self.say("examples", about=[*pictures, *values, ours])
        self.hand_over([(self.title, title)], picks)
        self.title = title
        self.play(LaggedStart(*(FadeIn(p) for p in pictures), lag_ratio=0.1), FadeIn(name), run_time=2)
        self.play(LaggedStart(*(FadeIn(v, shift=0.2 * DOWN) for v in values), lag_ratio=0.1), run_time=2)
        self.play(Create(ours))
        self.play(sweep(list(zip(pictures, values))), run_time=3)

    def average(self):
        brace = Brace(self.values, DOWN, buff=0.15, color=palette.MUTED)
        mean = eq(
            partial("C", "w_{jk}^{(L)}"), "=", r"\frac{1}{n}\sum_i", partial("C_i", "w_{jk}^{(L)}"), "=",
            self.ledger.shown("average.mean", spec=VALUE4), font_size=36,
        ).next_to(brace, DOWN, buff=0.25).set_x(LEFT_COLUMN + 0.2, LEFT)
        check = self.autograd_line(partial("C", "w_{jk}^{(L)}"), "average.autograd", None, font_size=32)
        check.next_to(mean, DOWN, buff=0.25).align_to(mean, LEFT)
        self.mean = mean
        self.say(
            "average", about=[brace, mean, check],
            v=self.ledger.shown("average.mean", spec=VALUE4), g=self.ledger.shown("average.autograd", spec=VALUE4),
        )
        self.play(GrowFromCenter(brace), Write(mean), run_time=2)
        self.play(FadeIn(check))
        self.play(Indicate(mean[-1], color=palette.HIGHLIGHT), Indicate(check[1], color=palette.HIGHLIGHT), run_time=1.5)

    def gradient(self):
        entries = VGroup(
            eq(r"\vdots", font_size=32),
            eq(partial("C", "w_{jk}^{(L)}"), "=", self.ledger.shown("average.mean", spec=VALUE4), font_size=30),
            eq(r"\vdots", font_size=32),
        ).arrange(DOWN, buff=0.15)
        box = brackets(entries, buff=0.15)
        name = eq(r"\nabla C =", font_size=36).next_to(box, LEFT, buff=0.2)
        vector = VGroup(name, box, entries).move_to([3.7, -1.1, 0])
        count = self.words("entries", n=self.ledger.shown("average.params", spec=COUNT), font_size=palette.LABEL_SIZE)
        count.next_to(box, DOWN, buff=0.2).set_x(vector.get_x())
        self.say("gradient", about=[vector, count], n=self.ledger.shown("average.params", spec=COUNT))
        self.play(
            TransformFromCopy(self.mean[-1], entries[1][-1]), FadeIn(entries[1][:-1]),
            FadeIn(name), Create(box), FadeIn(entries[0]), FadeIn(entries[2]), run_time=2,
        )
        self.play(FadeIn(count, shift=0.2 * UP))
        self.play(Indicate(entries[1], color=palette.HIGHLIGHT), run_time=1.5)
        self.wait(1)


SCENES = [ChainNetwork, NudgeW, ChainRule, OtherDerivatives, LayerIndices, AverageOverExamples]
