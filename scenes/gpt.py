"""Chapter 6 — What is a GPT: the tiny transformer reads the prompt and predicts the next word."""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    DL,
    DR,
    UL,
    UR,
    Arrow,
    Axes,
    Circle,
    DashedLine,
    Brace,
    Create,
    Dot,
    FadeIn,
    FadeOut,
    GrowArrow,
    GrowFromEdge,
    Group,
    Indicate,
    LaggedStart,
    Line,
    Rectangle,
    RoundedRectangle,
    SurroundingRectangle,
    Transform,
    TransformFromCopy,
    Triangle,
    VGroup,
    Write,
)

from netreel.scenes.common import palette
from netreel.scenes.common.formats import HUNDREDTH, PERCENT, TENTH, VALUE, VALUE3
from netreel.scenes.common.mobjects import Bars
from netreel.scenes.common.motion import frame_around, sweep, trace
from netreel.scenes.common.text import eq, turned
from netreel.scenes.common.tokens import TokenScene, number_column, strip, token_row

PART_COLOURS = {
    "adjective": "#f4a261",
    "colour": "#e76f51",
    "noun": "#ffd166",
    "verb": "#83c5be",
    "preposition": "#b8b8ff",
    "place_adjective": "#90be6d",
    "place": "#4cc9f0",
    "determiner": "#cccccc",
    "punctuation": "#999999",
}


class ChapterScene(TokenScene):
    chapter = "gpt"

    def slotted_prompt(self, slot: float, font_size: float = 18) -> VGroup:
        """The prompt's tokens in boxes centred on slots ``slot`` apart (room for a column under each),
        shrunk together when the widest box would not fit its slot."""
        row = token_row([self.token(i, font_size=font_size) for i in range(self.n_tokens())])
        widest = max(box.width for box in row)
        if widest > slot * 0.95:
            row.scale(slot * 0.95 / widest)
        for k, box in enumerate(row):
            box.set_x((k - (len(row) - 1) / 2) * slot)
        return row


class NextWord(ChapterScene):
    """The premise: the network gives the next word's probabilities; one is drawn and appended, and the longer
    text goes back in, a few times over, with the model's real probabilities at each step."""

    estimated_seconds = 36.0
    steps = ("predict", "append", "repeat")
    TEXT_Y, BARS_X = 2.1, 1.2

    def predict(self):
        self.n_steps = len(self.facts["loop.tokens"])
        title = self.heading()
        self.text = VGroup(*(self.token(i, font_size=24, color=palette.MUTED) for i in range(self.n_tokens())))
        self.text.arrange(RIGHT, buff=0.16)
        self.appended = [self.word("loop.tokens", s, font_size=24, color=palette.POSITIVE) for s in range(self.n_steps)]
        everything = VGroup(*self.text, *self.appended).arrange(RIGHT, buff=0.16)
        if everything.width > 12.4:
            everything.scale_to_fit_width(12.4)
        everything.move_to([0, self.TEXT_Y, 0])
        box = RoundedRectangle(corner_radius=0.15, width=2.2, height=1.2, stroke_color=palette.MUTED, stroke_width=2)
        self.network = VGroup(box, self.words("network", font_size=palette.SMALL_SIZE)).move_to([-4.3, -0.6, 0])
        self.feed = Arrow(
            [-4.3, self.TEXT_Y - 0.35, 0], self.network.get_top(), buff=0.1, stroke_width=3, color=palette.MUTED
        )
        self.bars = self.bars_at(0)
        self.out = Arrow(self.network.get_right(), self.bars.labels.get_left() + LEFT * 0.1, buff=0.15, stroke_width=3, color=palette.MUTED)
        self.say("premise", about=[*self.text, self.network, self.bars.labels, self.bars.numbers])
        self.play(FadeIn(title), LaggedStart(*(FadeIn(w, shift=DOWN * 0.1) for w in self.text), lag_ratio=0.08), run_time=1.5)
        self.play(GrowFromEdge(self.feed, UP), FadeIn(self.network))
        self.play(GrowFromEdge(self.out, LEFT))
        self.play(
            LaggedStart(*(GrowFromEdge(b, LEFT) for b in self.bars.bars), lag_ratio=0.1),
            FadeIn(self.bars.labels), FadeIn(self.bars.numbers), run_time=1.5,
        )
        self.play(sweep([self.bars.row(j) for j in range(len(self.bars.bars))]), run_time=self.cue_left(1.0))

    def append(self):
        self.say(
            "draw", about=[self.bars.labels, self.appended[0]],
            w=self.spelled_at("loop.tokens", 0), p=self.shown("loop.probs", (0, self.drawn_row(0)), VALUE),
        )
        self.draw(0, self.cue_left(1.0))

    def repeat(self):
        self.say("repeat", about=[*self.text, self.network, self.appended[1]])
        for s in range(1, self.n_steps):
            if s == 2:
                self.say("writes", about=[*self.text, *self.appended[:s], self.network])
            self.play(trace(self.feed), run_time=0.8)
            new = self.bars_at(s)
            self.play(FadeOut(self.bars), FadeIn(new), run_time=0.8)
            self.bars = new
            self.point_at(new.labels, new.numbers)
            last = s == self.n_steps - 1
            self.draw(s, self.cue_left(1.0) if last else 2.2)

    def drawn_row(self, s: int) -> int:
        """Where the drawn word stands among step s's most probable words (None when it is not among them)."""
        top = [int(i) for i in self.ledger.array("loop.top", s)]
        token = int(self.ledger.value("loop.tokens", s))
        return top.index(token) if token in top else None

    def draw(self, s: int, seconds: float) -> None:
        """The draw: a highlight runs down the bars, adding up their probabilities, to the word drawn; the word
        joins the end of the text."""
        j = self.drawn_row(s)
        rows = [self.bars.row(r) for r in range(len(self.bars.bars))]
        if j is not None:
            self.play(sweep(rows[: j + 1] + [rows[j]]), run_time=max(1.0, seconds * 0.5))
            source = self.bars.labels[j]
        else:
            source = self.network
        word = self.appended[s]
        self.play(FadeIn(word, target_position=source, scale=0.8), run_time=max(0.8, seconds * 0.3))
        self.play(Indicate(word, color=palette.HIGHLIGHT), run_time=max(0.6, seconds * 0.2))

    def bars_at(self, s: int) -> Bars:
        """Step s's most probable next words, their probabilities at their bars' ends."""
        k = len(self.ledger.array("loop.top", s))
        bars = Bars(
            self.ledger.array("loop.probs", s),
            [self.word("loop.top", (s, j), font_size=22) for j in range(k)],
            [self.ledger.number("loop.probs", (s, j), decimals=2, font_size=22) for j in range(k)],
            length=4.5,
            row_height=0.5,
        )
        for bar, number in zip(bars.bars, bars.numbers):
            number.next_to(bar, RIGHT, buff=0.15)
        bars.shift([self.BARS_X - bars.bars[0].get_left()[0], -0.6 - bars.bars.get_y(), 0])
        return bars


class Tokens(ChapterScene):
    """The prompt becomes tokens, ids, and each token's real column of W_E."""

    estimated_seconds = 31.0
    steps = ("prompt", "ids", "columns", "matrix")

    def prompt(self):
        self.n, self.d = self.n_tokens(), self.dim("d_model")
        title = self.heading()
        self.slot = min(1.3, 11.0 / self.n)
        self.row = self.slotted_prompt(self.slot).next_to(title, DOWN, buff=0.45).set_x(0.9)
        self.say("prompt", about=[*self.row], n=self.shown("prompt.length"))
        self.play(
            FadeIn(title), LaggedStart(*(FadeIn(box, shift=DOWN * 0.2) for box in self.row), lag_ratio=0.1), run_time=2
        )
        self.wait(1)

    def ids(self):
        self.id_labels = VGroup(
            *(
                self.ledger.integer("prompt.tokens", i, font_size=palette.LABEL_SIZE, color=palette.MUTED)
                for i in range(self.n)
            )
        )
        for i, label in enumerate(self.id_labels):
            label.next_to(self.row[i], DOWN, buff=0.15)
        self.say("ids", about=[*self.id_labels], v=self.shown("n_vocab"))
        self.play(LaggedStart(*(FadeIn(label) for label in self.id_labels), lag_ratio=0.05), run_time=1.5)
        self.wait(1)

    def columns(self):
        font = 22 if self.slot >= 0.9 else 13
        self.vectors = VGroup()
        for i in range(self.n):
            column = number_column(self.ledger, "W_E", (self.token_id(i),), self.d, font_size=font, buff=0.14)
            self.vectors.add(column.next_to(self.id_labels[i], DOWN, buff=0.25))
        self.brace = Brace(self.vectors[0], LEFT, color=palette.MUTED, buff=0.1)
        self.size_label = (
            VGroup(
                eq("d_{model} =", self.shown("d_model"), font_size=26),
                self.words("d_label", font_size=palette.SMALL_SIZE, color=palette.MUTED),
            )
            .arrange(RIGHT, buff=0.25)
            .next_to(self.vectors, DOWN, buff=0.3)
            .align_to(self.brace, LEFT)
        )
        self.say("columns", about=[*self.vectors, self.brace], d=self.shown("d_model"))
        self.play(LaggedStart(*(FadeIn(c, shift=DOWN * 0.2) for c in self.vectors), lag_ratio=0.08), run_time=2.5)
        self.play(FadeIn(self.brace), FadeIn(self.size_label))
        self.wait(2)

    def matrix(self):
        v = self.dim("n_vocab")
        embeddings = self.ledger.array("W_E")  # [vocab, d_model]
        scale = float(np.abs(embeddings).max())
        cell_w = min(0.2, 12.0 / v)
        matrix = strip(embeddings.T, scale, height=3.4, width=cell_w).next_to(self.row, DOWN, buff=0.9)
        label = eq(
            "W_E", r"\in \mathbb{R}^{", self.shown("d_model"), r"\times", self.shown("n_vocab"), "}", font_size=30
        ).next_to(matrix, DOWN, buff=0.2)
        picks = VGroup()
        for i in sorted({self.token_id(i) for i in range(self.n)}):
            rect = Rectangle(width=cell_w, height=matrix.height, stroke_color=palette.HIGHLIGHT, stroke_width=2)
            picks.add(rect.move_to(matrix.get_left() + RIGHT * cell_w * (i + 0.5)).set_y(matrix.get_y()))
        links = VGroup()
        for i in range(self.n):
            x = matrix.get_left()[0] + cell_w * (self.token_id(i) + 0.5)
            links.add(
                Line(
                    self.row[i].get_bottom(),
                    [x, matrix.get_top()[1], 0],
                    stroke_width=1.5,
                    color=palette.HIGHLIGHT,
                    stroke_opacity=0.6,
                )
            )
        self.say("matrix", about=[matrix, label, *picks], v=self.shown("n_vocab"), d=self.shown("d_model"))
        self.play(FadeOut(self.vectors), FadeOut(self.brace), FadeOut(self.size_label), FadeOut(self.id_labels))
        self.play(FadeIn(matrix), Write(label))
        self.play(
            LaggedStart(*(Create(r) for r in picks), lag_ratio=0.1),
            LaggedStart(*(Create(k) for k in links), lag_ratio=0.1),
            run_time=2,
        )
        self.wait(2)


