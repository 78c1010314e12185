"""Chapter 7 — Attention: queries, keys, the masked softmax, values, heads, and the low-rank maps of a head."""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Brace,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    FadeTransform,
    GrowArrow,
    ArcBetweenPoints,
    GrowFromEdge,
    Group,
    Indicate,
    ManimColor,
    LaggedStart,
    Line,
    Polygon,
    Rectangle,
    SurroundingRectangle,
    Transform,
    VGroup,
    Write,
)

from netreel.scenes.common import palette
from netreel.scenes.common.formats import PERCENT, SCI, VALUE
from netreel.scenes.common.layout import baseline, keep_inside
from netreel.scenes.common.text import eq, turned
from netreel.scenes.common.mobjects import cell, pixel_image
from netreel.scenes.common.motion import sweep, trace
from netreel.scenes.common.tokens import TokenScene, number_column, shown_entries, strip, weight_image



class ChapterScene(TokenScene):
    chapter = "attention"

    def setup(self) -> None:
        super().setup()
        self.layer = int(self.ledger.value("focus.layer"))
        self.head = int(self.ledger.value("focus.head"))
        self.query = int(self.ledger.value("focus.query"))
        self.key_pos = int(self.ledger.value("focus.key"))
        self.n = self.n_tokens()

    def tensor(self, name: str) -> tuple[str, int]:
        """The focus layer's tensor by its short name (``("q", 1)``, read as ``blocks.1.attn.hook_q``)."""
        return name, self.layer

    def head_name(self) -> dict:
        return {"l": self.shown("focus.layer_number"), "h": self.shown("focus.head_number")}

    def slotted_words(self, left: float, slot: float, bottom: float, font_size: float = 16) -> VGroup:
        """The prompt's words, one per slot from x = left, bottoms on y = bottom;
        all turned upright if one is too wide."""
        words = VGroup(*(self.token(i, font_size=font_size) for i in range(self.n)))
        upright = max(w.width for w in words) > slot * 0.95
        for i, word in enumerate(words):
            if upright:
                turned(word)
            word.move_to([left + slot * (i + 0.5), bottom, 0], aligned_edge=DOWN)
        return words

    def strips(self, values: np.ndarray, scale: float, left: float, slot: float, top: float, height: float) -> Group:
        """One strip per token (values [n, dim]) in slots from x = left, tops at y = top."""
        group = Group()
        for i, row in enumerate(values):
            s = strip(row, scale, height=height, width=min(0.3, slot * 0.6))
            group.add(s.move_to([left + slot * (i + 0.5), top - height / 2, 0]))
        return group

    def dot_pattern(self, pattern: np.ndarray, size: float, color=palette.TEXT) -> VGroup:
        """A pattern [q, k] as dots whose area is the weight, in a faint square of side ``size``."""
        n = pattern.shape[0]
        cell = size / n
        square = Rectangle(width=size, height=size, stroke_color=palette.FAINT, stroke_width=1)
        dots = VGroup()
        for r in range(n):
            for c in range(r + 1):
                radius = max(cell * 0.46 * float(np.sqrt(pattern[r, c])), 0.004)
                centre = square.get_corner(UP + LEFT) + np.array([cell * (c + 0.5), -cell * (r + 0.5), 0])
                dots.add(Circle(radius=radius, stroke_width=0).set_fill(color, opacity=0.9).move_to(centre))
        return VGroup(square, dots)


