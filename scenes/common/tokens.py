"""Tokens and vectors on screen, for the transformer chapters.

A token is drawn as the vocabulary word of a token id read through the ledger
(the word is the network's own, so it comes from the facts, not the catalog).
A vector is a bracketed column of ledger numbers with ⋮ for the entries left
out, or a strip of coloured cells, one per entry. :class:`TokenScene` is the
base of both chapters' scenes: the prompt, its tokens and the model's sizes.

Examples
--------
::

    class Prompt(TokenScene):
        chapter = "gpt"
        steps = ("prompt",)

        def prompt(self):
            words = [self.token(i) for i in range(self.n_tokens())]
            column = number_column(self.ledger, "W_E", (self.token_id(0),), self.dim("d_model"))
            self.add(token_row(words), column)
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, RIGHT, Mobject, RoundedRectangle, Text, VGroup

from netreel.nets import names
from netreel.scenes.common import palette
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.formats import COUNT
from netreel.scenes.common.ledger import Ledger, Shown, tag
from netreel.scenes.common.mobjects import brackets, pixel_image
from netreel.scenes.common.text import eq


def token_word(
    ledger: Ledger, vocab: list[str], key: str, index=None, font_size: float = palette.LABEL_SIZE, **kwargs
) -> Text:
    """The word of the token id at ``key[index]`` (the id and its word go through the ledger)."""
    kwargs.setdefault("color", palette.TEXT)
    word = ledger.token(vocab, key, index)
    return tag(Text(str(word), font=palette.font("en"), font_size=font_size, **kwargs), "token", (key, index))


def token_box(word: Mobject, pad: float = 0.12, color=palette.MUTED) -> VGroup:
    """A word in a rounded box, the series' picture of a token."""
    height = max(word.height, 0.22) + 2 * pad
    width = word.width + 2 * pad
    box = RoundedRectangle(corner_radius=0.08, width=width, height=height, stroke_color=color, stroke_width=2)
    box.move_to(word)
    return VGroup(box, word)


def token_row(words: list[Mobject], buff: float = 0.15) -> VGroup:
    """Boxed words side by side, centred vertically on one line."""
    boxes = [token_box(w) for w in words]
    height = max(b[0].height for b in boxes)
    for b in boxes:
        b[0].stretch_to_fit_height(height)
    return VGroup(*boxes).arrange(RIGHT, buff=buff)


def shown_entries(n: int, head: int = 4, tail: int = 1) -> list[int | None]:
    """Which entries of an n-vector a column shows: the first ``head``, None for ⋮, the last ``tail``."""
    if n <= head + tail + 1:
        return list(range(n))
    return list(range(head)) + [None] + list(range(n - tail, n))


def number_column(
    ledger: Ledger, key: names.Key, prefix: tuple = (), n: int | None = None, head: int = 4, tail: int = 1,
    decimals: int = 2, font_size: float = palette.SMALL_SIZE, buff: float = 0.12,
) -> VGroup:
    """A vector ``key[prefix + (i,)]`` as a bracketed column of ledger numbers, ⋮ where entries are left out.

    ``n`` is the vector's length (read from the facts when omitted).
    """
    n = ledger.facts[key][prefix].shape[-1] if n is None else n
    entries = VGroup()
    for i in shown_entries(n, head, tail):
        if i is None:
            entries.add(eq(r"\vdots", font_size=font_size, color=palette.MUTED))
        else:
            entries.add(ledger.number(key, prefix + (i,), decimals=decimals, font_size=font_size))
    entries.arrange(DOWN, buff=buff)
    return VGroup(entries, brackets(entries, buff=0.08, tip=0.08))


def strip(values: np.ndarray, scale: float, height: float, width: float = 0.22) -> Mobject:
    """A vector as a column of cells, blue positive and red negative, ``scale`` mapping to full colour.

    A 2-D array [rows, columns] draws as a matrix of cells.
    """
    values = np.asarray(values, dtype=np.float64)
    grid = values[:, None] if values.ndim == 1 else values
    image = pixel_image(palette.signed_image(grid, scale), height=height)
    image.stretch_to_fit_width(width * grid.shape[1])
    return image


def weight_image(values: np.ndarray, height: float, width: float | None = None) -> Mobject:
    """Weights in [0, 1] (an attention pattern) as grey cells: black 0, white 1."""
    image = pixel_image(palette.grey_image(values), height=height)
    if width is not None:
        image.stretch_to_fit_width(width)
    return image


class TokenScene(NetScene):
    """A scene of the transformer: the prompt's tokens and the model's sizes, read through the ledger."""

    @property
    def vocab(self) -> list[str]:
        return self.facts.meta["vocab"]

    def n_tokens(self) -> int:
        return int(self.ledger.value("prompt.length"))

    def dim(self, name: str) -> int:
        return int(self.ledger.value(name))

    def shown(self, key: names.Key, index=None, spec: str = COUNT) -> Shown:
        return self.ledger.shown(key, index, spec)

    def token_id(self, i: int) -> int:
        return int(self.ledger.value("prompt.tokens", i))

    def token(self, i: int, **kwargs) -> Text:
        """The prompt's i-th token, drawn."""
        return token_word(self.ledger, self.vocab, "prompt.tokens", i, **kwargs)

    def word(self, key: str, index=None, **kwargs) -> Text:
        """The token whose id is ``key[index]``, drawn."""
        return token_word(self.ledger, self.vocab, key, index, **kwargs)

    def spelled(self, i: int) -> Shown:
        """The prompt's i-th word for a subcaption (the id and its word go through the ledger)."""
        return self.spelled_at("prompt.tokens", i)

    def spelled_at(self, key: str, index=None) -> Shown:
        """The word of the token id at ``key[index]``, for a subcaption."""
        return self.ledger.token(self.vocab, key, index)

    def layer_number(self, l: int) -> Shown:
        """Layer l as people count it (from one), through the ledger."""
        return self.shown("layer_numbers", l)