class EmbeddingSpace(ChapterScene):
    """PCA of the real W_E: parts of speech cluster; dot products between chosen words; the direction
    from one kind of word to another, and how often it answers an analogy."""

    estimated_seconds = 85.0
    steps = ("pca", "clusters", "dot", "direction")
    PLOT = (8.3, 5.8)  # width, height of the plot area
    MAX_DOTS = 300  # a larger vocabulary is drawn by its most frequent words (and the prompt's)

    def setup(self) -> None:
        super().setup()
        if not self.facts.meta["parts"]:  # a vocabulary of one's own has no parts of speech, nor kinds of words
            self.steps = tuple(name for name in self.steps if name not in ("clusters", "direction"))

    def pca(self):
        coords = self.ledger.array("pca.coords")  # [vocab, 2]
        origin = self.ledger.array("pca.origin")  # the zero vector on the same axes
        parts = self.facts.meta["parts"]
        width, height = self.PLOT
        lo = np.minimum(coords.min(axis=0), origin)
        hi = np.maximum(coords.max(axis=0), origin)
        centre = np.array([-2.1, -0.45, 0])
        unit = np.array([width - 0.4, height - 0.4]) / np.maximum(hi - lo, 1e-9)  # each direction fills its side

        def point(xy: np.ndarray) -> np.ndarray:
            return centre + np.array([*((xy - (lo + hi) / 2) * unit), 0])

        self.point = point
        self.origin = point(origin)
        self.box = Rectangle(width=width, height=height, stroke_color=palette.FAINT, stroke_width=1.5).move_to(centre)
        axis_names = VGroup(
            self.words("axis_1", p=self.shown("pca.explained", 0, PERCENT), font_size=palette.SMALL_SIZE, color=palette.MUTED)
            .next_to(self.box, DOWN, buff=0.1),
            turned(self.words("axis_2", p=self.shown("pca.explained", 1, PERCENT), font_size=palette.SMALL_SIZE, color=palette.MUTED))
            .next_to(self.box, LEFT, buff=0.1),
        )
        pairs = self.ledger.array("dot.pairs").astype(int)  # [2, 2]
        self.pair = pairs[0][0], pairs[0][1], pairs[1][1]
        labelled = list(dict.fromkeys([self.token_id(i) for i in range(self.n_tokens())] + list(self.pair)))
        drawn = sorted(
            set(range(min(len(coords), self.MAX_DOTS))) | set(labelled)
        )  # a user's vocabulary comes most frequent first
        self.dots = {
            i: Dot(
                point(coords[i]),
                radius=0.06,
                color=PART_COLOURS.get(parts[i], palette.MUTED) if parts else palette.POSITIVE,
            )
            for i in drawn
        }
        self.legend = VGroup()
        if parts:  # the colours' key, beside the plot from the moment the dots appear
            entries = VGroup(
                *(
                    VGroup(
                        Dot(radius=0.07, color=PART_COLOURS[part]),
                        self.words(f"gpt.parts.{part}", font_size=palette.SMALL_SIZE),
                    ).arrange(RIGHT, buff=0.12)
                    for part in dict.fromkeys(parts)
                )
            )
            rows = (len(entries) + 1) // 2
            entries.arrange_in_grid(rows=rows, cols=2, buff=(0.3, 0.1), flow_order="dr", col_alignments="ll")
            self.legend = VGroup(self.words("legend_title", font_size=palette.SMALL_SIZE, color=palette.MUTED), entries)
            self.legend.arrange(DOWN, aligned_edge=LEFT, buff=0.15)
            self.legend.next_to(self.box, RIGHT, buff=0.35).align_to(self.box, DOWN)
        self.title = title = self.heading()
        self.say(
            "pca", about=[self.box, *self.dots.values(), axis_names],
            d=self.shown("d_model"),
            first=self.shown("pca.explained", 0, PERCENT),
            second=self.shown("pca.explained", 1, PERCENT),
        )
        self.play(FadeIn(title), Create(self.box), FadeIn(axis_names))
        self.play(
            LaggedStart(*(FadeIn(d, scale=2) for d in self.dots.values()), lag_ratio=min(0.02, 1.0 / len(self.dots))),
            FadeIn(self.legend),
            run_time=2,
        )
        if len(drawn) < len(coords):
            self.say("frequent", about=[*self.dots.values()])
        labels = {i: self.word("vocab.ids", i, font_size=16) for i in labelled}
        leaders = place_labels(self.dots, labels, self.box)
        self.play(
            LaggedStart(*(FadeIn(label) for label in labels.values()), lag_ratio=0.05), FadeIn(leaders), run_time=1.5
        )
        self.play(sweep([axis_names[0], axis_names[1]]), run_time=self.cue_left(1.0))

    def clusters(self):
        entries = self.legend[1]
        self.say("clusters", about=[self.legend])
        parts = self.facts.meta["parts"]
        groups = []
        for entry, part in zip(entries, dict.fromkeys(parts)):
            members = [dot for i, dot in self.dots.items() if parts[i] == part]
            groups.append([entry, *members])
        self.play(sweep(groups, buff=0.03), run_time=self.cue_left(1.0))

    def dot(self):
        a, b, c = self.pair
        dots = self.dots
        rings = {i: Circle(radius=0.14, color=palette.HIGHLIGHT, stroke_width=3).move_to(dots[i]) for i in (a, b, c)}
        close = self.dot_line(0).next_to(self.box, RIGHT, buff=0.45).align_to(self.box, UP).shift(DOWN * 0.3)
        far = self.dot_line(1).next_to(close, DOWN, buff=0.6).align_to(close, LEFT)
        zero = Dot(self.origin, radius=0.05, color=palette.MUTED)
        zero_label = self.words("origin", font_size=16, color=palette.MUTED).next_to(zero, UP, buff=0.35)
        self.say(
            "dot", about=[rings[a],
            rings[b], close], a=self.spelled_at("dot.pairs", (0, 0)), b=self.spelled_at("dot.pairs", (0, 1)), v=self.shown("dot.values", 0, VALUE),
        )
        self.play(FadeOut(self.legend), FadeIn(zero), FadeIn(zero_label), Create(rings[a]), Create(rings[b]))
        first = self.projection(a, b)
        self.play(GrowArrow(first[0]), GrowArrow(first[1]))
        self.play(Create(first[2]), Create(first[3]), Create(first[4]))
        self.play(Write(close))
        self.play(sweep([first[4], close[0][4], close[1]]), run_time=self.cue_left(1.0))
        self.say(
            "dot_far", about=[rings[c],
            far], a=self.spelled_at("dot.pairs", (0, 0)), c=self.spelled_at("dot.pairs", (1, 1)), v=self.shown("dot.values", 1, VALUE), d=self.shown("d_model")
        )
        second = self.projection(a, c)
        self.play(FadeOut(first[1:]), Create(rings[c]), GrowArrow(second[1]))
        self.play(Create(second[2]), Create(second[3]), Create(second[4]))
        self.play(Write(far))
        self.play(sweep([second[4], far[0][4], far[1]]), run_time=self.cue_left(1.0))

    def direction(self):
        a, b, c, d = (int(i) for i in self.ledger.array("direction.example"))
        dots, labels, place = self.analogy_plane(a, b, c, d)
        arrow_style = dict(buff=0.1, stroke_width=4, color=palette.HIGHLIGHT, max_tip_length_to_length_ratio=0.12)
        between = Arrow(dots[a].get_center(), dots[b].get_center(), **arrow_style)
        caption = self.words(
            "plane", a=self.spelled_at("direction.example", 0), b=self.spelled_at("direction.example", 1),
            c=self.spelled_at("direction.example", 2), font_size=palette.SMALL_SIZE, color=palette.MUTED,
        ).next_to(self.box, DOWN, buff=0.1)
        difference = VGroup(
            self.word("direction.example", 1, font_size=24, color=palette.HIGHLIGHT), eq("-", font_size=32),
            self.word("direction.example", 0, font_size=24, color=palette.HIGHLIGHT),
        ).arrange(RIGHT, buff=0.12)
        difference.move_to([0, self.box.get_top()[1] - 0.3, 0]).set_x(self.box.get_right()[0] + 0.45, direction=LEFT)
        self.say(
            "direction", about=[between, dots[a], dots[b], difference],
            a=self.spelled_at("direction.example", 0), b=self.spelled_at("direction.example", 1),
        )
        plot = Group(*(m for m in self.mobjects if m is not self.title and m is not self.box))
        self.play(FadeOut(plot), run_time=0.8)
        kept = [i for i in dots if i not in (c, d)]
        self.play(
            LaggedStart(*(FadeIn(dots[i], scale=2) for i in kept), lag_ratio=0.05),
            LaggedStart(*(FadeIn(labels[i]) for i in kept), lag_ratio=0.05),
            FadeIn(caption), run_time=1.5,
        )
        self.play(GrowArrow(between), FadeIn(difference))
        self.play(sweep([between, difference]), run_time=self.cue_left(1.0))

        moved = Arrow(dots[c].get_center(), place, **arrow_style)
        tip = Dot(place, radius=0.07, color=palette.HIGHLIGHT)
        reach = DashedLine(place, dots[d].get_center(), color=palette.MUTED, stroke_width=2)
        analogy = VGroup(
            self.word("direction.example", 2, font_size=24, color=palette.POSITIVE), eq("+", font_size=32), difference.copy(),
        ).arrange(RIGHT, buff=0.12)
        answer = VGroup(eq(r"\approx", font_size=32), self.word("direction.example", 3, font_size=24, color=palette.POSITIVE))
        answer.arrange(RIGHT, buff=0.12)
        cosine = eq(r"\cos\theta =", self.ledger.shown("direction.cosine", spec=VALUE), font_size=26, color=palette.MUTED)
        nearest = self.words("nearest", d=self.shown("d_model"), font_size=palette.SMALL_SIZE, color=palette.MUTED)
        result = VGroup(analogy, answer, cosine, nearest).arrange(DOWN, aligned_edge=LEFT, buff=0.18)
        result.next_to(difference, DOWN, buff=0.35).align_to(difference, LEFT)
        self.say(
            "analogy" if self.ledger.value("direction.example_right") else "analogy_miss",
            about=[moved, dots[c], dots[d], result],
            b=self.spelled_at("direction.example", 1), c=self.spelled_at("direction.example", 2),
            x=self.spelled_at("direction.example", 3),
            d=self.shown("d_model"), v=self.shown("direction.cosine", spec=VALUE),
        )
        self.play(FadeIn(dots[c], scale=2), FadeIn(labels[c]), FadeIn(analogy))
        self.play(TransformFromCopy(between, moved), run_time=1.5)
        self.play(FadeIn(tip), Create(reach), FadeIn(dots[d], scale=2), FadeIn(labels[d]))
        self.play(FadeIn(answer), FadeIn(cosine), FadeIn(nearest))
        self.play(sweep([dots[c], moved, dots[d], answer]), run_time=self.cue_left(1.0))

        rows = VGroup()
        for p, part in enumerate(("adjective", "verb", "place")):
            share = self.ledger.value("direction.right", p) / max(self.ledger.value("direction.asked", p), 1)
            track = Rectangle(width=0.9, height=0.16, stroke_color=palette.FAINT, stroke_width=1)
            bar = Rectangle(width=max(0.9 * share, 0.02), height=0.16, stroke_width=0).set_fill(palette.POSITIVE, opacity=0.9)
            rows.add(VGroup(
                self.words(f"gpt.parts.{part}", font_size=palette.SMALL_SIZE),
                VGroup(track, bar.align_to(track, LEFT)),
                self.words("of", r=self.shown("direction.right", p), n=self.shown("direction.asked", p), font_size=palette.SMALL_SIZE),
            ))
        width = max(row[0].width for row in rows)
        for row in rows:  # the bars in one column after the widest part's name
            row[1].next_to(row[0], RIGHT, buff=0.2 + width - row[0].width)
            row[2].next_to(row[1], RIGHT, buff=0.2)
        rows.arrange(DOWN, buff=0.22, aligned_edge=LEFT)
        heading = self.words(
            "asked", n=self.shown("direction.asked_all"), r=self.shown("direction.right_all"),
            font_size=palette.SMALL_SIZE, color=palette.MUTED,
        )
        table = VGroup(heading, rows).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        table.next_to(result, DOWN, buff=0.5).align_to(result, LEFT)
        self.say("strength", about=[table], n=self.shown("direction.asked_all"), r=self.shown("direction.right_all"))
        self.play(FadeIn(heading))
        for row in rows:
            self.play(FadeIn(row[0]), Create(row[1][0]), GrowFromEdge(row[1][1], LEFT), FadeIn(row[2]), run_time=0.8)
        self.play(sweep(list(rows)), run_time=self.cue_left(1.0))

    def analogy_plane(self, a: int, b: int, c: int, d: int) -> tuple[dict, dict, np.ndarray]:
        """The words of a's part of speech (and d) in the plane through E_a, E_b and E_c, drawn in the plot's box:
        a, b and c and the point E_c + E_b − E_a lie in that plane exactly, the other words are their shadows on it.
        Returns {token: dot}, {token: label} and where E_c + E_b − E_a falls."""
        e = self.ledger.array("W_E").astype(float)  # [vocab, d_model]
        u = (e[b] - e[a]) / np.linalg.norm(e[b] - e[a])
        w = e[c] - e[a] - ((e[c] - e[a]) @ u) * u
        axes = np.stack([u, w / np.linalg.norm(w)], axis=1)  # [d_model, 2]
        parts = self.facts.meta["parts"]
        words = list(dict.fromkeys([i for i, part in enumerate(parts) if part == parts[a]] + [a, b, c, d]))
        flat = {i: (e[i] - e[a]) @ axes for i in words}
        target = flat[c] + flat[b]  # E_c + E_b − E_a, with E_a at the plane's zero
        points = np.array([*flat.values(), target])
        lo, hi = points.min(axis=0), points.max(axis=0)
        scale = min((self.box.width - 2.0) / max(hi[0] - lo[0], 1e-9), (self.box.height - 1.4) / max(hi[1] - lo[1], 1e-9))

        def at(xy: np.ndarray) -> np.ndarray:
            return self.box.get_center() + np.array([*((xy - (lo + hi) / 2) * scale), 0])

        colours = {a: palette.HIGHLIGHT, b: palette.HIGHLIGHT, c: palette.POSITIVE, d: palette.POSITIVE}
        dots = {i: Dot(at(flat[i]), radius=0.08, color=colours.get(i, palette.MUTED)) for i in words}
        labels = {
            i: self.word("vocab.ids", i, font_size=22 if i in colours else 16, color=colours.get(i, palette.MUTED))
            for i in words
        }
        leaders = leader_lines(dots, labels, self.box)
        labels = {i: VGroup(label, *([leaders[i]] if leaders[i] is not None else [])) for i, label in labels.items()}
        return dots, labels, at(target)

    def projection(self, a: int, b: int) -> VGroup:
        """Arrows from the zero vector to words a and b, and b's shadow on a's direction, as drawn in the plane:
        [arrow to a, arrow to b, a's direction through the origin, the drop from b, the shadow]."""
        o, pa, pb = self.origin, self.dots[a].get_center(), self.dots[b].get_center()
        u = (pa - o) / max(np.linalg.norm(pa - o), 1e-9)
        foot = o + np.dot(pb - o, u) * u
        reach = max(np.linalg.norm(pa - o), abs(np.dot(pb - o, u))) + 0.3
        to_a = Arrow(o, pa, buff=0.06, stroke_width=3, color=palette.HIGHLIGHT, max_tip_length_to_length_ratio=0.1)
        to_b = Arrow(o, pb, buff=0.06, stroke_width=3, color=palette.POSITIVE, max_tip_length_to_length_ratio=0.1)
        axis = DashedLine(o - u * reach, o + u * reach, color=palette.FAINT, stroke_width=1.5)
        drop = DashedLine(pb, foot, color=palette.MUTED, stroke_width=1.5)
        shadow = Line(o, foot, color=palette.POSITIVE, stroke_width=7, stroke_opacity=0.8)
        return VGroup(to_a, to_b, axis, drop, shadow)

    def dot_line(self, k: int) -> VGroup:
        """'a · b = value' and the cosine below it, for pair k of the facts."""
        product = VGroup(
            self.word("dot.pairs", (k, 0), font_size=24, color=palette.HIGHLIGHT),
            eq(r"\cdot", font_size=36),
            self.word("dot.pairs", (k, 1), font_size=24, color=palette.POSITIVE),
            eq("=", font_size=32),
            self.ledger.number("dot.values", k, decimals=2, font_size=30),
        ).arrange(RIGHT, buff=0.15)
        cosine = eq(r"\cos\theta =", self.ledger.shown("dot.cosines", k, VALUE), font_size=28, color=palette.MUTED)
        return VGroup(product, cosine.next_to(product, DOWN, buff=0.15).align_to(product, LEFT))


