"""Subtitles burned into the picture: every sentence fits the band legibly in every language, and a
render with --burn-subtitles draws each cue's words there while it lasts and nothing else anywhere."""

from __future__ import annotations

import re
from pathlib import Path

import av
import numpy as np
import pytest

from netreel.render import burnin
from netreel.render.chapter import read_manifest
from netreel.render.legibility import MIN_CAP_PX, REVIEW_HEIGHT
from netreel.scenes.common.layout import SUBTITLE_BAND
from netreel.scenes.common.text import catalog, languages, placeholders
from tests.test_cli import run

WIDTH = 854  # the review's frame, REVIEW_HEIGHT tall
WIDEST_FILL = "175,212,355,584"  # the widest number a cue says today (GPT-3's parameters), in every placeholder


@pytest.mark.parametrize("lang", languages())
def test_every_sentence_of_the_catalog_fits_the_band_at_a_legible_size(lang):
    for key, (template, _) in catalog(lang).items():
        text = template.format(**{name: WIDEST_FILL for name in placeholders(template)})
        placed = burnin.layout(text, lang, WIDTH, REVIEW_HEIGHT)
        font = burnin._font(lang, placed.px)
        _, top, _, bottom = font.getbbox("H")
        assert bottom - top >= MIN_CAP_PX, f"{key}: cap height {bottom - top} px at {placed.px} px type"
        assert placed.fits(REVIEW_HEIGHT), f"{key}: {len(placed.lines)} lines reach y {placed.box[1]}"
        left, _, right, box_bottom = placed.box
        margin = burnin.MARGIN
        assert left >= WIDTH * margin - 1 and right <= WIDTH * (1 - margin) + 1
        assert box_bottom <= REVIEW_HEIGHT * (1 - margin) + 1
        assert re.sub(r"\s", "", "".join(placed.lines)) == re.sub(r"\s", "", text)  # nothing lost or added
        assert all(not re.match(r"[，。：；、）」！？]", line) for line in placed.lines), (key, placed.lines)


def test_lines_break_between_words_and_between_chinese_characters_never_before_their_punctuation():
    font = burnin._font("en", 20)
    lines = burnin.wrap("the network answers with a digit " * 6, font, 200)
    assert len(lines) > 3 and all(font.getlength(line) <= 200 for line in lines)
    assert all(set(line.split()) <= {"the", "network", "answers", "with", "a", "digit"} for line in lines)
    assert burnin.pieces("网络，回答。ok 7") == ["网", "络，", "回", "答。", "ok", " ", "7"]


def test_chinese_words_are_drawn_in_their_own_glyphs_not_empty_boxes():
    blank = np.zeros((REVIEW_HEIGHT, WIDTH, 4), np.uint8)
    drawn = [burnin.Burner("zh").burn(blank, word)[..., 0] for word in ("的", "是")]
    assert all(d.max() > 200 for d in drawn) and not np.array_equal(*drawn)


def test_a_frame_with_alpha_keeps_its_transparency_outside_the_box_and_becomes_opaque_under_the_words():
    clear = np.zeros((REVIEW_HEIGHT, WIDTH, 4), np.uint8)
    out = burnin.Burner("en").burn(clear, "A cue")
    left, top, right, bottom = burnin.layout("A cue", "en", WIDTH, REVIEW_HEIGHT).box
    assert out[: top - 1].max() == 0 and out[top + 2 : bottom - 2, (left + right) // 2, 3].min() >= burnin.BOX[3] - 1
    assert clear.max() == 0  # the frame given is left as it was


SCENE = '''
from manim import LEFT, RIGHT, Dot, FadeIn

from netreel.scenes.kit import NetScene


class Burned(NetScene):
    chapter = "network"

    def construct(self):
        dot = Dot()
        self.say("first", about=[dot])
        self.play(FadeIn(dot))
        self.say("second", about=[dot])
        self.play(dot.animate.shift(RIGHT))
        self.step("quiet")
        self.play(dot.animate.shift(LEFT))
        self.wait(1)
'''
WORDS = '''
[network.Burned]
first = "A dot appears in the middle of the frame."
second = "Now the dot moves to the right."
'''


def frames(path: Path) -> np.ndarray:
    with av.open(str(path)) as container:
        return np.stack([f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)])


@pytest.mark.render
def test_burned_subtitles_show_each_cue_in_the_band_while_it_lasts_and_change_nothing_else(tmp_path, own_words):
    (tmp_path / "burned.py").write_text(SCENE, encoding="utf-8")
    (tmp_path / "burned.toml").write_text(WORDS, encoding="utf-8")
    out = tmp_path / "out"
    for extra in ((), ("--burn-subtitles",)):
        result = run("render", str(tmp_path / "burned.py"), "-q", "tiny", "--out", str(out), *extra)
        assert result.exit_code == 0, result.stderr
    plain_folder, burned_folder = out / "burned" / "tiny", out / "burned" / "tiny-subs"
    assert Path(result.stdout.strip().splitlines()[-1]) == burned_folder / "burned.mp4"
    plain, burned = frames(plain_folder / "Burned.mp4"), frames(burned_folder / "Burned.mp4")
    assert plain.shape == burned.shape
    entry = read_manifest(burned_folder)["scenes"]["Burned"]
    assert entry["cues"] == read_manifest(plain_folder)["scenes"]["Burned"]["cues"]
    height = plain.shape[1]
    band = round(height * (1 - SUBTITLE_BAND))
    fps = len(plain) / entry["duration"]
    differs = np.abs(burned - plain).mean(axis=3)  # [frame, y, x]
    said = np.zeros(len(plain), bool)
    for _, start, end in entry["cues"]:
        inside = slice(round(start * fps) + 1, round(end * fps) - 1)
        said[round(start * fps) : round(end * fps)] = True
        assert ((differs[inside, band:] > 48).mean(axis=(1, 2)) > 0.02).all()  # the words, white on the dark box
    assert differs[:, : band - 2].mean(axis=(1, 2)).max() < 1.5  # above the band: the scene as it is
    assert differs[~said].mean(axis=(1, 2)).max() < 1.5  # no words between cues and after the last
    first, second = (round((start + end) / 2 * fps) for _, start, end in entry["cues"])
    assert np.abs(burned[first, band:] - burned[second, band:]).mean() > 4  # each cue its own words
    clips = run("clips", str(tmp_path / "burned.py"), "-q", "tiny", "--out", str(out), "--burn-subtitles")
    assert clips.exit_code == 0, clips.stderr
    assert Path(clips.stdout.strip().splitlines()[-1]).is_relative_to(burned_folder)
    assert "unchanged, kept" in clips.stderr
