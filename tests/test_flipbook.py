"""The flipbook shows the page its tracker points at, and the audit reads every page."""

from __future__ import annotations

import numpy as np
import pytest
from manim import RIGHT, DecimalNumber, ValueTracker, tempconfig

from netreel.render.audit import untracked_text
from netreel.scenes.common.flipbook import Flipbook
from netreel.scenes.common.ledger import tag


@pytest.fixture(autouse=True)
def scratch_media(tmp_path):
    """Numbers compile LaTeX; keep manim's files out of the working tree."""
    with tempconfig({"media_dir": str(tmp_path), "tex_dir": str(tmp_path / "Tex"), "text_dir": str(tmp_path / "texts")}):
        yield


def test_turns_to_the_tracked_page_and_clips():
    tracker = ValueTracker(0)
    pages = [DecimalNumber(v).shift(RIGHT * v) for v in (0.5, 12.25, -3.75)]
    book = Flipbook(pages, tracker)
    assert book.submobjects == [book.display]
    for value, shown in ((1.4, 1), (1.6, 2), (7, 2), (-3, 0), (1, 1)):
        tracker.set_value(value)
        book.update()
        assert book.shown == shown, value
        assert np.allclose(book.display.get_center(), pages[shown].get_center()), value
        assert np.allclose(book.display.width, pages[shown].width), value
    assert len(pages[0].submobjects) < len(pages[1].submobjects), "turning pages leaves the pages themselves alone"


def test_needs_a_page():
    with pytest.raises(ValueError):
        Flipbook([], ValueTracker(0))


def test_audit_reads_pages_not_shown():
    tracked = tag(DecimalNumber(0.5), "ledger", "x")
    untracked = DecimalNumber(0.25)
    book = Flipbook([tracked, untracked], ValueTracker(0))
    problems = untracked_text([book])
    assert len(problems) == 1 and "0.25" in problems[0]