class QueriesKeys(ChapterScene):
    """The followed head's measured role drawn on the prompt (arcs as thick as its real weights), the vectors
    entering its layer, W_Q and W_K, real queries and keys (d_head shown), and the head's query/key plane."""

    estimated_seconds = 55.0
    steps = ("role", "input", "queries", "keys", "focus", "space")
    LEFT_EDGE = -5.9  # where the strips' slots begin
    ARC_WIDTH = 16.0  # an arc's stroke width at a weight of one

    def pairs(self) -> list[tuple[int, int]]:
        """The prompt's cases of the head's role: (query position, key position)."""
        pairs = self.ledger.array("role.pairs").reshape(-1, 2)
        return [(int(i), int(j)) for i, j in pairs]

    def role(self):
        self.kind = self.facts.meta["role"]
        self.title = title = self.heading()
        head = self.words("head", font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT, **self.head_name())
        head.to_corner(UP + RIGHT, buff=0.6).shift(DOWN * 0.6)
        self.head_label = head
        words = VGroup(*(self.token(i, font_size=30) for i in range(self.n))).arrange(RIGHT, buff=0.3)
        if words.width > 12.4:
            words.scale_to_fit_width(12.4)
        words.move_to(DOWN * 0.4)
        role = self.words(f"role_{self.kind}", font_size=palette.BODY_SIZE, color=palette.HIGHLIGHT)
        role.next_to(words, DOWN, buff=0.8)
        arcs, labels = VGroup(), VGroup()
        for c, (i, j) in enumerate(self.pairs()):
            weight = self.ledger.value("role.pair_weights", c)
            start, end = words[j].get_top() + UP * 0.12, words[i].get_top() + UP * 0.12
            span = abs(end[0] - start[0])
            arc = ArcBetweenPoints(start, end, angle=-min(2.4, 1.2 + 0.3 * span) if end[0] > start[0] else 2.0)
            arc.set_stroke(palette.HIGHLIGHT, width=max(self.ARC_WIDTH * weight, 0.5), opacity=0.9)
            arcs.add(arc)
            label = self.words("arc_weight", w=self.shown("role.pair_weights", c, PERCENT), font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT)
            labels.add(label.next_to(arc, UP, buff=0.08))
        legend = self.words("thickness", font_size=palette.SMALL_SIZE, color=palette.MUTED).to_edge(DOWN, buff=0.6)
        self.role_words = words
        self.say(f"opener_{self.kind}", about=[words, role, *arcs, *labels], **self.head_name())
        self.play(FadeIn(title), FadeIn(head), FadeIn(words))
        self.play(Write(role), run_time=1.2)
        for c, (i, j) in enumerate(self.pairs()):
            self.play(
                Indicate(words[i], color=palette.HIGHLIGHT),
                Create(arcs[c]),
                FadeIn(labels[c]),
                words[j].animate.set_color(palette.HIGHLIGHT),
                run_time=1.2,
            )
        self.play(FadeIn(legend), *(trace(arc, width=self.ARC_WIDTH) for arc in arcs), run_time=1.5)
        self.role_parts = VGroup(role, arcs, labels, legend)

    def input(self):
        self.e = self.dim("d_head")
        x = self.ledger.array(self.tensor("resid_pre"))  # [n, d_model]
        q = self.ledger.array(self.tensor("q"), (slice(None), self.head))  # [n, d_head]
        k = self.ledger.array(self.tensor("k"), (slice(None), self.head))
        self.slot = min(0.95, 8.6 / self.n)
        self.qk_scale = float(max(np.abs(q).max(), np.abs(k).max()))
        self.q, self.k = q, k
        words = self.slotted_words(self.LEFT_EDGE, self.slot, 2.0)
        self.prompt_words = words
        self.x_strips = self.strips(x, float(np.abs(x).max()), self.LEFT_EDGE, self.slot, 1.9, 2.2)
        self.labels = VGroup(eq(r"\vec E", font_size=32), eq(r"\vec q", font_size=32), eq(r"\vec k", font_size=32))
        self.labels[0].next_to(self.x_strips, LEFT, buff=0.25)
        self.legend = self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED).to_edge(DOWN, buff=0.35)
        self.say("input_first" if self.layer == 0 else "input_later", about=[words, *self.x_strips], **self.head_name())
        self.play(FadeOut(self.role_parts), *(FadeTransform(a, b) for a, b in zip(self.role_words, words)), run_time=1.2)
        self.play(
            LaggedStart(*(FadeIn(s) for s in self.x_strips), lag_ratio=0.05),
            FadeIn(self.labels[0]),
            FadeIn(self.legend),
            run_time=1.5,
        )
        self.play(sweep([(words[i], self.x_strips[i]) for i in range(self.n)]), run_time=self.cue_left(3.0))

    def queries(self):
        self.q_strips = self.strips(self.q, self.qk_scale, self.LEFT_EDGE, self.slot, -0.7, 0.11 * self.e)
        self.labels[1].next_to(self.q_strips, LEFT, buff=0.25)
        self.panel_q = self.weight_panel("W_Q")
        self.panel_q.move_to([4.9, 1.2, 0])
        arrows = VGroup(
            *(
                Arrow(
                    self.x_strips[i].get_bottom(),
                    self.q_strips[i].get_top(),
                    buff=0.08,
                    stroke_width=2,
                    max_tip_length_to_length_ratio=0.2,
                    color=palette.FAINT,
                )
                for i in range(self.n)
            )
        )
        self.say("queries", about=[self.panel_q, *self.q_strips], e=self.shown("d_head"))
        self.play(FadeIn(self.panel_q))
        self.play(LaggedStart(*(GrowFromEdge(a, UP) for a in arrows), lag_ratio=0.03), run_time=1)
        self.play(
            LaggedStart(*(FadeIn(s) for s in self.q_strips), lag_ratio=0.05), FadeIn(self.labels[1]), run_time=1.5
        )
        self.wait(1)

    def keys(self):
        self.k_strips = self.strips(self.k, self.qk_scale, self.LEFT_EDGE, self.slot, 0.0, 0.11 * self.e)
        self.k_strips.next_to(self.q_strips, DOWN, buff=0.35)
        self.labels[2].next_to(self.k_strips, LEFT, buff=0.25)
        self.panel_k = self.weight_panel("W_K")
        self.panel_k.next_to(self.panel_q, DOWN, buff=0.5)
        self.say("keys", about=[self.panel_k, *self.k_strips], e=self.shown("d_head"))
        self.play(FadeIn(self.panel_k))
        self.play(
            LaggedStart(*(FadeIn(s) for s in self.k_strips), lag_ratio=0.05), FadeIn(self.labels[2]), run_time=1.5
        )
        self.wait(1)

    def focus(self):
        e = self.e
        q_col = number_column(
            self.ledger, self.tensor("q"), (self.query, self.head), e, head=e, tail=0, font_size=22, buff=0.1
        )
        k_col = number_column(
            self.ledger, self.tensor("k"), (self.key_pos, self.head), e, head=e, tail=0, font_size=22, buff=0.1
        )
        cols = (
            VGroup(
                VGroup(
                    eq(r"\vec q", font_size=30), self.token(self.query, font_size=20, color=palette.HIGHLIGHT), q_col
                ).arrange(DOWN, buff=0.12),
                VGroup(
                    eq(r"\vec k", font_size=30), self.token(self.key_pos, font_size=20, color=palette.HIGHLIGHT), k_col
                ).arrange(DOWN, buff=0.12),
            )
            .arrange(RIGHT, buff=0.7, aligned_edge=DOWN)
            .move_to([4.9, 0.1, 0])
        )
        d_label = eq("d_{head} =", self.shown("d_head"), font_size=26).next_to(cols, DOWN, buff=0.3)
        brace = Brace(VGroup(q_col, k_col), DOWN, color=palette.MUTED, buff=0.08)
        d_label.next_to(brace, DOWN, buff=0.1)
        marks = VGroup(
            SurroundingRectangle(self.q_strips[self.query], color=palette.HIGHLIGHT, buff=0.04),
            SurroundingRectangle(self.k_strips[self.key_pos], color=palette.HIGHLIGHT, buff=0.04),
        )
        self.say("focus", about=[marks, cols], q=self.spelled(self.query), k=self.spelled(self.key_pos))
        self.play(FadeOut(self.panel_q), FadeOut(self.panel_k))
        self.play(Create(marks), FadeIn(cols), FadeIn(brace), FadeIn(d_label))
        self.wait(2)

    def space(self):
        """The head's queries and keys in the plane of their two top singular directions."""
        cases = self.pairs()
        keep = {id(self.title), id(self.head_label)}
        self.play(*(FadeOut(m) for m in self.mobjects if id(m) not in keep), run_time=0.8)
        queries, keys = self.ledger.array("plane.queries"), self.ledger.array("plane.keys")  # [n, 2]
        points = np.concatenate([queries, keys, np.zeros((1, 2))])
        low, high = points.min(axis=0), points.max(axis=0)
        width, height = 8.0, 4.6
        unit = min(width / (high[0] - low[0]), height / (high[1] - low[1]))
        centre = np.array([-1.2, -0.45])
        middle = (low + high) / 2

        def at(p) -> np.ndarray:
            xy = centre + (np.asarray(p) - middle) * unit
            return np.array([xy[0], xy[1], 0.0])

        origin = at((0, 0))
        axes = VGroup(
            Line(at((low[0], 0)) + LEFT * 0.2, at((high[0], 0)) + RIGHT * 0.2, color=palette.FAINT, stroke_width=1.5),
            Line(at((0, low[1])) + DOWN * 0.2, at((0, high[1])) + UP * 0.2, color=palette.FAINT, stroke_width=1.5),
        )
        axis_names = VGroup(
            self.words("direction_1", font_size=palette.SMALL_SIZE, color=palette.MUTED)
            .next_to(axes[0].get_start(), DOWN, buff=0.15)
            .align_to(axes[0], LEFT),
            self.words("direction_2", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(axes[1], UP, buff=0.1),
        )
        dots = VGroup()
        for p, colour in [(p, palette.POSITIVE) for p in queries] + [(p, palette.NEGATIVE) for p in keys]:
            dots.add(Circle(radius=0.06, stroke_width=0).set_fill(colour, opacity=0.55).move_to(at(p)))
        arrows, names = VGroup(), VGroup()
        for i, j in cases:
            for p, colour, tex, pos in ((queries[i], palette.POSITIVE, r"\vec q", i), (keys[j], palette.NEGATIVE, r"\vec k", j)):
                arrow = Arrow(origin, at(p), buff=0, stroke_width=4, color=colour, max_tip_length_to_length_ratio=0.12)
                name = VGroup(eq(tex, font_size=26, color=colour), self.token(pos, font_size=18, color=colour))
                name.arrange(RIGHT, buff=0.08)
                direction = (at(p) - origin) / max(np.linalg.norm(at(p) - origin), 1e-9)
                name.next_to(at(p), direction, buff=0.12)
                for other in names:  # nearly parallel arrows: their names one under the other
                    while abs(name.get_y() - other.get_y()) < (name.height + other.height) / 2 + 0.04 and abs(
                        name.get_x() - other.get_x()
                    ) < (name.width + other.width) / 2 + 0.04:
                        name.shift(DOWN * 0.05)
                arrows.add(arrow)
                names.add(name)
        key = VGroup(
            VGroup(Circle(radius=0.06, stroke_width=0).set_fill(palette.POSITIVE, 1), self.words("queries_dot", font_size=palette.SMALL_SIZE)).arrange(RIGHT, buff=0.12),
            VGroup(Circle(radius=0.06, stroke_width=0).set_fill(palette.NEGATIVE, 1), self.words("keys_dot", font_size=palette.SMALL_SIZE)).arrange(RIGHT, buff=0.12),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        key.move_to([5.3, 1.5, 0])
        share = self.words("projection", s=self.shown("plane.share", spec=PERCENT), font_size=palette.SMALL_SIZE, color=palette.MUTED)
        share.to_edge(DOWN, buff=0.35)
        keep_inside(names)
        self.say("space", about=[axes, dots, share], s=self.shown("plane.share", spec=PERCENT))
        self.play(Create(axes), FadeIn(axis_names), run_time=1.2)
        self.play(LaggedStart(*(FadeIn(d, scale=0.5) for d in dots), lag_ratio=0.03), FadeIn(key), run_time=1.5)
        self.play(FadeIn(share), run_time=0.8)
        self.say("line_up", about=[arrows, names])
        self.play(LaggedStart(*(GrowArrow(a) for a in arrows), lag_ratio=0.3), FadeIn(names), run_time=2)
        self.play(
            sweep([VGroup(arrows[2 * c], arrows[2 * c + 1], names[2 * c], names[2 * c + 1]) for c in range(len(cases))]),
            run_time=self.cue_left(2.0),
        )

    def weight_panel(self, name: str) -> Group:
        """The focus head's W_Q or W_K as it meets the column vectors: transposed, d_head rows of d_model cells,
        under the product it makes and over its shape."""
        weights = self.ledger.array(self.tensor(name), self.head).T  # [d_head, d_model]
        side = 0.07
        matrix = strip(weights, float(np.abs(weights).max()), height=side * self.e, width=side)
        out = {"W_Q": r"\vec q", "W_K": r"\vec k"}[name]
        shape = eq(self.shown("d_head"), r"\times", self.shown("d_model"), font_size=24, color=palette.MUTED)
        return Group(eq(out, "=", name + r"^{\top}", r"\vec E", font_size=30), matrix, shape).arrange(DOWN, buff=0.12)


class Pattern(ChapterScene):
    """The real K·Q grid, scaled by 1/sqrt(d_head), masked, and softmaxed row by row into the pattern."""

    estimated_seconds = 35.0
    steps = ("grid", "scale", "mask", "softmax")

    def setup(self) -> None:
        super().setup()
        self.cell = min(0.54, 5.2 / self.n)
        self.origin = np.array([-2.7 - self.cell * self.n / 2, 1.75, 0])  # top-left corner of the grid

    def centre(self, r: int, c: int) -> np.ndarray:
        return self.origin + np.array([self.cell * (c + 0.5), -self.cell * (r + 0.5), 0])

    def grid(self):
        n, cell, centre = self.n, self.cell, self.centre
        title = self.heading()
        key_words = VGroup(*(turned(self.token(c, font_size=16)) for c in range(n)))
        for c, word in enumerate(key_words):
            word.move_to(centre(0, c) + UP * cell * 0.5, aligned_edge=DOWN).shift(UP * 0.08)
        query_words = VGroup(*(self.token(r, font_size=16) for r in range(n)))
        for r, word in enumerate(query_words):
            word.move_to(centre(r, 0) + LEFT * cell * 0.5, aligned_edge=RIGHT).shift(LEFT * 0.1)
        axis_names = VGroup(
            self.words("keys", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(key_words, UP, buff=0.1),
            turned(self.words("queries", font_size=palette.SMALL_SIZE, color=palette.MUTED)).next_to(query_words, LEFT, buff=0.15),
        )
        self.cells = VGroup(
            *(
                Rectangle(width=cell, height=cell, stroke_color=palette.FAINT, stroke_width=1).move_to(centre(r, c))
                for r in range(n)
                for c in range(n)
            )
        )
        dot = self.ledger.array("scores.dot", self.head)  # [q, k]
        self.shading = strip(dot, float(np.abs(dot).max()), height=cell * n, width=cell)
        self.shading.move_to(self.origin + np.array([cell * n / 2, -cell * n / 2, 0])).set_opacity(0.45)
        self.row_box = SurroundingRectangle(
            VGroup(*(self.cells[self.query * n + c] for c in range(n))), color=palette.HIGHLIGHT, buff=0.02
        )
        self.formula = eq(r"\vec q_i \cdot \vec k_j", font_size=36).move_to([3.9, 1.6, 0])
        self.listing = self.row_listing("scores.dot")
        self.say("grid", about=[self.cells, self.shading, self.formula, self.listing], q=self.spelled(self.query))
        self.play(
            FadeIn(title), FadeIn(key_words), FadeIn(query_words), FadeIn(axis_names), Create(self.cells), run_time=1.5
        )
        self.play(FadeIn(self.shading), Write(self.formula), run_time=2)
        self.play(Create(self.row_box), FadeIn(self.listing, shift=LEFT * 0.2), run_time=1.5)

    def row_listing(self, key: str, decimals: int = 2) -> VGroup:
        """The focus query's row of the grid ``key`` as readable lines, one per key it may see: the word, its number,
        in one or two columns; each line's word and number share its baseline, and the numbers start at one x."""
        count = self.query + 1
        rows = math.ceil(count / 2) if count > 5 else count
        pitch, gap = 0.5, 0.18
        starts = (3.75, 5.95) if count > 5 else (4.4,)  # where each column's numbers start
        top = -1.35 + pitch * (rows - 1) / 2  # the first line's baseline
        lines = VGroup()
        for c in range(count):
            column, row = divmod(c, rows)
            y = top - pitch * row
            word = self.token(c, font_size=palette.LABEL_SIZE)
            word.shift([starts[column] - gap - word.get_right()[0], y - baseline(word), 0])
            number = self.ledger.number(key, (self.head, self.query, c), decimals=decimals, font_size=30)
            number.shift([starts[column] - number.get_left()[0], y - number.get_bottom()[1], 0])
            lines.add(VGroup(word, number))
        return lines

    def renumber(self, key: str, decimals: int = 2, run_time: float = 1.5) -> None:
        """The listing's numbers become those of grid ``key``, each in its place."""
        target = self.row_listing(key, decimals)
        self.play(*(Transform(line[1], new[1]) for line, new in zip(self.listing, target)), run_time=run_time)

    def scale(self):
        formula2 = eq(r"\frac{\vec q_i \cdot \vec k_j}{\sqrt{d_{head}}}", font_size=36).move_to(self.formula)
        self.root = eq(r"\sqrt{d_{head}} =", self.shown("sqrt_d_head", spec=VALUE), font_size=28).next_to(
            formula2, DOWN, buff=0.35
        )
        self.say("scale", about=[self.formula, self.root, self.listing], r=self.shown("sqrt_d_head", spec=VALUE))
        self.play(Transform(self.formula, formula2), FadeIn(self.root))
        self.renumber("scores.scaled")
        self.play(Indicate(self.root, color=palette.HIGHLIGHT), run_time=1.5)

    def mask(self):
        n, cell, centre = self.n, self.cell, self.centre
        scores = self.tensor("attn_scores")
        masked = [
            (r, c) for r in range(n) for c in range(n) if np.isneginf(self.ledger.value(scores, (self.head, r, c)))
        ]
        covers = VGroup(
            *(
                Rectangle(width=cell, height=cell, stroke_width=0)
                .set_fill(palette.BACKGROUND, opacity=0.85)
                .move_to(centre(r, c))
                for r, c in masked
            )
        )
        self.infinities = VGroup(
            *(eq(r"-\infty", font_size=palette.LABEL_SIZE, color=palette.NEGATIVE).move_to(centre(r, c)) for r, c in masked)
        )
        if self.infinities and self.infinities[0].width > cell * 0.9:
            for mark in self.infinities:
                mark.scale_to_fit_width(cell * 0.9)
        self.mask_formula = eq(r"+\, M, \quad M_{ij} = -\infty \ \ (j > i)", font_size=28).next_to(
            self.root, DOWN, buff=0.35
        )
        self.say("mask", about=[covers, self.mask_formula])
        self.play(FadeIn(covers), Write(self.mask_formula))
        self.play(LaggedStart(*(FadeIn(m) for m in self.infinities), lag_ratio=0.02), run_time=2)

    def softmax(self):
        n, h, cell, centre = self.n, self.head, self.cell, self.centre
        pattern = self.ledger.array(self.tensor("pattern"), h)  # [q, k]
        dots = VGroup()
        for r in range(n):
            for c in range(r + 1):
                radius = max(cell * 0.46 * float(np.sqrt(pattern[r, c])), 0.005)
                dots.add(
                    Circle(radius=radius, stroke_width=0).set_fill(palette.TEXT, opacity=0.9).move_to(centre(r, c))
                )
        softmax = eq(
            r"a_{ij} = \mathrm{softmax}_j\Big(\frac{\vec q_i \cdot \vec k_j}{\sqrt{d_{head}}} + M_{ij}\Big)",
            font_size=30,
        ).move_to([3.9, 1.6, 0])
        self.say("softmax", about=[softmax, *dots, self.listing])
        self.play(FadeOut(self.formula), FadeOut(self.root), FadeOut(self.mask_formula), Write(softmax))
        self.play(FadeOut(self.shading), FadeOut(self.infinities), run_time=0.8)
        self.play(LaggedStart(*(FadeIn(d, scale=0.5) for d in dots), lag_ratio=0.01), run_time=2)
        self.renumber(self.tensor("pattern"))
        best = SurroundingRectangle(
            self.cells[self.query * n + self.key_pos], color=palette.HIGHLIGHT, buff=0.0, stroke_width=4
        )
        self.say(
            "pattern", about=[self.row_box, self.listing, best],
            q=self.spelled(self.query),
            k=self.spelled(self.key_pos),
            w=self.shown(self.tensor("pattern"), (h, self.query, self.key_pos), PERCENT),
        )
        self.play(Create(best), Indicate(self.row_box, color=palette.HIGHLIGHT))
        self.play(Indicate(self.listing[self.key_pos], color=palette.HIGHLIGHT))
        self.wait(2)


class Values(ChapterScene):
    """Values drawn as real vectors: each scaled by its real weight and moved into place to sum into the head's z,
    z through the head's W_O into its change; then every head of the layer, its own pattern and z, stacked through
    the layer's W_O into the layer's ΔE, added to the token's E to give E′."""

    estimated_seconds = 62.0
    steps = ("values", "sum", "output", "heads", "update")
    LEFT_EDGE = -5.9  # where the value strips' slots begin
    CELL = 0.1  # a cell's side in the matrices of the last steps

    def values(self):
        self.e, self.d, self.n_heads = self.dim("d_head"), self.dim("d_model"), self.dim("n_heads")
        v = self.ledger.array(self.tensor("v"), (slice(None), self.head))  # [n, d_head]
        self.weights = self.ledger.array(self.tensor("pattern"), (self.head, self.query))  # [k]
        self.v_scale = float(np.abs(v).max())
        self.slot = slot = min(0.95, 8.6 / self.n)
        self.title = title = self.heading()
        self.prompt_words = self.slotted_words(self.LEFT_EDGE, slot, 2.0)
        self.v_strips = self.strips(v, self.v_scale, self.LEFT_EDGE, slot, 1.9, 0.14 * self.e)
        self.v_label = eq(r"\vec v", font_size=32).next_to(self.v_strips, LEFT, buff=0.25)
        self.formula = eq(r"\vec v_j = W_V^{\top} \vec E_j", font_size=30).move_to([4.6, 1.4, 0])
        self.say("values", about=[*self.v_strips, self.formula], e=self.shown("d_head"))
        self.play(FadeIn(title), FadeIn(self.prompt_words))
        self.play(
            LaggedStart(*(FadeIn(s) for s in self.v_strips), lag_ratio=0.05),
            FadeIn(self.v_label),
            Write(self.formula),
            run_time=1.5,
        )
        self.play(sweep([(self.prompt_words[j], self.v_strips[j]) for j in range(self.n)]), run_time=self.cue_left(2.0))

    def sum(self):
        h, q = self.head, self.query
        seen = range(q + 1)
        self.numbers = VGroup(*(
            self.ledger.number(self.tensor("pattern"), (h, q, j), decimals=2, font_size=22).next_to(self.v_strips[j], DOWN, buff=0.12)
            for j in seen
        ))
        self.a_label = self.words("weights", font_size=palette.SMALL_SIZE, color=palette.MUTED)
        self.a_label.next_to(self.numbers, LEFT, buff=0.25)
        keep_inside(self.a_label)
        weighted = self.ledger.array("values.weighted")  # [k, d_head]
        height = self.v_strips[0].height
        top = self.numbers.get_bottom()[1] - 0.3
        self.scaled = Group()
        for j in seen:  # the real a_j v_j, drawn on the values' colour scale and shrunk by the weight
            width = self.v_strips[j].width * (0.3 + 0.7 * float(self.weights[j]))
            piece = strip(weighted[j], self.v_scale, height=height * (0.3 + 0.7 * float(self.weights[j])), width=width)
            self.scaled.add(piece.move_to([self.v_strips[j].get_x(), top, 0], aligned_edge=UP))
        self.av_label = eq(r"a_j \vec v_j", font_size=30).next_to(self.scaled, LEFT, buff=0.25).align_to(self.v_label, RIGHT)
        self.say("scale", about=[self.numbers, *self.scaled], q=self.spelled(q))
        self.play(FadeIn(self.numbers), FadeIn(self.a_label))
        self.play(
            *(FadeTransform(self.v_strips[j].copy(), self.scaled[j]) for j in seen),
            FadeIn(self.av_label),
            run_time=2.0,
        )
        self.play(sweep([(self.numbers[j], self.scaled[j]) for j in seen]), run_time=self.cue_left(1.5))
        z = self.ledger.array(self.tensor("z"), (q, h))  # [d_head]
        self.z_strip = strip(z, self.v_scale, height=height, width=self.v_strips[0].width).move_to([3.6, top - height / 2, 0])
        self.z_numbers = number_column(self.ledger, self.tensor("z"), (q, h), self.e, head=self.e, tail=0, font_size=22, buff=0.06)
        self.z_numbers.next_to(self.z_strip, RIGHT, buff=0.3)
        self.z_name = eq(r"\vec z = \sum_j a_j \vec v_j", font_size=30).next_to(self.z_numbers, UP, buff=0.25).set_x(4.2)
        self.say("sum", about=[*self.scaled, self.z_strip, self.z_name], q=self.spelled(q), e=self.shown("d_head"))
        moving = Group(*(piece.copy() for piece in self.scaled))
        self.add(moving)
        self.play(
            LaggedStart(*(piece.animate.move_to(self.z_strip) for piece in moving), lag_ratio=0.08),
            FadeIn(self.z_name),
            FadeOut(self.formula),
            run_time=2.0,
        )
        self.play(FadeOut(moving), FadeIn(self.z_strip), run_time=1.0)
        self.play(FadeIn(self.z_numbers, shift=RIGHT * 0.2), run_time=self.cue_left(1.0))

    def output(self):
        """The head's z through its own W_O (drawn transposed, as it meets a column) into its change."""
        q, h, e, d, c = self.query, self.head, self.e, self.d, self.CELL * 1.15
        w_o = self.ledger.array(self.tensor("W_O"), h)  # [d_head, d_model]
        result = self.ledger.array(self.tensor("result"), (q, h))  # [d_model]
        matrix = strip(w_o.T, float(np.abs(w_o).max()), height=c * d, width=c)
        self.o_matrix = matrix.move_to([-1.6, -0.05, 0])
        z_target = self.z_strip.copy()
        z_target.stretch_to_fit_height(c * e).stretch_to_fit_width(c).next_to(matrix, RIGHT, buff=0.35).align_to(matrix, UP)
        self.o_name = eq(r"W_O^{\top}", font_size=30).next_to(matrix, UP, buff=0.15)
        self.o_shape = eq(self.shown("d_model"), r"\times", self.shown("d_head"), font_size=24, color=palette.MUTED)
        self.o_shape.next_to(matrix, DOWN, buff=0.15)
        equals = eq("=", font_size=36).next_to(z_target, RIGHT, buff=0.35).set_y(matrix.get_y())
        self.delta_h = strip(result, float(np.abs(result).max()), height=c * d, width=0.22)
        self.delta_h.next_to(equals, RIGHT, buff=0.35).align_to(matrix, UP)
        delta_numbers = number_column(self.ledger, self.tensor("result"), (q, h), d, font_size=22, buff=0.12)
        delta_numbers.next_to(self.delta_h, RIGHT, buff=0.3)
        delta_name = eq(r"\Delta \vec E_h = W_O^{\top} \vec z", font_size=30).next_to(self.delta_h, UP, buff=0.15).align_to(self.delta_h, LEFT)
        leaving = Group(self.v_strips, self.numbers, self.a_label, self.scaled, self.av_label, self.prompt_words, self.v_label)
        self.say("output", about=[matrix, self.o_shape, self.delta_h], d=self.shown("d_model"), e=self.shown("d_head"), q=self.spelled(q))
        self.play(FadeOut(leaving), FadeOut(self.z_numbers), FadeOut(self.z_name), run_time=0.8)
        self.play(FadeIn(matrix), FadeIn(self.o_name), FadeIn(self.o_shape), Transform(self.z_strip, z_target), run_time=1.5)
        rows = [(cell(matrix, d, 1, r, 0), cell(self.delta_h, d, 1, r, 0)) for r in range(4)]
        self.play(FadeIn(equals), GrowFromEdge(self.delta_h, UP), run_time=1.5)
        self.play(
            sweep([(matrix_row, self.z_strip, delta_cell) for matrix_row, delta_cell in rows]),
            FadeIn(delta_name), FadeIn(delta_numbers),
            run_time=self.cue_left(2.0),
        )
        self.output_parts = Group(matrix, self.o_name, self.o_shape, self.z_strip, equals, self.delta_h, delta_numbers, delta_name)

    def heads(self):
        """Every head of the layer: its own pattern and its own z for the same token, stacked through the whole W_O."""
        q, e, d, heads, c = self.query, self.e, self.d, self.n_heads, self.CELL
        z = self.ledger.array("heads.z")  # [head, d_head]
        parts = self.ledger.array("heads.parts")  # [head, d_model]
        delta = self.ledger.array("heads.delta")  # [d_model]
        w_o = self.ledger.array("heads.W_O")  # [n_heads * d_head, d_model]
        z_scale = float(np.abs(z).max())
        self.delta_scale = float(max(np.abs(parts).max(), np.abs(delta).max()))
        self.play(FadeOut(self.output_parts), run_time=0.8)
        panels, z_strips, patterns = Group(), Group(), []
        for g in range(heads):
            colour = palette.HIGHLIGHT if g == self.head else palette.POSITIVE
            pattern = self.dot_pattern(self.ledger.array(self.tensor("pattern"), g), 0.95, colour)
            label = self.words("head_label", h=self.shown("head_numbers", g), font_size=16, color=colour)
            zs = strip(z[g], z_scale, height=c * e, width=c * 1.4)
            panel = Group(Group(label, pattern).arrange(DOWN, buff=0.08), zs).arrange(RIGHT, buff=0.2, aligned_edge=DOWN)
            panels.add(panel)
            z_strips.add(zs)
            patterns.append(pattern)
        panels.arrange(RIGHT, buff=0.9).move_to([0, 2.05, 0])
        word = self.token(q, font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT)
        word_name = VGroup(self.words("for_token", font_size=palette.SMALL_SIZE, color=palette.MUTED), word).arrange(RIGHT, buff=0.15)
        word_name.next_to(panels, DOWN, buff=0.15).align_to(panels, RIGHT)
        self.say("heads", about=[*panels], h=self.shown("n_heads"), e=self.shown("d_head"), q=self.spelled(q))
        self.play(LaggedStart(*(FadeIn(p) for p in panels), lag_ratio=0.25), FadeIn(word_name), run_time=2.0)
        self.play(sweep([(patterns[g], z_strips[g]) for g in range(heads)]), run_time=self.cue_left(1.5))
        # the layer's W_O, every head's block, drawn transposed: [d_model, n_heads * d_head]
        matrix = strip(w_o.T, float(np.abs(w_o).max()), height=c * d, width=c).move_to([-2.8, -1.05, 0])
        corner = matrix.get_corner(UP + LEFT)
        blocks = VGroup(*(  # each head's block of columns, outlined
            Rectangle(width=c * e, height=c * d, stroke_color=palette.TEXT, stroke_width=2)
            .move_to(corner + np.array([c * e * (g + 0.5), -c * d / 2, 0]))
            for g in range(heads)
        ))
        name = eq(r"W_O^{\top}", font_size=30).next_to(matrix, UP, buff=0.12)
        shape = eq(self.shown("d_model"), r"\times", self.shown("n_heads"), r"\cdot", self.shown("d_head"), font_size=24, color=palette.MUTED)
        shape.next_to(matrix, DOWN, buff=0.12)
        stacked = Group(*(zs.copy() for zs in z_strips))
        for g, zs in enumerate(stacked):
            zs.stretch_to_fit_width(c * 1.4).move_to(matrix.get_right() + np.array([0.45, c * d / 2 - c * e * (g + 0.5), 0]))
        stacked_name = eq(r"\vec z", font_size=30).next_to(stacked, UP, buff=0.12)
        gaps = VGroup(*(  # where one head's numbers end and the next one's begin
            Line(stacked[g].get_corner(DOWN + LEFT) + LEFT * 0.06, stacked[g].get_corner(DOWN + RIGHT) + RIGHT * 0.06, color=palette.TEXT, stroke_width=2)
            for g in range(heads - 1)
        ))
        equals = eq("=", font_size=36).next_to(stacked, RIGHT, buff=0.3)
        part_strips = Group(*(strip(parts[g], self.delta_scale, height=c * d, width=0.16) for g in range(heads)))
        part_strips.arrange(RIGHT, buff=0.28).next_to(equals, RIGHT, buff=0.3)
        part_names = VGroup(*(
            eq(self.shown("head_numbers", g), font_size=24, color=palette.HIGHLIGHT if g == self.head else palette.MUTED)
            .next_to(part_strips[g], UP, buff=0.1)
            for g in range(heads)
        ))
        self.say("stack", about=[matrix, *stacked, *part_strips], d=self.shown("d_model"))
        moving = Group(*(zs.copy() for zs in z_strips))
        self.add(moving)
        self.play(FadeIn(matrix), FadeIn(blocks), FadeIn(name), FadeIn(shape), run_time=1.0)
        self.play(*(Transform(a, b) for a, b in zip(moving, stacked)), FadeIn(stacked_name), run_time=1.5)
        self.remove(moving)
        self.add(stacked)
        self.play(Create(gaps), run_time=0.4)
        self.play(FadeIn(equals), run_time=0.3)
        for g in range(heads):
            lit = VGroup(blocks[g].copy().set_stroke(palette.HIGHLIGHT, width=3), SurroundingRectangle(stacked[g], color=palette.HIGHLIGHT, buff=0.03))
            self.play(FadeIn(lit), GrowFromEdge(part_strips[g], UP), FadeIn(part_names[g]), run_time=0.8)
            self.play(FadeOut(lit), run_time=0.3)
        self.delta = strip(delta, self.delta_scale, height=c * d, width=0.22)
        plus = VGroup(*(eq("+", font_size=22, color=palette.MUTED).move_to((part_strips[g].get_right() + part_strips[g + 1].get_left()) / 2 + DOWN * (c * d / 2 + 0.2)) for g in range(heads - 1)))
        arrow = Arrow(part_strips.get_right() + RIGHT * 0.1, part_strips.get_right() + RIGHT * 0.9, buff=0, stroke_width=3, color=palette.MUTED)
        self.delta.next_to(arrow, RIGHT, buff=0.2)
        self.delta_name = eq(r"\Delta \vec E", font_size=32).next_to(self.delta, UP, buff=0.12)
        self.say("summed", about=[*part_strips, self.delta])
        self.play(FadeIn(plus), GrowArrow(arrow), run_time=0.8)
        merging = Group(*(p.copy() for p in part_strips))
        self.add(merging)
        self.play(*(m.animate.move_to(self.delta) for m in merging), run_time=1.2)
        self.play(FadeOut(merging), FadeIn(self.delta), FadeIn(self.delta_name), run_time=1.0)
        self.play(sweep([*part_strips, self.delta]), run_time=self.cue_left(1.0))
        self.heads_parts = Group(panels, word_name, matrix, blocks, name, shape, stacked, stacked_name, gaps, equals, part_strips, part_names, plus, arrow)

    def update(self):
        """E + ΔE = E′ for the token: the layer's change added to its vector, entry by entry."""
        q, d, c = self.query, self.d, self.CELL
        e_vec = self.ledger.array(self.tensor("resid_pre"), q)  # [d_model]
        new = self.ledger.array(self.tensor("resid_mid"), q)
        scale = float(max(np.abs(e_vec).max(), np.abs(new).max(), self.delta_scale))
        columns = [  # the parts to three places, their sum to two: the sum of the shown parts rounds to the shown sum
            number_column(self.ledger, self.tensor(name), (q,), d, decimals=decimals, font_size=22)
            for name, decimals in (("resid_pre", 3), ("attn_out", 3), ("resid_mid", 2))
        ]
        e_strip = strip(e_vec, scale, height=c * d, width=0.22)
        delta_strip = strip(self.ledger.array("heads.delta"), scale, height=c * d, width=0.22)
        new_strip = strip(new, scale, height=c * d, width=0.22)
        names = [eq(r"\vec E", font_size=32), eq(r"\Delta \vec E", font_size=32), eq(r"\vec E'", font_size=32)]
        blocks = [
            Group(name, Group(s, col).arrange(RIGHT, buff=0.2)).arrange(DOWN, buff=0.15)
            for name, s, col in zip(names, (e_strip, delta_strip, new_strip), columns)
        ]
        line = Group(blocks[0], eq("+", font_size=44), blocks[1], eq(r"\approx", font_size=44), blocks[2])
        line.arrange(RIGHT, buff=0.45).move_to([0, -0.3, 0])
        word = self.token(q, font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT).next_to(line, UP, buff=0.25)
        rounded = self.words("rounded", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(blocks[2], RIGHT, buff=0.3).align_to(blocks[2], DOWN)
        keep_inside(rounded)
        self.say("update", about=[e_strip, self.delta, new_strip], q=self.spelled(q))
        self.play(FadeOut(self.heads_parts), Transform(self.delta, delta_strip), Transform(self.delta_name, names[1]), FadeIn(word), FadeIn(names[0]), FadeIn(e_strip), run_time=1.5)
        self.play(FadeIn(columns[0]), FadeIn(columns[1]), FadeIn(line[1]), run_time=1.0)
        adding = Group(e_strip.copy(), self.delta.copy())
        self.add(adding)
        self.play(*(a.animate.move_to(new_strip) for a in adding), FadeIn(line[3]), FadeIn(names[2]), run_time=1.5)
        self.play(FadeOut(adding), FadeIn(new_strip), FadeIn(columns[2]), FadeIn(rounded), run_time=1.0)
        shown = [r for r in shown_entries(d) if r is not None]
        rows = [k for k, r in enumerate(shown_entries(d)) if r is not None]  # the columns' rows, ⋮ left out
        entries = [
            [*(col[0][k] for col in columns), *(cell(s, d, 1, r, 0) for s in (e_strip, self.delta, new_strip))]
            for k, r in zip(rows, shown)
        ]
        self.play(sweep(entries), run_time=self.cue_left(2.0))


class Heads(ChapterScene):
    """Every head's real pattern on the prompt as dots, the measured-role head highlighted with its score,
    then drawn large with the prompt's words, its role's cases swept one by one."""

    estimated_seconds = 34.0
    steps = ("heads", "role", "count")

    def heads(self):
        layers, self.n_heads = self.dim("n_layers"), self.dim("n_heads")
        heads = self.n_heads
        self.kind = self.facts.meta["role"]
        size = min(2.3, 12.5 / heads - 0.8, 6.6 / layers - 1.0)
        self.panels = Group()
        for l in range(layers):
            for hd in range(heads):
                pattern = self.ledger.array(("pattern", l), hd)  # [q, k]
                focus = (l, hd) == (self.layer, self.head)
                image = self.dot_pattern(pattern, size, palette.HIGHLIGHT if focus else palette.POSITIVE)
                label = self.words("label", l=self.layer_number(l), h=self.shown("head_numbers", hd), font_size=16)
                score = self.words(
                    f"score_{self.kind}",
                    s=self.shown("role.scores", (l, hd), PERCENT),
                    font_size=16,
                    color=palette.MUTED,
                )
                if score.width > size:
                    score.scale_to_fit_width(size)
                self.panels.add(Group(label, image, score).arrange(DOWN, buff=0.08))
        self.panels.arrange_in_grid(rows=layers, cols=heads, buff=(0.45, 0.3)).next_to(self.heading(), DOWN, buff=0.3)
        self.title = title = self.heading()
        self.say("heads", about=[*self.panels])
        self.play(FadeIn(title))
        for l in range(layers):
            self.play(
                LaggedStart(*(FadeIn(self.panels[l * heads + hd]) for hd in range(heads)), lag_ratio=0.15), run_time=1.5
            )
        self.play(sweep(list(self.panels)), run_time=self.cue_left(2.0))

    def role(self):
        focus = self.panels[self.layer * self.n_heads + self.head]
        box = SurroundingRectangle(focus, color=palette.HIGHLIGHT, buff=0.14)
        focus_score = self.words(
            f"score_{self.kind}", s=self.shown("role.score", spec=PERCENT), font_size=16, color=palette.HIGHLIGHT
        )
        focus_score.move_to(focus[2])
        if focus_score.width > focus[1].width:
            focus_score.scale_to_fit_width(focus[1].width)
        pattern = self.ledger.array(self.tensor("pattern"), self.head)  # [q, k]
        n, side = self.n, 4.3
        big = self.dot_pattern(pattern, side, palette.HIGHLIGHT).move_to([-0.6, -0.15, 0])
        cell = side / n
        corner = big[0].get_corner(UP + LEFT)
        rows = VGroup(*(self.token(r, font_size=16) for r in range(n)))
        for r, word in enumerate(rows):
            word.move_to(corner + np.array([-0.12, -cell * (r + 0.5), 0]), aligned_edge=RIGHT)
        cols = VGroup(*(turned(self.token(c, font_size=16)) for c in range(n)))
        for c, word in enumerate(cols):
            word.move_to(big[0].get_corner(DOWN + LEFT) + np.array([cell * (c + 0.5), -0.12, 0]), aligned_edge=UP)
        caption = VGroup(
            self.words("label", **self.head_name(), font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT),
            self.words(f"score_{self.kind}", s=self.shown("role.score", spec=PERCENT), font_size=palette.LABEL_SIZE),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15).move_to([4.6, 1.0, 0])
        cases = [(int(i), int(j)) for i, j in self.ledger.array("role.pairs").reshape(-1, 2)]
        marks = [VGroup(rows[i], cols[j], big[1][i * (i + 1) // 2 + j]) for i, j in cases]
        self.say(
            f"role_{self.kind}", about=[box, focus, big, caption],
            n=self.shown("role.count"), s=self.shown("role.score", spec=PERCENT),
        )
        self.play(Create(box), Transform(focus[2], focus_score))
        self.play(Indicate(focus[1], color=palette.HIGHLIGHT, scale_factor=1.05))
        self.play(FadeOut(Group(*(p for p in self.panels if p is not focus), box)), run_time=0.8)
        self.play(
            FadeTransform(focus[1], big), FadeOut(focus[0]), FadeOut(focus[2]),
            FadeIn(rows), FadeIn(cols), FadeIn(caption), run_time=1.5,
        )
        if marks:
            self.play(sweep(marks), run_time=self.cue_left(2.0))

    def count(self):
        def line(key: str, **fills):
            return self.words(key, font_size=palette.LABEL_SIZE, **fills)

        ours = VGroup(
            self.words("ours", font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT),
            line("per_head", m=self.shown("params.matrices"), d=self.shown("d_model"), e=self.shown("d_head"), p=self.shown("params.head")),
            line("per_layer", h=self.shown("n_heads"), p=self.shown("params.head"), l=self.shown("params.layer")),
        )
        theirs = VGroup(
            self.words("gpt3", g=self.shown("gpt3.generation"), font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT),
            line("per_head", m=self.shown("params.matrices"), d=self.shown("gpt3.d_model"), e=self.shown("gpt3.d_head"), p=self.shown("gpt3.params.head")),
            line("per_layer", h=self.shown("gpt3.n_heads"), p=self.shown("gpt3.params.head"), l=self.shown("gpt3.params.layer")),
            line("all_layers", n=self.shown("gpt3.n_layers"), t=self.shown("gpt3.params.layers")),
        )
        for block in (ours, theirs):
            block.arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        table = VGroup(ours, theirs).arrange(DOWN, aligned_edge=LEFT, buff=0.6).next_to(self.title, DOWN, buff=0.6)
        table.set_x(-1.2)
        mats = Group()
        for name in ("W_Q", "W_K", "W_V", "W_O"):
            weights = self.ledger.array(self.tensor(name), self.head)  # [d_model, d_head]; W_O [d_head, d_model]
            tall = name != "W_O"
            cells = strip(weights, float(np.abs(weights).max()), height=1.2 if tall else 0.3, width=0.0375)
            mats.add(Group(eq(name, font_size=26), cells).arrange(DOWN, buff=0.1))
        mats.arrange(RIGHT, buff=0.3, aligned_edge=UP).next_to(ours, RIGHT, buff=0.9).align_to(ours, UP)
        source = self.words("source", g=self.shown("gpt3.generation"), font_size=palette.SMALL_SIZE, color=palette.MUTED)
        source.next_to(table, DOWN, buff=0.4).align_to(table, LEFT)
        self.say(
            "count", about=[ours, mats],
            d=self.shown("d_model"), e=self.shown("d_head"), p=self.shown("params.head"), l=self.shown("params.layer"),
        )
        leaving = [m for m in self.mobjects if m is not self.title]
        self.play(FadeOut(Group(*leaving)), run_time=0.8)
        self.play(FadeIn(ours[0]), LaggedStart(*(FadeIn(m) for m in mats), lag_ratio=0.3), run_time=1.5)
        self.play(LaggedStart(*(Write(row) for row in ours[1:]), lag_ratio=0.6), run_time=2.0)
        self.play(sweep([*mats, ours[1], ours[2]]), run_time=self.cue_left(1.0))
        self.say(
            "count_gpt3", about=[theirs, source],
            gh=self.shown("gpt3.params.head"), gl=self.shown("gpt3.params.layer"), ga=self.shown("gpt3.params.layers"),
            n=self.shown("gpt3.n_layers"), g=self.shown("gpt3.generation"),
        )
        self.play(FadeIn(theirs[0]), FadeIn(source), LaggedStart(*(Write(row) for row in theirs[1:]), lag_ratio=0.6), run_time=2.5)
        self.play(sweep([ours[1], theirs[1], ours[2], theirs[2], theirs[3]]), run_time=self.cue_left(1.0))


class LowRank(ChapterScene):
    """W_OV = W_V W_O: the matrix, its singular values (exactly d_head non-zero), d_model -> d_head -> d_model;
    W_QK likewise."""

    estimated_seconds = 33.0
    steps = ("ov", "rank", "bottleneck", "qk")
    BIG = 2.8  # the height of a d_model-tall matrix

    def ov(self):
        self.d, self.e = d, e = self.dim("d_model"), self.dim("d_head")
        w_v = self.ledger.array(self.tensor("W_V"), self.head)  # [d_model, d_head]
        w_o = self.ledger.array(self.tensor("W_O"), self.head)  # [d_head, d_model]
        ov = self.ledger.array("ov.matrix")  # [d_model, d_model]
        cellsize = self.BIG / d
        title = self.heading()
        v_img = strip(w_v, float(np.abs(w_v).max()), height=self.BIG, width=cellsize)
        o_img = strip(w_o, float(np.abs(w_o).max()), height=cellsize * e, width=cellsize)
        ov_img = strip(ov, float(np.abs(ov).max()), height=self.BIG, width=cellsize)
        self.product = (
            Group(
                Group(eq("W_V", font_size=30), v_img, self.shape_label(d, e)).arrange(DOWN, buff=0.15),
                eq(r"\times", font_size=36),
                Group(eq("W_O", font_size=30), o_img, self.shape_label(e, d)).arrange(DOWN, buff=0.15),
                eq("=", font_size=36),
                Group(eq("W_{OV}", font_size=30), ov_img, self.shape_label(d, d)).arrange(DOWN, buff=0.15),
            )
            .arrange(RIGHT, buff=0.35)
            .move_to(LEFT * 2.5 + DOWN * 0.2)
        )
        self.say("ov", about=[*self.product], d=self.shown("d_model"))
        self.play(FadeIn(title), FadeIn(self.product[0]), FadeIn(self.product[1]), FadeIn(self.product[2]))
        self.play(FadeIn(self.product[3]), FadeIn(self.product[4]))
        self.wait(1)

    def rank(self):
        self.chart = self.singular_chart("ov.singular", self.d, self.e).move_to([4.5, -0.2, 0])
        chart = self.chart
        self.rank_label = eq(r"\mathrm{rank}\, W_{OV} =", self.shown("ov.rank"), font_size=30, color=palette.HIGHLIGHT)
        self.rank_label.next_to(chart, DOWN, buff=0.3)
        self.say(
            "rank", about=[chart[0],
            chart[3], self.rank_label], e=self.shown("d_head"), r=self.shown("ov.rank"), d=self.shown("d_model"),
        )
        self.play(
            FadeIn(chart[0]),
            LaggedStart(*(GrowFromEdge(b, DOWN) for b in chart[1]), lag_ratio=0.03),
            FadeIn(chart[2]),
            run_time=2,
        )
        self.play(FadeIn(chart[3]), Write(self.rank_label))
        self.wait(2)

    def bottleneck(self):
        self.play(FadeOut(self.product), FadeOut(self.chart), FadeOut(self.rank_label))
        big, d, e = self.BIG, self.d, self.e
        heights = [big * 1.2, big * 1.2 * e / d, big * 1.2]
        xs = [-3.5, 0.0, 3.5]
        bars = VGroup(
            *(
                Rectangle(width=0.5, height=hgt, stroke_color=palette.MUTED, stroke_width=2)
                .set_fill(palette.POSITIVE_DARK, 0.6)
                .move_to([x, -0.3, 0])
                for x, hgt in zip(xs, heights)
            )
        )
        funnels = VGroup(
            *(
                Polygon(
                    left.get_corner(UP + RIGHT),
                    right.get_corner(UP + LEFT),
                    right.get_corner(DOWN + LEFT),
                    left.get_corner(DOWN + RIGHT),
                    stroke_width=0,
                ).set_fill(palette.FAINT, 0.5)
                for left, right in ((bars[0], bars[1]), (bars[1], bars[2]))
            )
        )
        sizes = VGroup(
            *(
                eq(self.shown(name), font_size=32).next_to(bar, DOWN, buff=0.2)
                for name, bar in zip(("d_model", "d_head", "d_model"), bars)
            )
        )
        maps = VGroup(
            eq("W_V", font_size=30).next_to(funnels[0], UP, buff=0.1),
            eq("W_O", font_size=30).next_to(funnels[1], UP, buff=0.1),
        )
        self.say("bottleneck", about=[*bars, *funnels, *sizes], e=self.shown("d_head"))
        self.play(FadeIn(bars[0]), FadeIn(sizes[0]))
        self.play(FadeIn(funnels[0]), FadeIn(bars[1]), FadeIn(sizes[1]), FadeIn(maps[0]))
        self.play(FadeIn(funnels[1]), FadeIn(bars[2]), FadeIn(sizes[2]), FadeIn(maps[1]))
        self.wait(2)
        self.flow = VGroup(bars, funnels, sizes, maps)

    def qk(self):
        self.play(FadeOut(self.flow))
        qk = self.ledger.array("qk.matrix")
        qk_img = strip(qk, float(np.abs(qk).max()), height=self.BIG, width=self.BIG / self.d)
        qk_group = Group(eq(r"W_{QK} = W_Q W_K^{\top}", font_size=30), qk_img, self.shape_label(self.d, self.d))
        qk_group.arrange(DOWN, buff=0.15).move_to([-4.8, -0.2, 0])
        chart = self.singular_chart("qk.singular", self.d, self.e).move_to([-0.6, -0.2, 0])
        scores = ("scores.dot", (self.head, self.query, self.key_pos))
        form = (
            VGroup(
                eq(r"\vec E_i^{\top}\, W_{QK}\, \vec E_j", "=", self.shown("qk.bilinear", spec=VALUE), font_size=30),
                eq(r"\vec q_i \cdot \vec k_j", "=", self.shown(*scores, VALUE), font_size=30),
            )
            .arrange(DOWN, buff=0.3, aligned_edge=LEFT)
            .move_to([4.6, 0.6, 0])
        )
        pair = (
            VGroup(
                eq("i:", font_size=26),
                self.token(self.query, font_size=20, color=palette.HIGHLIGHT),
                eq(r"\quad j:", font_size=26),
                self.token(self.key_pos, font_size=20, color=palette.HIGHLIGHT),
            )
            .arrange(RIGHT, buff=0.12)
            .next_to(form, UP, buff=0.3)
        )
        self.say("qk", about=[qk_group, chart, form[0]], r=self.shown("qk.rank"))
        self.play(FadeIn(qk_group), FadeIn(chart))
        self.play(FadeIn(pair), Write(form[0]))
        self.say("same", about=[form[1]], v=self.shown(*scores, VALUE))
        self.play(Write(form[1]))
        self.wait(2)

    def shape_label(self, rows: int, cols: int):
        names = {self.dim("d_model"): "d_model", self.dim("d_head"): "d_head"}
        return eq(self.shown(names[rows]), r"\times", self.shown(names[cols]), font_size=22, color=palette.MUTED)

    def singular_chart(self, key: str, d: int, e: int) -> VGroup:
        """Bars of the d_model singular values: numbers over the first d_head, a bound over the rest."""
        values = self.ledger.array(key)  # [d_model]
        width, height = 4.2, 2.6
        step = width / d
        base = Line(LEFT * width / 2, RIGHT * width / 2, color=palette.MUTED, stroke_width=1.5)
        bars = VGroup()
        for k, value in enumerate(values):
            bar = Rectangle(width=step * 0.7, height=max(float(value) / values[0] * height, 1e-3), stroke_width=0)
            bar.set_fill(palette.HIGHLIGHT if k < e else palette.NEGATIVE, opacity=0.9)
            bars.add(bar.move_to(base.get_left() + RIGHT * step * (k + 0.5), aligned_edge=DOWN))
        values_row = VGroup(
            *(self.ledger.number(key, k, decimals=2, font_size=22, color=palette.HIGHLIGHT) for k in range(min(e, d)))
        )
        values_row.arrange_in_grid(rows=math.ceil(len(values_row) / 4), buff=(0.25, 0.12))
        values_row.next_to(bars[: min(e, d)], UP, buff=0.2).align_to(base, LEFT)
        numbers = VGroup(values_row)
        if e < d:
            zeros = Line(bars[e].get_bottom(), bars[d - 1].get_bottom(), stroke_width=0)
            brace = Brace(zeros, UP, color=palette.NEGATIVE, buff=0.35)
            bound = self.words("below", v=self.shown(key, e, SCI), font_size=palette.SMALL_SIZE, color=palette.NEGATIVE)
            bound.next_to(brace, UP, buff=0.08)
            if bound.get_right()[0] > base.get_right()[0]:
                bound.align_to(base, RIGHT)
            numbers.add(brace, bound)
        name = self.words("singular", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(base, DOWN, buff=0.15)
        return VGroup(base, bars, numbers, name)


class Formula(ChapterScene):
    """softmax(QKᵀ/√d_k + M)·V assembled from the real pieces of the focus head."""

    estimated_seconds = 25.0
    steps = ("formula", "pieces", "output")
    SIDE = 1.5  # an [n, n] matrix's side

    def formula(self):
        title = self.heading()
        self.equation = eq(
            r"Z = \mathrm{softmax}\Big(", r"\frac{Q K^{\top}}{\sqrt{d_k}}", "+", "M", r"\Big)", r"\, V", font_size=46
        ).next_to(title, DOWN, buff=0.35)
        self.say("formula", about=[self.equation])
        self.play(FadeIn(title), Write(self.equation))
        self.wait(1)

    def pieces(self):
        h, n, e, side = self.head, self.n, self.dim("d_head"), self.SIDE
        q = self.ledger.array(self.tensor("q"), (slice(None), h))  # [n, d_head]
        k = self.ledger.array(self.tensor("k"), (slice(None), h))
        v = self.ledger.array(self.tensor("v"), (slice(None), h))
        scaled = self.ledger.array("scores.scaled", h)  # [q, k]
        masked = self.ledger.array(self.tensor("attn_scores"), h)
        pattern = self.ledger.array(self.tensor("pattern"), h)
        z = self.ledger.array(self.tensor("z"), (slice(None), h))
        tall = side * e / n  # a [n, d_head] matrix drawn n rows high

        def piece(label: str, image, font_size: float = 28) -> Group:
            return Group(eq(label, font_size=font_size), image).arrange(DOWN, buff=0.12)

        def matrix(values: np.ndarray, rows: int, cols: int):
            return strip(values, float(np.abs(values).max()), height=side * rows / n, width=side / n)

        mask = np.where(np.isneginf(masked), 1.0, 0.0)[..., None]  # [q, k, 1]
        mask_rgb = (
            mask * np.array(ManimColor(palette.NEGATIVE_DARK).to_rgb())
            + (1 - mask) * np.array(ManimColor(palette.FAINT).to_rgb())
        ) * 255
        top = (
            Group(
                piece("Q", matrix(q, n, e)),
                eq(r"\times", font_size=32),
                piece(r"K^{\top}", strip(k.T, float(np.abs(k).max()), height=tall, width=side / n)),
                eq(r"\tfrac{1}{\sqrt{d_k}} \to", font_size=30),
                piece(r"\frac{QK^{\top}}{\sqrt{d_k}}", matrix(scaled, n, n), font_size=24),
                eq("+", font_size=32),
                piece("M", pixel_image(mask_rgb.round().astype(np.uint8), height=side)),
                eq(r"\xrightarrow{\mathrm{softmax}}", font_size=30),
                piece("A", weight_image(pattern, height=side)),
            )
            .arrange(RIGHT, buff=0.25)
            .next_to(self.equation, DOWN, buff=0.45)
        )
        self.bottom = bottom = (
            Group(
                piece("A", weight_image(pattern, height=side)),
                eq(r"\times", font_size=32),
                piece("V", matrix(v, n, e)),
                eq("=", font_size=32),
                piece("Z", matrix(z, n, e)),
            )
            .arrange(RIGHT, buff=0.3)
            .next_to(top, DOWN, buff=0.5)
        )
        for group in (top, bottom):
            if group.width > 13.6:
                group.scale_to_fit_width(13.6)
        swatches = VGroup()
        for colour, value in ((palette.FAINT, "= 0"), (palette.NEGATIVE_DARK, r"= -\infty")):
            swatch = Rectangle(width=0.18, height=0.18, stroke_width=0).set_fill(colour, opacity=1)
            swatches.add(VGroup(swatch, eq(value, font_size=22)).arrange(RIGHT, buff=0.1))
        swatches.arrange(RIGHT, buff=0.3).next_to(top[6], DOWN, buff=0.12)
        self.top = top
        self.say("pieces", about=[*top, bottom])
        for k, part in enumerate(top):
            self.play(FadeIn(part), *([FadeIn(swatches)] if k == 6 else []), run_time=0.5)
        self.play(FadeIn(bottom), run_time=1.2)
        self.wait(1)

    def output(self):
        tail = eq(r"\Delta E = \sum_h Z_h\, W_O^{(h)}", font_size=34).next_to(self.bottom, RIGHT, buff=0.8)
        self.say("output", about=[tail])
        self.play(Write(tail))
        self.play(sweep([self.bottom[4], tail]), run_time=self.cue_left(2.0))
        top, bottom = self.top, self.bottom
        self.say("prompt", about=[self.equation, top[0], top[2], top[8], bottom[2]])
        self.play(Indicate(self.equation, color=palette.HIGHLIGHT, scale_factor=1.03))
        self.play(sweep([top[0], top[2], top[4], top[8], bottom[2], bottom[4]]), run_time=self.cue_left(3.0))


SCENES = [QueriesKeys, Pattern, Values, Heads, LowRank, Formula]