def place_labels(dots: dict, labels: dict, frame) -> VGroup:
    """Put each label near its dot, clear of the labels placed before and of the other dots, inside the frame;
    returns thin leader lines for labels that had to move away."""
    return VGroup(*(line for line in leader_lines(dots, labels, frame).values() if line is not None))


def leader_lines(dots: dict, labels: dict, frame) -> dict:
    """Place the labels as :func:`place_labels` does: {token: its leader line, or None where the label sits by its dot}.

    Tries the eight directions at growing distances.
    """
    placed: list = []
    leaders = {}
    directions = [UR, UL, DR, DL, RIGHT, LEFT, UP, DOWN]
    for i, label in labels.items():
        dot = dots[i]
        for distance in (0.04, 0.2, 0.4, 0.65):
            spot = next(
                (d for d in directions if _fits(label.next_to(dot, d, buff=distance), i, dots, placed, frame)), None
            )
            if spot is not None:
                break
        else:
            label.next_to(dot, UR, buff=0.04)
            distance = 0.04
        leaders[i] = None
        if distance > 0.1:
            leaders[i] = Line(
                dot.get_center(), label.get_center(), buff=0.08 + label.height / 2, stroke_width=1, color=palette.MUTED
            )
        placed.append(label)
    return leaders


def _fits(label, own: int, dots: dict, placed: list, frame) -> bool:
    inside = frame.get_left()[0] < label.get_left()[0] and label.get_right()[0] < frame.get_right()[0]
    inside = inside and frame.get_bottom()[1] < label.get_bottom()[1] and label.get_top()[1] < frame.get_top()[1]
    return (
        inside
        and not any(_overlap(label, p) for p in placed)
        and not any(_overlap(label, d, 0.0) for k, d in dots.items() if k != own)
    )


