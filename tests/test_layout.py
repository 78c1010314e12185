"""The layout rules: sizes that read at 480 pixels, the safe margin, legends, word rows on a baseline."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DecimalNumber, Square, Text, config, tempconfig

from netreel.scenes.common import layout


@pytest.fixture(autouse=True)
def scratch_media(tmp_path):
    folders = {"media_dir": str(tmp_path), "tex_dir": str(tmp_path / "Tex"), "text_dir": str(tmp_path / "texts")}
    with tempconfig(folders):
        yield


def cap_pixels(mob) -> float:
    return mob.height * layout.pixels_per_unit()


@pytest.mark.parametrize("number", [False, True])
def test_the_minimum_size_is_the_smallest_that_reads(number):
    def capital(size):
        return DecimalNumber(5, num_decimal_places=0, font_size=size) if number else Text("H", font_size=size)

    smallest = layout.MIN_NUMBER_SIZE if number else layout.MIN_WORDS_SIZE
    assert cap_pixels(capital(smallest)) >= layout.MIN_CAP_PIXELS
    assert cap_pixels(capital(smallest - 1)) < layout.MIN_CAP_PIXELS
    assert layout.readable(smallest, number) and not layout.readable(smallest - 1, number)


def test_every_role_reads():
    assert all(layout.readable(layout.size(role), role == "number") for role in layout.SIZES)
    with pytest.raises(KeyError):
        layout.size("caption")


def test_the_margin_is_three_percent_and_keep_inside_respects_it():
    left, right, bottom, top = layout.safe_box()
    assert np.isclose(right - left, config.frame_width * 0.94) and np.isclose(top - bottom, config.frame_height * 0.94)
    near_edge = Square(1).move_to([right, 0, 0])
    assert layout.outside_safe([near_edge, Square(1)]) == [near_edge]
    layout.keep_inside(near_edge)
    assert not layout.outside_safe([near_edge]) and np.isclose(near_edge.get_right()[0], right)


def test_a_legend_goes_top_right_under_the_title():
    legend = layout.place_legend(Square(0.5))
    _, right, _, _ = layout.safe_box()
    assert np.isclose(legend.get_right()[0], right)
    assert legend.get_top()[1] <= config.frame_height / 2 - layout.TITLE_BAND


def test_words_of_a_row_share_a_baseline():
    words = [Text(w, font_size=28) for w in ("apple", "pie", "tea")]
    layout.row_on_baseline(words, y=-1.0)
    assert all(np.isclose(layout.baseline(w), -1.0) for w in words)
    assert not np.isclose(words[0].get_bottom()[1], words[2].get_bottom()[1]), "descenders hang below the baseline"
    assert all(a.get_right()[0] < b.get_left()[0] for a, b in zip(words, words[1:]))
