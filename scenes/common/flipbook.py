"""A value that changes on screen without being made up: one prepared page per recorded value.

A :class:`Flipbook` holds one mobject per entry of a fact array (a ledger
number, an image, a marker placed at a ledger value) and shows only the page a
:class:`~manim.ValueTracker` points at. Animating the tracker flips through the
real values; no frame shows a number the ledger did not record.

Examples
--------
::

    class Count(NetScene):
        chapter = "analysis"

        def construct(self):
            step = ValueTracker(0)
            n = len(self.ledger.array("run.correct"))
            book = Flipbook([self.ledger.integer("run.correct", i) for i in range(n)], step)
            self.add(step, book)
            self.play(step.animate.set_value(n - 1), run_time=5, rate_func=linear)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import Group, Mobject, ValueTracker


class Flipbook(Group):
    """Shows ``pages[round(tracker)]`` (clipped to the pages), and nothing else; with ``reached``,
    ``pages[floor(tracker)]``: the last whole step a tracker running between steps has reached.

    Place every page where it belongs before building the book. The book draws
    one mobject, ``display``, which takes on the shape and colour of the page
    the tracker points at (pages of one kind: numbers, or images of one size).
    Swapping submobjects instead would leave the first page drawn under the
    others, since the renderer lists a scene's moving mobjects once per
    animation. All pages stay in ``pages``, which the audit reads.
    """

    def __init__(self, pages: Sequence[Mobject], tracker: ValueTracker, reached: bool = False) -> None:
        super().__init__()
        if not pages:
            raise ValueError("a flipbook needs at least one page")
        self.pages = list(pages)
        self.tracker = tracker
        self.pick = (lambda value: np.floor(value + 1e-6)) if reached else round
        self.shown = self.index()
        self.display = self.pages[self.shown].copy()
        self.add(self.display)
        self.add_updater(lambda book: book.turn())

    def index(self) -> int:
        return int(np.clip(self.pick(self.tracker.get_value()), 0, len(self.pages) - 1))

    def turn(self) -> Flipbook:
        """Show the page the tracker points at."""
        index = self.index()
        if index != self.shown:
            self.display.become(self.pages[index].copy())
            self.shown = index
        return self