def _overlap(a, b, pad: float = 0.03) -> bool:
    return not (
        a.get_right()[0] + pad < b.get_left()[0]
        or b.get_right()[0] + pad < a.get_left()[0]
        or a.get_top()[1] + pad < b.get_bottom()[1]
        or b.get_top()[1] + pad < a.get_bottom()[1]
    )


class Residual(ChapterScene):
    """Positions, then the residual stream through every attention and MLP block, with real values."""

    estimated_seconds = 28.0
    steps = ("positions", "stream")
    HEIGHT = 3.3  # of every strip

    def positions(self):
        self.n = n = self.n_tokens()
        self.d = self.dim("d_model")
        self.layers = self.dim("n_layers")
        embed, pos = self.ledger.array("hook_embed"), self.ledger.array("hook_pos_embed")  # [n, d_model]
        self.stages = [("stage_embed", {}, ("resid_pre", 0))]
        for l in range(self.layers):
            self.stages.append(("stage_attn", {"l": self.layer_number(l)}, ("resid_mid", l)))
            self.stages.append(("stage_mlp", {"l": self.layer_number(l)}, ("resid_post", l)))
        self.streams = [self.ledger.array(key) for _, _, key in self.stages]
        everything = np.abs(np.concatenate([s.ravel() for s in self.streams + [embed, pos]]))
        self.scale = float(
            np.percentile(everything, 98)
        )  # one colour scale for every stage; the rare larger values saturate

        title = self.heading()
        legend = self.words("legend", font_size=palette.SMALL_SIZE, color=palette.MUTED).to_edge(DOWN, buff=0.25)
        cell = min(0.3, 3.6 / n)
        parts = [strip(m.T, self.scale, self.HEIGHT, cell) for m in (embed, pos, self.streams[0])]
        captions = [self.words(k, font_size=palette.SMALL_SIZE) for k in ("word_label", "position_label", "sum_label")]
        formula = Group(parts[0], eq("+", font_size=44), parts[1], eq("=", font_size=44), parts[2])
        formula.arrange(RIGHT, buff=0.4).shift(DOWN * 0.3)
        for caption, part in zip(captions, parts):
            caption.next_to(part, DOWN, buff=0.15)
        tops = VGroup(*(self.token_words(part, cell, n) for part in parts))
        self.say("positions", about=[*parts])
        self.play(FadeIn(title), FadeIn(parts[0]), FadeIn(captions[0]), FadeIn(tops[0]), FadeIn(legend))
        self.play(FadeIn(formula[1]), FadeIn(parts[1]), FadeIn(captions[1]), FadeIn(tops[1]))
        self.play(FadeIn(formula[3]), FadeIn(parts[2]), FadeIn(captions[2]), FadeIn(tops[2]))
        self.wait(2)
        self.sum_picture = Group(*parts, formula[1], formula[3], *tops, *captions)

    def stream(self):
        n, last = self.n, self.n - 1
        self.play(FadeOut(self.sum_picture))
        # the tower: the stream is the spine; each block reads it and adds its output back at a ⊕
        spine_x, box_x = -5.7, -4.15
        levels = [-1.55 + 1.05 * k for k in range(2 * self.layers)]
        entry_y = levels[0] - 1.0
        spine = Arrow([spine_x, entry_y - 0.2, 0], [spine_x, levels[-1] + 0.75, 0], buff=0, stroke_width=3,
                      color=palette.FAINT, max_tip_length_to_length_ratio=0.04)
        blocks, joins = VGroup(), VGroup()
        for k in range(2 * self.layers):
            kind = ("block_attn", "block_mlp")[k % 2]
            box = RoundedRectangle(corner_radius=0.1, width=1.9, height=0.6, stroke_color=palette.MUTED, stroke_width=2)
            box.move_to([box_x, levels[k], 0])
            label = self.words(kind, l=self.layer_number(k // 2), font_size=palette.SMALL_SIZE).move_to(box)
            blocks.add(VGroup(box, label))
            plus = VGroup(Circle(radius=0.11, color=palette.MUTED, stroke_width=2),
                          Line(LEFT * 0.07, RIGHT * 0.07, stroke_width=2, color=palette.MUTED),
                          Line(DOWN * 0.07, UP * 0.07, stroke_width=2, color=palette.MUTED)).move_to([spine_x, levels[k] + 0.3, 0])
            read = Line([spine_x, levels[k] - 0.3, 0], [box_x - 0.95, levels[k] - 0.15, 0], stroke_width=1.5, color=palette.FAINT)
            back = Line([box_x - 0.95, levels[k] + 0.15, 0], plus.get_right(), stroke_width=1.5, color=palette.FAINT)
            joins.add(VGroup(read, back, plus))
        mini_h, mini_w = 0.42, 0.06 * n
        minis = [strip(s.T, self.scale, mini_h, mini_w / n) for s in self.streams]
        mini = minis[0].copy().move_to([spine_x, entry_y, 0])
        # the addition, large: x + Δx = x'
        cell = min(0.2, 2.0 / n)
        height = 2.9
        y = -0.35
        x_at, d_at, s_at = -1.7, 1.75, 4.35
        x_strip = strip(self.streams[0].T, self.scale, height, cell).move_to([x_at, y, 0])
        words = self.token_words(x_strip, cell, n)
        key, fills, fact = self.stages[0]
        x_label = self.words(key, font_size=palette.SMALL_SIZE, color=palette.HIGHLIGHT, **fills).next_to(x_strip, DOWN, buff=0.2)
        numbers = number_column(self.ledger, fact, (last,), self.d, font_size=23, buff=0.12)
        numbers.next_to(x_strip, RIGHT, buff=0.15).set_y(y)
        x_name = eq("x", font_size=30).next_to(words, UP, buff=0.12)
        self.say("stream", about=[x_strip, blocks, mini])
        self.play(FadeIn(x_strip), FadeIn(words), FadeIn(x_label), FadeIn(x_name), FadeIn(numbers),
                  FadeIn(blocks), FadeIn(joins), GrowFromEdge(spine, DOWN), FadeIn(mini))
        passes = VGroup(*(Line([spine_x, entry_y, 0], [spine_x, levels[-1] + 0.6, 0]) for _ in range(1)))
        self.play(trace(passes), sweep([b[0] for b in blocks], buff=0.06), run_time=self.cue_left(1.0))
        self.say("update", about=[blocks, x_strip])
        plus_sign = eq("+", font_size=40).move_to([0.55, y, 0])
        equals = eq("=", font_size=40).move_to([(d_at + s_at) / 2, y, 0])
        for k, (key, fills, fact) in enumerate(self.stages[1:], start=1):
            block = blocks[k - 1]
            ring = SurroundingRectangle(block[0], color=palette.HIGHLIGHT, buff=0.05)
            delta_key = (("attn_out", "mlp_out")[(k - 1) % 2], (k - 1) // 2)
            delta = strip(self.ledger.array(delta_key).T, self.scale, height, cell).move_to([d_at, y, 0])
            d_label = block[1].copy().set_color(palette.HIGHLIGHT).next_to(delta, DOWN, buff=0.2)
            d_name = eq(r"\Delta x", font_size=30).move_to([delta.get_x(), x_name.get_y(), 0])
            new = strip(self.streams[k].T, self.scale, height, cell).move_to([s_at, y, 0])
            new_label = self.words(key, font_size=palette.SMALL_SIZE, color=palette.HIGHLIGHT, **fills).next_to(new, DOWN, buff=0.2)
            new_name = eq("x + \\Delta x", font_size=30).move_to([new.get_x(), x_name.get_y(), 0])
            self.play(Create(ring), mini.animate.move_to([spine_x, levels[k - 1], 0]), run_time=0.6)
            self.play(FadeIn(delta, target_position=block[0], scale=0.3), FadeIn(d_label, target_position=block[1]), FadeIn(d_name),
                      FadeIn(plus_sign), run_time=0.8)
            parts = [x_strip.copy(), delta.copy()]
            self.play(FadeIn(equals), *(p.animate.move_to(new).set_opacity(0) for p in parts), FadeIn(new),
                      FadeIn(new_label), FadeIn(new_name),
                      Transform(mini, minis[k].copy().move_to([spine_x, levels[k - 1] + 0.3, 0])), run_time=0.9)
            self.remove(*parts)
            new_numbers = number_column(self.ledger, fact, (last,), self.d, font_size=23, buff=0.12)
            new_numbers.next_to(x_strip, RIGHT, buff=0.15).set_y(y)
            if k == len(self.stages) - 1:  # the last addition stays on screen
                self.play(FadeOut(ring), Transform(numbers, new_numbers.next_to(new, RIGHT, buff=0.15).set_y(y)), run_time=0.8)
                break
            # the sum becomes the stream the next block reads
            self.play(
                FadeOut(x_strip), FadeOut(x_label), FadeOut(delta), FadeOut(d_label), FadeOut(d_name), FadeOut(new_name),
                FadeOut(ring), run_time=0.4,
            )
            self.play(new.animate.move_to(x_strip), new_label.animate.move_to(x_label.get_center()),
                      Transform(numbers, new_numbers), run_time=0.7)
            x_strip, x_label = new, new_label
        self.play(Indicate(mini, color=palette.HIGHLIGHT), run_time=1.0)
        self.wait(1)

    def token_words(self, part, cell: float, n: int) -> VGroup:
        """The prompt's words above a [d_model x n] strip image, one per column, turned to fit."""
        words = VGroup()
        for i in range(n):
            word = turned(self.token(i, font_size=16))
            words.add(word.next_to(part, UP, buff=0.1).set_x(part.get_left()[0] + cell * (i + 0.5)))
        for word in words:
            word.align_to(words, DOWN)
        return words


class MLPBlock(ChapterScene):
    """One token through the MLP as matrices: a row of W_in times the vector gives one neuron's value; ReLU on
    its graph clamps the negative ones; W_out brings the hidden layer back to d_model, added to the vector."""

    estimated_seconds = 40.0
    steps = ("input", "up", "relu", "down")
    Y = -0.3  # the centre line of the matrices
    TALL = 3.4  # the hidden layer's height (d_mlp cells)
    WIDE = 3.0  # the token vector's length on screen (d_model cells)

    def input(self):
        self.layer = l = self.dim("mlp.layer")
        self.last = last = self.n_tokens() - 1
        self.m, self.d = self.dim("d_mlp"), self.dim("d_model")
        self.j = self.dim("mlp.example")
        x = self.ledger.array(("resid_mid", l), last)
        self.out = self.ledger.array(("mlp_out", l), last)
        self.scale = float(np.percentile(np.abs(np.concatenate([x, self.out])), 98))
        self.pre = self.ledger.array(("mlp_pre", l), last)  # [d_mlp]
        self.post = self.ledger.array(("mlp_post", l), last)
        self.hscale = float(np.abs(self.pre).max())
        w_in = self.ledger.array(("W_in", l))  # [d_model, d_mlp]: drawn as W_in^T, a row per neuron
        block = self.layer_number(l)
        title = self.heading()
        self.w_in = strip(w_in.T, float(np.percentile(np.abs(w_in), 98)), self.TALL, self.WIDE / self.d)
        self.w_in.move_to([-4.85, self.Y, 0])
        self.x_col = strip(x, self.scale, self.WIDE, 0.26).next_to(self.w_in, RIGHT, buff=0.3)
        self.x_name = eq("x", font_size=30).next_to(self.x_col, UP, buff=0.15)
        word = self.token(last, font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(self.x_col, DOWN, buff=0.15)
        self.x_parts = Group(self.x_col, self.x_name, word)
        self.x_numbers = number_column(self.ledger, ("resid_mid", l), (last,), self.d, font_size=23, buff=0.12)
        self.x_numbers.next_to(self.x_col, RIGHT, buff=0.3)
        self.home = Group(self.x_parts, self.x_numbers).get_center()
        Group(self.x_parts, self.x_numbers).scale(1.25).move_to([0, self.Y, 0])  # centred until W_in arrives
        self.say("input", about=[self.x_col, word, self.x_numbers], l=block, d=self.shown("d_model"))
        self.play(FadeIn(title), FadeIn(self.x_col, shift=UP * 0.5), FadeIn(self.x_name), FadeIn(word))
        entries = [e for k, e in enumerate(self.x_numbers[0]) if k != 4]
        self.play(FadeIn(self.x_numbers, shift=RIGHT * 0.2), sweep(entries), run_time=self.cue_left(1.0))
        self.play(Group(self.x_parts, self.x_numbers).animate.scale(0.8).move_to(self.home), run_time=0.8)

    def row_box(self, image, k: int, rows: int):
        h = image.height / rows
        return Rectangle(width=image.width + 0.08, height=h, stroke_color=palette.HIGHLIGHT, stroke_width=2).move_to(
            [image.get_x(), image.get_top()[1] - h * (k + 0.5), 0]
        )

    def up(self):
        l, j = self.layer, self.j
        w_name = eq("W_{in}", font_size=30).next_to(self.w_in, UP, buff=0.15)
        shape = eq(self.shown("d_mlp"), r"\times", self.shown("d_model"), font_size=24, color=palette.MUTED)
        shape.next_to(self.w_in, DOWN, buff=0.15)
        self.h_col = strip(self.pre, self.hscale, self.TALL, 0.26).next_to(self.x_col, RIGHT, buff=0.75).set_y(self.Y)
        equals = eq("=", font_size=36).move_to((self.x_col.get_right() + self.h_col.get_left()) / 2)
        self.h_name = eq("h", font_size=30).next_to(self.h_col, UP, buff=0.15)
        self.say("up", about=[self.w_in, self.x_col, self.h_col], m=self.shown("d_mlp"))
        self.play(FadeIn(self.w_in), FadeIn(w_name), FadeIn(shape), FadeOut(self.x_numbers))
        self.play(FadeIn(equals), FadeIn(self.h_name),
                  FadeIn(self.h_col, target_position=self.w_in, scale=0.5), run_time=self.cue_left(1.0))
        # one row times the vector, entry by entry, summed
        ring = self.row_box(self.w_in, j, self.m)
        h_ring = self.row_box(self.h_col, j, self.m)
        left = 0.2
        cell = 5.2 / self.d
        row = strip(self.ledger.array(("W_in", l))[:, j][None, :], float(np.abs(self.ledger.array(("W_in", l))[:, j]).max()), 0.32, cell)
        xt = strip(self.ledger.array(("resid_mid", l), self.last)[None, :], self.scale, 0.32, cell)
        prod = strip(self.ledger.array("mlp.example_products")[None, :], float(np.abs(self.ledger.array("mlp.example_products")).max()), 0.32, cell)
        for k, part in enumerate((row, xt, prod)):
            part.move_to([left + 2.6 + 0.45, 1.5 - 0.62 * k, 0])
        names_ = [eq(r"w_{" + "j" + "}", font_size=28), eq("x", font_size=28), eq(r"w_j \odot x", font_size=28)]
        for name, part in zip(names_, (row, xt, prod)):
            name.next_to(part, LEFT, buff=0.2)
        neuron = VGroup(self.words("neuron", font_size=palette.SMALL_SIZE, color=palette.HIGHLIGHT),
                        self.ledger.integer("mlp.example", font_size=palette.LABEL_SIZE, color=palette.HIGHLIGHT)).arrange(RIGHT, buff=0.12)
        neuron.next_to(row, UP, buff=0.15).align_to(row, LEFT)
        # to three places, where the shown parts add up to the shown value (to two, 2.82 - 0.24 is not 2.59)
        total = eq(r"\textstyle\sum =", self.shown("mlp.example_dot", None, VALUE3), r"\quad + b_j =",
                   self.shown(("b_in", l), j, VALUE3), r"\quad h_j =", self.shown(("mlp_pre", l), (self.last, j), VALUE3),
                   font_size=30).next_to(prod, DOWN, buff=0.4).align_to(names_[2], LEFT)
        self.say("row", about=[ring, row, xt, total], j=self.shown("mlp.example"), h=self.shown(("mlp_pre", l), (self.last, j), VALUE3))
        self.play(Create(ring), FadeIn(neuron))
        self.play(FadeIn(row, target_position=ring, scale=0.5), FadeIn(names_[0]),
                  FadeIn(xt, target_position=self.x_col, scale=0.5), FadeIn(names_[1]), run_time=1.0)
        self.play(FadeIn(prod, shift=DOWN * 0.3), FadeIn(names_[2]), run_time=0.8)
        self.play(Write(total), run_time=1.0)
        self.play(Create(h_ring), Indicate(total[-1], color=palette.HIGHLIGHT), run_time=self.cue_left(1.0))
        self.detail = Group(row, xt, prod, *names_, neuron, total)
        self.rings = VGroup(ring, h_ring)
        self.eq_parts = Group(w_name, shape, equals)

    def relu(self):
        self.play(FadeOut(self.detail), FadeOut(self.rings[0]), run_time=0.5)
        r = self.hscale * 1.05
        axes = Axes(x_range=[-r, r, r], y_range=[-0.35 * r, r, r], x_length=5.0, y_length=3.4,
                    axis_config={"color": palette.MUTED, "include_ticks": False, "stroke_width": 2}, tips=False)
        axes.move_to([3.4, self.Y + 0.2, 0])
        x_label = eq("h", font_size=28).next_to(axes.x_axis.get_right(), DOWN, buff=0.12)
        y_label = eq(r"\mathrm{ReLU}(h) = \max(0, h)", font_size=28).next_to(axes.y_axis.get_top(), LEFT, buff=0.15)
        graph = VGroup(Line(axes.c2p(-r, 0), axes.c2p(0, 0)), Line(axes.c2p(0, 0), axes.c2p(r, r))).set_stroke(palette.HIGHLIGHT, 3)
        ident = DashedLine(axes.c2p(-0.35 * r, -0.35 * r), axes.c2p(0, 0), stroke_width=1.5, color=palette.FAINT)
        dots = VGroup(*(Dot(axes.c2p(float(v), max(float(v), -0.35 * r)), radius=0.035,
                            color=palette.POSITIVE if v > 0 else palette.NEGATIVE) for v in self.pre))
        self.say("relu", about=[axes, graph, dots])
        self.play(Create(axes), FadeIn(x_label), Write(y_label), Create(ident))
        self.play(Create(graph), run_time=0.8)
        self.play(LaggedStart(*(FadeIn(d) for d in dots), lag_ratio=0.004), run_time=1.0)
        clamp = [d.animate.move_to(axes.c2p(float(v), 0)) for d, v in zip(dots, self.pre) if v <= 0]
        post_col = strip(self.post, self.hscale, self.TALL, 0.26).move_to(self.h_col)
        self.play(*clamp, Transform(self.h_col, post_col), run_time=self.cue_left(1.5))
        post_name = eq(r"\mathrm{ReLU}(h)", font_size=26).move_to(self.h_name)
        self.play(Transform(self.h_name, post_name), run_time=0.5)
        count = eq(self.shown("mlp.active"), "/", self.shown("d_mlp"), font_size=32, color=palette.HIGHLIGHT)
        count.next_to(axes.c2p(r, 0), UP, buff=0.2).shift(LEFT * 0.6)
        self.say("active", about=[count, dots], k=self.shown("mlp.active"), m=self.shown("d_mlp"))
        active = VGroup(*(d for d, v in zip(dots, self.pre) if v > 0))
        self.play(FadeIn(count), Indicate(active, color=palette.HIGHLIGHT, scale_factor=1.6), run_time=self.cue_left(1.0))
        self.relu_parts = Group(axes, x_label, y_label, graph, ident, dots, count)

    def down(self):
        l = self.layer
        self.play(FadeOut(self.relu_parts), FadeOut(self.w_in), FadeOut(self.eq_parts), FadeOut(self.rings[1]),
                  FadeOut(self.x_parts), run_time=0.6)
        h_col, h_name = self.h_col, self.h_name
        self.play(Group(h_col, h_name).animate.move_to([-2.6, self.Y + 0.2, 0]), run_time=0.6)
        w_out = self.ledger.array(("W_out", l))  # [d_mlp, d_model]: drawn as W_out^T, [d_model, d_mlp]
        w_img = strip(w_out.T, float(np.percentile(np.abs(w_out), 98)), self.WIDE, self.TALL / self.m)
        w_img.next_to(h_col, LEFT, buff=0.3).set_y(self.Y)
        w_name = eq("W_{out}", font_size=30).next_to(w_img, UP, buff=0.15)
        shape = eq(self.shown("d_model"), r"\times", self.shown("d_mlp"), font_size=24, color=palette.MUTED).next_to(w_img, DOWN, buff=0.15)
        at = h_col.get_right()[0]
        delta = strip(self.out, self.scale, self.WIDE, 0.26).move_to([at + 0.95, self.Y, 0])
        eq1 = eq("=", font_size=36).move_to([(at + delta.get_left()[0]) / 2, self.Y, 0])
        d_name = eq(r"\Delta x", font_size=30).next_to(delta, UP, buff=0.15)
        self.say("down", about=[w_img, h_col, delta], d=self.shown("d_model"))
        self.play(FadeIn(w_img), FadeIn(w_name), FadeIn(shape))
        self.play(FadeIn(eq1), FadeIn(delta, target_position=w_img, scale=0.5), FadeIn(d_name), run_time=self.cue_left(1.0))
        # x + Δx, the real vectors
        x = strip(self.ledger.array(("resid_mid", l), self.last), self.scale, self.WIDE, 0.26).move_to([1.25, self.Y, 0])
        d2 = delta.copy().move_to([2.45, self.Y, 0])
        new = strip(self.ledger.array(("resid_post", l), self.last), self.scale, self.WIDE, 0.26).move_to([3.65, self.Y, 0])
        plus = eq("+", font_size=36).move_to([1.85, self.Y, 0])
        eq2 = eq("=", font_size=36).move_to([3.05, self.Y, 0])
        labels = [eq("x", font_size=30), eq(r"\Delta x", font_size=30), eq(r"x + \Delta x", font_size=30)]
        for label, part in zip(labels, (x, d2, new)):
            label.next_to(part, UP, buff=0.15)
        numbers = number_column(self.ledger, ("resid_post", l), (self.last,), self.d, font_size=23, buff=0.12)
        numbers.next_to(new, RIGHT, buff=0.3)
        self.say("add", about=[x, d2, new, numbers])
        self.play(FadeIn(x), FadeIn(labels[0]), TransformFromCopy(d_name, labels[1]),
                  FadeIn(d2, target_position=delta), FadeIn(plus), run_time=1.0)
        parts = [x.copy(), d2.copy()]
        self.play(FadeIn(eq2), *(p.animate.move_to(new).set_opacity(0) for p in parts), FadeIn(new), FadeIn(labels[2]),
                  run_time=1.0)
        self.remove(*parts)
        self.play(FadeIn(numbers), Indicate(new, color=palette.HIGHLIGHT), run_time=self.cue_left(1.0))
        self.wait(1)


class Unembedding(ChapterScene):
    """The last vector times W_U gives real logits; softmax gives the next-word probabilities."""

    estimated_seconds = 32.0
    steps = ("vector", "unembed", "softmax")

    def vector(self):
        n = self.n_tokens()
        last = n - 1
        layers = self.dim("n_layers")
        d, self.v = self.dim("d_model"), self.dim("n_vocab")
        self.top = [int(i) for i in self.ledger.array("top")]
        title = self.heading()
        # the stream as it leaves the last block, every token's vector; the last one is read out
        stream = self.ledger.array(("resid_post", layers - 1))  # [n, d_model]
        cell = min(0.3, 3.0 / n)
        picture = strip(stream.T, float(np.percentile(np.abs(stream), 98)), 3.2, cell).move_to(LEFT * 2.2 + DOWN * 0.5)
        words = VGroup()
        for i in range(n):
            words.add(turned(self.token(i, font_size=16)).next_to(picture, UP, buff=0.1).set_x(picture.get_left()[0] + cell * (i + 0.5)))
        for w in words:
            w.align_to(words, DOWN)
        column_box = Rectangle(width=cell, height=picture.height, stroke_color=palette.HIGHLIGHT, stroke_width=3)
        column_box.move_to([picture.get_left()[0] + cell * (last + 0.5), picture.get_y(), 0])
        self.column = number_column(self.ledger, ("resid_post", layers - 1), (last,), d, font_size=22, buff=0.15)
        self.column.move_to(LEFT * 6.0 + DOWN * 0.3)
        word = self.token(last, font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(self.column, UP, buff=0.2)
        out = Group(self.column, word)
        home = out.get_center()
        out.scale(1.3).next_to(picture, RIGHT, buff=1.4)
        link = Arrow(column_box.get_right(), self.column.get_left(), buff=0.15, stroke_width=3, color=palette.HIGHLIGHT)
        self.say("vector", about=[picture, self.column])
        self.play(FadeIn(title), FadeIn(picture), FadeIn(words))
        self.play(Create(column_box), run_time=0.6)
        self.play(GrowArrow(link), FadeIn(self.column, target_position=column_box, scale=0.4), FadeIn(word), run_time=1.0)
        self.play(sweep([word, *self.column[0]]), run_time=max(1.0, self.cue_left(1.0) - 1.0))
        self.play(FadeOut(picture), FadeOut(words), FadeOut(column_box), FadeOut(link),
                  out.animate.scale(1 / 1.3).move_to(home), run_time=1.0)

    def unembed(self):
        top = self.top
        w_u = self.ledger.array("W_U")  # [d_model, vocab]: drawn with a row per word, as W_U x computes
        height = 3.6
        matrix = strip(w_u.T, float(np.abs(w_u).max()), height=height, width=height / self.v).move_to(
            LEFT * 3.4 + DOWN * 0.3
        )
        m_label = eq(
            "W_U", r"\in \mathbb{R}^{", self.shown("n_vocab"), r"\times", self.shown("d_model"), "}", font_size=26
        ).next_to(matrix, DOWN, buff=0.2)
        self.logit_rows = rows = VGroup()
        cells = []
        for j in range(len(top)):
            cells += [self.word("top", j, font_size=22), self.ledger.number("logits", top[j], decimals=2, font_size=24)]
        grid = VGroup(*cells).arrange_in_grid(cols=2, buff=(0.3, 0.2), col_alignments="rr")
        for j in range(len(top)):
            rows.add(VGroup(grid[2 * j], grid[2 * j + 1]))
        dots = eq(r"\vdots", font_size=24, color=palette.MUTED).next_to(grid, DOWN, buff=0.15).align_to(grid, RIGHT)
        rows.add(dots)
        logits_title = VGroup(self.words("logits_label", font_size=24), eq(r"z = W_U\, x", font_size=30)).arrange(
            RIGHT, buff=0.2
        )
        VGroup(logits_title, rows).arrange(DOWN, buff=0.3).move_to(LEFT * 0.2 + DOWN * 0.2)
        arrow = Arrow(self.column.get_right(), matrix.get_left(), buff=0.2, stroke_width=3, color=palette.MUTED)
        arrow2 = Arrow(matrix.get_right(), rows.get_left(), buff=0.2, stroke_width=3, color=palette.MUTED)
        self.say("unembed", about=[matrix, m_label])
        self.play(GrowFromEdge(arrow, LEFT), FadeIn(matrix), Write(m_label))
        self.play(GrowFromEdge(arrow2, LEFT), FadeIn(logits_title))
        cell_h = height / self.v
        row_of = lambda i: Rectangle(width=matrix.width, height=cell_h, stroke_width=0).move_to(
            [matrix.get_x(), matrix.get_top()[1] - cell_h * (i + 0.5), 0]
        )
        self.play(sweep([row_of(i) for i in range(0, self.v, max(1, self.v // 12))], buff=0.02), run_time=self.cue_left(1.0))
        self.say("logits", about=[*rows], v=self.shown("n_vocab"))
        self.play(LaggedStart(*(FadeIn(r) for r in rows), lag_ratio=0.1), run_time=1.5)
        # the winner's row of W_U, with the vector it meets, gives the top logit
        ring = frame_around([row_of(top[0])], buff=0.03)
        link = Line(ring.get_right(), rows[0].get_left() + LEFT * 0.1, color=palette.HIGHLIGHT, stroke_width=2)
        pair = VGroup(frame_around(self.column, buff=0.08), ring, link, frame_around(rows[0], buff=0.06))
        self.say(
            "top_row", about=[self.column, matrix, rows[0]],
            w=self.spelled_at("top", 0), z=self.shown("logits", top[0], VALUE),
        )
        self.play(Create(pair[0]), Create(pair[1]), run_time=1.0)
        self.play(Create(pair[2]), Create(pair[3]), run_time=1.0)
        self.play(Indicate(rows[0], color=palette.HIGHLIGHT, scale_factor=1.1), run_time=self.cue_left(1.0))
        self.play(FadeOut(pair), run_time=0.4)

    def softmax(self):
        top, k = self.top, len(self.top)
        probs = self.ledger.array("probs")
        bars = (
            Bars(
                np.array([probs[i] for i in top]),
                [self.word("top", j, font_size=22) for j in range(k)],
                [self.ledger.number("probs", top[j], decimals=2, font_size=22) for j in range(k)],
                length=2.4,
                row_height=0.5,
            )
            .to_edge(RIGHT, buff=0.9)
            .align_to(self.logit_rows, UP)
        )
        for j in range(k):  # each word's probability on its logit's line, at its bar's end
            bars.row(j).set_y(self.logit_rows[j].get_y())
            bars.numbers[j].next_to(bars.bars[j], RIGHT, buff=0.15)
        formula = eq(r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}", font_size=34).next_to(bars, UP, buff=0.4)
        self.say("softmax", about=[formula, bars.labels, bars.numbers])
        self.play(Write(formula))
        self.play(
            LaggedStart(*(GrowFromEdge(b, LEFT) for b in bars.bars), lag_ratio=0.1),
            FadeIn(bars.labels),
            FadeIn(bars.numbers),
            run_time=2,
        )
        self.play(sweep([[self.logit_rows[j], bars.row(j)] for j in range(k)]), run_time=self.cue_left(1.0))
        self.say("bars", about=[bars.labels, bars.numbers], w=self.spelled_at("top", 0), p=self.shown("probs", top[0], VALUE))
        winner = frame_around(bars.row(0), buff=0.08)
        self.play(Create(winner), bars.labels[0].animate.set_color(palette.HIGHLIGHT), run_time=1.0)
        self.play(Indicate(bars.row(0), color=palette.HIGHLIGHT, scale_factor=1.05), run_time=self.cue_left(1.0))


class Temperature(ChapterScene):
    """Bars follow softmax(logits / T) as T sweeps; then sampled continuations at two temperatures, and how
    many of a thousand samples at each keep to the grammar."""

    estimated_seconds = 45.0
    steps = ("formula", "cold", "hot", "back", "sample")
    BAR_LENGTH = 4.5
    BARS_LEFT, BARS_TOP = -1.0, 1.25  # where the first bar starts

    def formula(self):
        self.grid = self.ledger.array("temperature.grid")
        self.top = [int(i) for i in self.ledger.array("top")]
        k = len(self.top)
        self.middle = int(np.argmin(np.abs(np.log(self.grid))))
        self.coldest, self.hottest = 0, len(self.grid) - 1

        title = self.heading()
        self.equation = eq(r"p_i = \frac{e^{z_i / T}}{\sum_j e^{z_j / T}}", font_size=38).next_to(title, DOWN, buff=0.3)
        self.track = Line(LEFT * 4, RIGHT * 4, color=palette.MUTED, stroke_width=3).shift(DOWN * 3.1)
        self.ticks = VGroup()
        for t, decimals in ((0.01, 2), (0.1, 1), (1.0, 0), (10.0, 0)):
            mark = Line(UP * 0.1, DOWN * 0.1, color=palette.MUTED).move_to([self.x_of(t), self.track.get_y(), 0])
            self.ticks.add(mark, self.ledger.tick(t, decimals=decimals, font_size=22).next_to(mark, DOWN, buff=0.1))
        self.slider_name = self.words("slider", font_size=palette.SMALL_SIZE, color=palette.MUTED).next_to(
            self.track, LEFT, buff=0.3
        )
        labels = [self.word("top", j, font_size=24) for j in range(k)] + [
            self.words("each_other", n=self.shown("temperature.others"), font_size=22, color=palette.MUTED)
        ]
        self.layout = Bars(np.full(k + 1, 1.0), labels, None, length=self.BAR_LENGTH, row_height=0.45)
        self.layout.shift(
            [self.BARS_LEFT - self.layout.bars[0].get_left()[0], self.BARS_TOP - self.layout.bars[0].get_top()[1], 0]
        )
        # the other words' row stands apart, under a rule: one word's share on average, not their sum
        self.layout.labels[k].shift(DOWN * 0.3)
        self.layout.bars[k].shift(DOWN * 0.3)
        left = self.layout.bars[0].get_left()[0]
        self.rule = DashedLine(
            [left - 3.2, self.layout.bars[k].get_top()[1] + 0.17, 0],
            [left + self.BAR_LENGTH, self.layout.bars[k].get_top()[1] + 0.17, 0],
            color=palette.FAINT, stroke_width=1.5,
        )
        even_x = left + self.BAR_LENGTH * self.ledger.value("temperature.even")
        top_y, bottom_y = self.layout.bars[0].get_top()[1] + 0.1, self.layout.bars[k].get_bottom()[1] - 0.05
        self.even_line = DashedLine([even_x, top_y, 0], [even_x, bottom_y, 0], color=palette.HIGHLIGHT, stroke_width=2)
        self.even_label = self.words(
            "even", e=self.shown("temperature.even", spec=VALUE), font_size=20, color=palette.HIGHLIGHT
        ).next_to(self.even_line, UP, buff=0.08)
        self.even_label.align_to(self.even_line, LEFT).shift(LEFT * 0.1)
        self.marker = Triangle(color=palette.HIGHLIGHT, fill_opacity=1).scale(0.12).rotate(np.pi)
        self.now = self.state(self.middle)
        self.say("formula", about=[self.equation, self.layout.labels, self.now])
        self.play(FadeIn(title), Write(self.equation))
        self.play(
            FadeIn(self.layout.labels),
            FadeIn(self.now),
            Create(self.rule),
            Create(self.track),
            FadeIn(self.ticks),
            FadeIn(self.slider_name),
        )
        self.play(sweep([self.equation[0], self.track]), run_time=self.cue_left(1.0))

    def cold(self):
        coldest = self.coldest
        self.say(
            "cold", about=[self.track, self.layout.labels],
            t=self.shown("temperature.grid", coldest, HUNDREDTH),
            w=self.spelled_at("top", 0),
            p=self.shown("temperature.probs", (coldest, 0), VALUE),
            other=self.spelled_at("top", 1),
            other_p=self.shown("temperature.probs", (coldest, 1), VALUE),
        )
        self.sweep(range(self.middle - 1, coldest - 1, -1), share=0.8)
        self.play(sweep([[self.layout.labels[0], self.now[0][0]], [self.layout.labels[1], self.now[0][1]]]), run_time=self.cue_left(1.0))

    def hot(self):
        hottest = self.hottest
        self.say(
            "hot", about=[self.track, self.layout.labels, self.even_line, self.even_label],
            t=self.shown("temperature.grid", hottest, HUNDREDTH),
            e=self.shown("temperature.even", spec=VALUE),
            q=self.shown("temperature.rest_each", hottest, VALUE),
            n=self.shown("temperature.others"),
            p=self.shown("temperature.rest", hottest, VALUE),
        )
        self.play(Create(self.even_line), FadeIn(self.even_label))
        self.sweep(range(self.coldest + 1, hottest + 1), share=0.85)
        self.play(sweep([self.now[0][-1][:2], self.now[0][-1][2], self.even_label]), run_time=self.cue_left(1.0))

    def back(self):
        self.say("back", about=[self.track, self.layout.labels])
        self.sweep(range(self.hottest - 1, self.middle - 1, -1), share=1.0)

    def sample(self):
        self.play(
            *(FadeOut(m) for m in (self.now, self.layout.labels, self.track, self.ticks, self.slider_name,
                                   self.equation, self.rule, self.even_line, self.even_label)),
        )
        prompt = VGroup(*(self.token(i, font_size=24, color=palette.MUTED) for i in range(self.n_tokens()))).arrange(
            RIGHT, buff=0.16
        )
        prompt_line = VGroup(self.words("prompt_label", font_size=26, color=palette.MUTED), prompt).arrange(
            RIGHT, buff=0.3
        )
        grammar = "sample.0.share" in self.facts
        blocks = [self.sample_line(s, grammar) for s in (0, 1)]
        lines = VGroup(prompt_line, *blocks).arrange(DOWN, buff=0.55, aligned_edge=LEFT).move_to(DOWN * 0.2)
        if lines.width > 13.0:
            lines.scale_to_fit_width(13.0)
        cold_t, hot_t = (self.ledger.shown(f"sample.{s}.T", spec=TENTH) for s in (0, 1))
        self.say("sample", about=[prompt_line, blocks[0][0]], t=cold_t)
        self.play(FadeIn(prompt_line))
        self.write_line(blocks[0])
        self.say("sample_hot", about=[blocks[1][0]], t=hot_t)
        self.write_line(blocks[1])
        if grammar:
            shares = [block[1] for block in blocks]
            self.say(
                "shares", about=shares,
                n=self.shown("sample.count"),
                low=self.shown("sample.0.share", spec=PERCENT), t_low=cold_t,
                high=self.shown("sample.1.share", spec=PERCENT), t_high=hot_t,
            )
            self.play(FadeIn(shares[0], shift=UP * 0.1))
            self.play(FadeIn(shares[1], shift=UP * 0.1))
            self.play(sweep(shares), run_time=self.cue_left(1.0))

    def write_line(self, block: VGroup) -> None:
        """A sampled line appearing as it was made: its label, then one word at a time, each appended."""
        line = block[0]
        self.play(FadeIn(line[0]), run_time=0.5)
        words = line[1]
        each = max(0.25, (self.cue_left(1.0) - 0.5) / len(words))
        cursor = Rectangle(width=0.05, height=0.32, stroke_width=0).set_fill(palette.HIGHLIGHT, opacity=0.9)
        for word in words:
            cursor.next_to(word, RIGHT, buff=0.06)
            self.play(FadeIn(word, shift=RIGHT * 0.1), FadeIn(cursor), run_time=each)
        self.play(FadeOut(cursor), run_time=0.3)

    def x_of(self, t: float) -> float:
        """Where temperature t lies on the slider's track (a log scale over the grid)."""
        lo, hi = np.log10(self.grid[0]), np.log10(self.grid[-1])
        return self.track.get_left()[0] + (np.log10(t) - lo) / (hi - lo) * self.track.width

    def state(self, g: int) -> VGroup:
        """The bars, their numbers, the T readout and the slider's marker at grid stop g: the top words'
        probabilities, and each other word's on average (under the rule), each number at its bar's end."""
        k = len(self.top)
        values = list(self.ledger.array("temperature.probs", g)) + [self.ledger.value("temperature.rest_each", g)]
        rows = VGroup()
        for j, value in enumerate(values):
            slot = self.layout.bars[j]
            bar = Rectangle(width=max(self.BAR_LENGTH * value, 1e-3), height=slot.height, stroke_width=0)
            bar.set_fill(palette.POSITIVE if j < k else palette.MUTED, opacity=0.9)
            bar.move_to(slot.get_left(), aligned_edge=LEFT)
            key, index = ("temperature.probs", (g, j)) if j < k else ("temperature.rest_each", g)
            number = self.ledger.number(key, index, decimals=2, font_size=22)
            number.next_to(bar, RIGHT, buff=0.15)
            row = VGroup(bar, number)
            if j == k:  # and what they hold together, beside it
                together = VGroup(
                    self.words("together", n=self.shown("temperature.others"), font_size=20, color=palette.MUTED),
                    self.ledger.number("temperature.rest", g, decimals=2, font_size=22, color=palette.MUTED),
                ).arrange(RIGHT, buff=0.12)
                row.add(together.next_to(slot.get_left() + RIGHT * self.BAR_LENGTH, RIGHT, buff=0.3).set_y(slot.get_y()))
            rows.add(row)
        where = self.marker.copy().move_to([self.x_of(self.grid[g]), self.track.get_y() + 0.2, 0])
        readout = VGroup(
            eq("T =", font_size=30, color=palette.HIGHLIGHT),
            self.ledger.number("temperature.grid", g, decimals=2, font_size=30, color=palette.HIGHLIGHT),
        )
        readout.arrange(RIGHT, buff=0.12).next_to(where, UP, buff=0.1)
        return VGroup(rows, readout, where)

    def sweep(self, indices, share: float = 1.0) -> None:
        """Step the slider through grid stops over ``share`` of what is left of the cue: every frame shows
        one stop's exact bars, none in between."""
        indices = list(indices)
        each = max(0.15, share * self.cue_left(1.0) / len(indices))
        for g in indices:
            self.remove(self.now)
            self.now = self.state(g)
            self.add(self.now)
            self.point_at(self.now)
            self.wait(each)

    def sample_line(self, s: int, grammar: bool) -> VGroup:
        """'T = t:' and the words sampled after the prompt at that temperature (in red from the first word
        that leaves the grammar), and under it how many of the samples at that temperature keep to it."""
        key = "sample_low" if s == 0 else "sample_high"
        label = self.words(key, t=self.ledger.shown(f"sample.{s}.T", spec=TENTH), font_size=26, color=palette.HIGHLIGHT)
        n_new = len(self.facts[f"sample.{s}.tokens"])
        ok = [True] * n_new
        if grammar:
            ok = [bool(self.ledger.value(f"sample.{s}.grammatical", j)) for j in range(n_new)]
        new = VGroup(
            *(
                self.word(f"sample.{s}.tokens", j, font_size=24, color=palette.POSITIVE if ok[j] else palette.NEGATIVE)
                for j in range(n_new)
            )
        ).arrange(RIGHT, buff=0.16)
        line = VGroup(label, new).arrange(RIGHT, buff=0.3)
        if not grammar:
            return VGroup(line)
        share = self.words(
            "share", p=self.shown(f"sample.{s}.share", spec=PERCENT), n=self.shown("sample.count"),
            font_size=22, color=palette.HIGHLIGHT,
        )
        share.next_to(line, DOWN, buff=0.2).align_to(new, LEFT)
        return VGroup(line, share)


class ParameterCount(ChapterScene):
    """The parameters counted from the model, block by block, then the same count at GPT-3's sizes."""

    estimated_seconds = 30.0
    steps = ("count", "total", "scale")

    def count(self):
        layers = self.dim("n_layers")
        self.title = title = self.heading()
        d, shown = self.shown("d_model"), self.shown
        rows = [
            (
                self.words("embed", font_size=26),
                eq(r"W_E:\ ", d, r"\times", shown("n_vocab"), font_size=30),
                "params.W_E",
            ),
            (
                self.words("pos", font_size=26),
                eq(r"W_{pos}:\ ", d, r"\times", shown("n_ctx"), font_size=30),
                "params.W_pos",
            ),
        ]
        for l in range(layers):
            number = self.layer_number(l)
            heads = eq(
                r"W_Q, W_K, W_V, W_O:\ ", shown("count.attn_matrices"), r"\times", shown("n_heads"), r"\times", d,
                r"\times", shown("d_head"), font_size=30,
            )
            m = shown("d_mlp")
            mlp = eq(
                r"W_{in}, b_{in}, W_{out}, b_{out}:\ ", d, r"\times", m, "+", m, "+", m, r"\times", d, "+", d,
                font_size=30,
            )
            rows.append((self.words("attn", l=number, font_size=26), heads, f"params.blocks.{l}.attn"))
            rows.append((self.words("mlp", l=number, font_size=26), mlp, f"params.blocks.{l}.mlp"))
        rows.append(
            (
                self.words("unembed", font_size=26),
                eq(r"W_U:\ ", shown("n_vocab"), r"\times", d, font_size=30),
                "params.W_U",
            )
        )
        cells = []
        for name, how, key in rows:
            cells += [name, how.set_color(palette.MUTED), eq(self.shown(key), font_size=34)]
        self.table = VGroup(*cells).arrange_in_grid(cols=3, buff=(0.7, 0.28), col_alignments="llr")
        self.table.next_to(title, DOWN, buff=0.45).set_x(0)
        if self.table.height > 5.4:
            self.table.scale_to_fit_height(5.4).next_to(title, DOWN, buff=0.4)
        if self.table.width > 12.6:
            self.table.scale_to_fit_width(12.6).next_to(title, DOWN, buff=0.4).set_x(0)
        self.rows = [cells[3 * r : 3 * r + 3] for r in range(len(rows))]
        self.say("intro", about=[*cells])
        self.play(FadeIn(title))
        for r in range(len(rows)):
            self.play(LaggedStart(*(FadeIn(c) for c in cells[3 * r : 3 * r + 3]), lag_ratio=0.2), run_time=0.9)

    def total(self):
        table = self.table
        rule = Line(table.get_corner(DOWN + LEFT), table.get_corner(DOWN + RIGHT), color=palette.MUTED).shift(
            DOWN * 0.2
        )
        total = VGroup(
            self.words("total_label", font_size=palette.BODY_SIZE),
            eq(self.shown("params.total"), font_size=44, color=palette.HIGHLIGHT),
        ).arrange(RIGHT, buff=0.4)
        total.next_to(rule, DOWN, buff=0.25).align_to(table, RIGHT)
        self.say("total", about=[total], n=self.shown("params.total"))
        self.play(Create(rule), Write(total))
        # the total is the rows' counts added up: light each count in turn, then the sum
        counts = [row[2] for row in self.rows]
        self.play(sweep([*counts, total[1]]), run_time=self.cue_left(1.0))

    def scale(self):
        shown, generation = self.shown, self.shown("gpt3.generation")
        size = 34
        rows = [
            (eq(r"d_{model}", font_size=size), eq(shown("d_model"), font_size=size), eq(shown("gpt3.d_model"), font_size=size)),
            (eq(r"n_{layers}", font_size=size), eq(shown("n_layers"), font_size=size), eq(shown("gpt3.n_layers"), font_size=size)),
            (
                eq(r"n_{heads} \times d_{head}", font_size=size),
                eq(shown("n_heads"), r"\times", shown("d_head"), font_size=size),
                eq(shown("gpt3.n_heads"), r"\times", shown("gpt3.d_head"), font_size=size),
            ),
            (eq(r"n_{vocab}", font_size=size), eq(shown("n_vocab"), font_size=size), eq(shown("gpt3.n_vocab"), font_size=size)),
            (
                self.words("attn_block", font_size=28),
                eq(shown("params.blocks.0.attn"), font_size=size),
                eq(shown("gpt3.params.attn"), font_size=size),
            ),
            (
                self.words("mlp_block", font_size=28),
                eq(shown("params.blocks.0.mlp"), font_size=size),
                eq(shown("gpt3.params.mlp"), font_size=size),
            ),
            (
                self.words("total_label", font_size=28),
                eq(shown("params.total"), font_size=40),
                eq(shown("gpt3.params.total"), font_size=40, color=palette.HIGHLIGHT),
            ),
        ]
        header = (VGroup(), self.words("col_tiny", font_size=28), self.words("col_gpt3", g=generation, font_size=28))
        cells = [cell for row in (header, *rows) for cell in row]
        for cell in cells[::3]:
            cell.set_color(palette.MUTED)
        table = VGroup(*cells).arrange_in_grid(cols=3, buff=(1.1, 0.3), col_alignments="lrr")
        table.next_to(self.title, DOWN, buff=0.4).set_x(0)
        source = self.words("source", g=generation, font_size=22).set_color(palette.MUTED)
        source.next_to(table, DOWN, buff=0.4)
        ours, theirs = cells[1::3], cells[2::3]
        self.say("scale", about=[*ours, *theirs[:-1]], g=generation, layers=shown("gpt3.n_layers"), d=shown("gpt3.d_model"))
        leaving = [m for m in self.mobjects if m is not self.title]
        self.play(*(FadeOut(m) for m in leaving), FadeIn(VGroup(*cells[::3], *ours)), run_time=1.2)
        self.play(LaggedStart(*(FadeIn(c, shift=LEFT * 0.3) for c in theirs[:-1]), lag_ratio=0.3), run_time=2.4)
        self.say("scale_total", about=[theirs[-1], ours[-1]], g=generation, n=shown("gpt3.params.total"))
        self.play(Write(theirs[-1]), run_time=1.5)
        self.play(Indicate(theirs[-1], color=palette.HIGHLIGHT))
        self.say("scale_note", about=[source, theirs[4], theirs[5], ours[-1]], g=generation)
        self.play(FadeIn(source))
        # one of its blocks (attention and MLP) against this whole model
        self.play(sweep([source, [theirs[4], theirs[5]], ours[-1], [theirs[4], theirs[5]]]), run_time=self.cue_left(1.0))


SCENES = [NextWord, Tokens, EmbeddingSpace, Residual, MLPBlock, Unembedding, Temperature, ParameterCount]
