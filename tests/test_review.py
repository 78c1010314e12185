"""The review: holds in a video, contact sheets, legibility and narration binding of small scenes, and every scene."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
import pytest
from click.testing import CliRunner
from manim import DecimalNumber, MathTex, Text
from PIL import Image

from netreel.cli import main
from netreel.nets.facts import Facts
from netreel.render import contact_sheet, frozen
from netreel.render.legibility import cap_height
from netreel.render.review import SceneReview, review_run
from netreel.scenes import registry
from netreel.scenes.common.text import languages, turned
from tests import review_known, review_scenes

FPS = 10
SIZE = (128, 72)  # px: width, height


def moving_square(seconds: float, x0: int) -> list[np.ndarray]:
    """Frames of a white square sliding right, one pixel a frame, on a grey field."""
    frames = []
    for i in range(round(seconds * FPS)):
        frame = np.full((SIZE[1], SIZE[0]), 40, np.uint8)
        x = (x0 + 3 * i) % (SIZE[0] - 12)
        frame[30:42, x : x + 12] = 255
        frames.append(frame)
    return frames


def still(frame: np.ndarray, seconds: float) -> list[np.ndarray]:
    return [frame.copy() for _ in range(round(seconds * FPS))]


def write_video(path: Path, frames: list[np.ndarray]) -> Path:
    """An H.264 mp4 of grey frames, encoded the way renders are (yuv420p)."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = SIZE[0], SIZE[1], "yuv420p"
        for frame in frames:
            rgb = np.repeat(frame[..., None], 3, axis=2)
            container.mux(stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(stream.encode())
    return path


def lecture_frames() -> list[np.ndarray]:
    """1 s of motion, a 4 s still, 1 s of motion, then a 3.5 s still to the end."""
    first = moving_square(1, 0)
    second = moving_square(1, 60)
    return first + still(first[-1], 4) + second + still(second[-1], 3.5)


def test_holds_are_the_stills_and_the_last_one_is_the_closing_beat():
    result = frozen.holds(lecture_frames(), FPS)
    assert [(round(h.seconds, 1), h.closing) for h in result.holds] == [(4.1, False), (3.6, True)]
    assert result.duration == pytest.approx(9.5)
    assert result.share == pytest.approx(7.7 / 9.5)
    assert result.longest_open == pytest.approx(4.1)


def test_a_slow_fade_is_no_hold():
    fade = [np.full((SIZE[1], SIZE[0]), 40 + i, np.uint8) for i in range(60)]  # one grey level a frame, for 6 s
    assert frozen.holds(fade, FPS).holds == []


def test_encoding_noise_does_not_break_a_hold(tmp_path):
    noisy = np.random.default_rng(0).integers(0, 256, (SIZE[1], SIZE[0]), dtype=np.uint8)  # hard for the encoder
    video = write_video(tmp_path / "noisy.mp4", moving_square(1, 0) + still(noisy, 4) + moving_square(1, 30))
    result = frozen.frozen_time(video)
    assert [round(h.seconds, 1) for h in result.holds] == [4.0]
    assert result.duration == pytest.approx(6.0)


def test_contact_sheet_shows_each_cue_from_its_start_to_its_end(tmp_path):
    video = write_video(tmp_path / "lecture.mp4", lecture_frames())
    start, end = contact_sheet.frames_at(video, [0.05, 9.45])
    assert np.abs(start.astype(int) - end.astype(int)).max() > 100  # the square has moved
    cues = [("The square starts on the left.", 0.0, 5.0), ("正方形移到了右边。", 5.0, 9.5)]
    one = Image.open(contact_sheet.write_sheet(video, cues[:1], tmp_path / "one.png", "one cue"))
    two = Image.open(contact_sheet.write_sheet(video, cues, tmp_path / "two.png", "two cues"))
    assert one.width == two.width == 2 * SIZE[0] + 3 * contact_sheet.GAP
    assert two.height > one.height + SIZE[1]
    words = np.asarray(two.convert("L"))[-contact_sheet.GAP - 12 :, :]  # the last cue's words, dark on white
    assert words.min() < 100


def test_wrapping_keeps_lines_within_the_width():
    face = contact_sheet.font(16)
    texts = (
        "a cue of several English words that needs more than one line",
        "每个像素保存一个数字，从零到一，越亮越大",
    )
    for text in texts:
        lines = contact_sheet.wrap(text, face, 150)
        assert len(lines) > 1
        assert all(face.getlength(line) <= 150 for line in lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def dry_review(cls, band: bool = False):
    return review_run(cls, Facts({}), ["en"], band)


def test_a_cue_whose_named_mobject_is_on_screen_passes():
    review = dry_review(review_scenes.Named)
    assert review.failures() == []
    assert review.findings() == []


@pytest.mark.parametrize("scene", [review_scenes.NamedOutsideFrame, review_scenes.NamedRemoved])
def test_a_cue_whose_named_mobject_is_off_screen_fails(scene):
    review = dry_review(scene)
    assert len(review.binding.off_screen) == 1
    assert "names Dot, which is not on screen" in review.binding.off_screen[0]
    assert review.binding.off_screen[0] in review.failures()


def test_a_cue_whose_named_mobject_stays_still_is_reported_not_failed():
    review = dry_review(review_scenes.NamedStill)
    assert review.failures() == []
    assert len(review.binding.idle) == 1 and "nothing it names is drawn, moved or highlighted" in review.binding.idle[0]


def test_a_highlight_sweeping_over_a_named_mobject_counts_as_showing_it():
    review = dry_review(review_scenes.NamedSwept)
    assert review.failures() == [] and review.binding.idle == []


def test_a_cue_that_names_nothing_is_reported_and_small_or_misplaced_text_fails():
    review = dry_review(review_scenes.NamesNothing)
    assert review.findings() == ["1 of 1 cues name nothing"]
    (legibility,) = review.legibility
    assert legibility.smallest < 9 and list(legibility.small) == ["x"]
    assert len(legibility.edges) == 1 and "Text spans x 6.84" in legibility.edges[0]
    assert legibility.band == [] and review.binding.failures() == []
    (burned,) = dry_review(review_scenes.NamesNothing, band=True).legibility
    assert len(burned.band) == 1 and "Text('z')" in burned.band[0]


@pytest.mark.parametrize("make", [
    lambda: Text("a", font_size=16), lambda: Text("creature", font_size=16),
    lambda: DecimalNumber(2.97, num_decimal_places=2, font_size=22), lambda: MathTex(r"\vec q", font_size=30),
], ids=["letter", "word", "number", "tex"])
def test_a_turned_text_is_measured_at_the_size_it_is_drawn(make):
    upright, turned_text = make(), turned(make())
    assert turned_text.width == pytest.approx(upright.height) and turned_text.height == pytest.approx(upright.width)
    assert cap_height(turned_text) == pytest.approx(cap_height(upright))
    turned_text.scale(2)
    assert cap_height(turned_text) == pytest.approx(2 * cap_height(upright))
    assert cap_height(make().rotate(np.pi / 2)) != pytest.approx(cap_height(upright))  # what manim alone would report


SCENES = [(ch, cls) for ch in registry.CHAPTERS for cls in ch.scenes()]
IDS = [f"{ch.id}.{cls.__name__}" for ch, cls in SCENES]
CHECKS = {
    "binding": lambda review: review.binding.failures(),
    "named": lambda review: review.binding.unnamed,
    "overlaps": lambda review: [p for r in review.legibility for p in r.overlaps],
    "edges": lambda review: [p for r in review.legibility for p in r.edges],
    "text sizes": lambda review: [
        f"[{r.lang}] {text!r}: {px:.1f} px" for r in review.legibility for text, px in r.small.items()
    ],
}
def scene_review(dry_run, chapter, scene) -> SceneReview:
    """A scene's review in every language, from its dry runs (the binding from the first language's)."""
    runs = [dry_run(chapter, scene, lang) for lang in languages()]
    return SceneReview(f"{chapter.id}.{scene.__name__}", [r.legibility.result for r in runs], runs[0].binding.result(runs[0].scene))


def scene_checks():
    for (chapter, scene), name in zip(SCENES, IDS):
        for check in CHECKS:
            reason = review_known.BROKEN.get((name, check))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            yield pytest.param(chapter, scene, check, marks=marks, id=f"{name}-{check}")


@pytest.mark.parametrize(("chapter", "scene", "check"), list(scene_checks()))
def test_scene_review(dry_run, chapter, scene, check):
    """Every scene, in every language: every cue names what it talks about and that is on screen while it is said, no words overlap,
    nothing comes within 3 % of the frame's edges, no text is under 9 px of cap height at 480p.

    A scene known to break a limit is listed in tests/review_known.py, as an expected failure that must
    fail: once it is fixed, its entry goes.
    """
    problems = CHECKS[check](scene_review(dry_run, chapter, scene))
    assert problems == [], "\n".join(problems)


@pytest.mark.render
def test_review_command_renders_reviews_and_fails_on_a_broken_limit(tmp_path):
    """`netreel review` on the small scenes: a table, then JSON; contact sheets beside the renders; exit 1."""
    target = str(Path(review_scenes.__file__))
    args = ["review", target, "--quality", "tiny", "--out", str(tmp_path), "--lang", "en"]
    printed = CliRunner().invoke(main, args, catch_exceptions=False)
    assert printed.exit_code == 1
    assert "names Dot, which is not on screen during it" in printed.stdout
    assert printed.stderr.strip().splitlines()[-1].startswith("netreel: review: ")
    figures = CliRunner().invoke(main, [*args, "--json"], catch_exceptions=False)
    (chapter,) = json.loads(figures.stdout)
    scenes = {s["scene"].split(".")[1]: s for s in chapter["scenes"]}
    assert [name for name, s in scenes.items() if s["binding"]["off_screen"]] == ["NamedOutsideFrame", "NamedRemoved"]
    assert scenes["Named"]["failures"] == []
    for scene in scenes.values():
        sheet = Image.open(scene["sheet"])
        assert sheet.width > 2 * 256 and sheet.height > 144
    assert Path(chapter["page"]).read_text(encoding="utf-8").count("<img ") == len(scenes)
