"""netreel's renderer and file writer: the same pixels as manim's, one stream with keyframes at sections, quick stills."""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import numpy as np
import pytest
from manim import Camera, Mobject, tempconfig
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
from manim.renderer.cairo_renderer import CairoRenderer
from PIL import Image

from netreel.scenes.common.base import SceneContext
from netreel.render import drawing
from netreel.render.executors import InlineExecutor
from netreel.render.jobs import SceneJob
from netreel.render.pipeline import run_jobs
from netreel.render.run import manim_config
from netreel.render.worker import render_scene
from tests import render_scenes


@pytest.fixture(scope="module")
def facts(chapter_facts):
    return chapter_facts("network")[0]


def drawn_frames(monkeypatch, facts, renderer, folder: Path, aspect: str, transparent: bool) -> list[tuple[str, int]]:
    """Every frame the renderer hands its file writer: (hash of the pixels, times shown)."""
    frames = []
    add_frame = CairoRenderer.add_frame

    def record(self, frame, num_frames=1):
        if not self.skip_animations:
            frames.append((hashlib.sha256(frame.tobytes()).hexdigest(), num_frames))
        add_frame(self, frame, num_frames)

    monkeypatch.setattr(CairoRenderer, "add_frame", record)
    with tempconfig(manim_config("tiny", folder, aspect, output_file=str(folder / "Short"), transparent=transparent)):
        scene = render_scenes.Short(renderer=renderer())
        scene.context = SceneContext(facts)
        scene.render()
    monkeypatch.undo()
    return frames


@pytest.mark.parametrize(("aspect", "transparent"), [("16:9", False), ("1:1", False), ("16:9", True)])
def test_every_frame_is_drawn_as_manim_draws_it(monkeypatch, facts, tmp_path, aspect, transparent):
    with monkeypatch.context() as manim_own:
        manim_own.setattr(Camera, "overlay_PIL_image", drawing.MANIM_OVERLAY)
        manim_own.setattr(VMobjectFromSVGPath, "__deepcopy__", Mobject.__deepcopy__)
        theirs = drawn_frames(monkeypatch, facts, CairoRenderer, tmp_path / "manim", aspect, transparent)
    drawing.install()
    ours = drawn_frames(monkeypatch, facts, drawing.SceneRenderer, tmp_path / "netreel", aspect, transparent)
    assert len(theirs) > 10
    assert ours == theirs


def test_image_compositing_matches_manim_where_the_image_is_partly_off_frame():
    camera = Camera(pixel_width=64, pixel_height=36)
    rng = np.random.default_rng(0)
    base = rng.integers(0, 256, (36, 64, 4), dtype=np.uint8)
    overlay = np.zeros((36, 64, 4), dtype=np.uint8)
    overlay[5:20, 50:64] = rng.integers(0, 256, (15, 14, 4), dtype=np.uint8)  # touches the right edge
    theirs, ours = base.copy(), base.copy()
    drawing.MANIM_OVERLAY(camera, theirs, Image.fromarray(overlay))
    drawing._overlay_inside_box(camera, ours, Image.fromarray(overlay))
    assert np.array_equal(ours, theirs)


@pytest.fixture(scope="module")
def short_render(facts, tmp_path_factory):
    folder = tmp_path_factory.mktemp("short")
    job = SceneJob("network", render_scenes.__name__, "Short", facts, "tiny", str(folder))
    return render_scene(job), folder


def test_one_stream_holds_every_frame_with_a_keyframe_at_each_section(short_render):
    result, folder = short_render
    with av.open(result.video) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert float(stream.average_rate) == 10
        keyframes = [i for i, packet in enumerate(p for p in container.demux(stream) if p.size) if packet.is_keyframe]
    frames = round(result.duration * 10)
    with av.open(result.video) as container:
        assert sum(1 for _ in container.decode(video=0)) == frames
    section_frames = [round(start * 10) for _, start in result.sections]
    assert len(section_frames) == 2
    assert set(section_frames) <= set(keyframes)


def test_video_frames_are_the_drawn_frames(short_render):
    result, _ = short_render
    with av.open(result.video) as container:
        *_, last = container.decode(video=0)
    decoded = last.to_ndarray(format="rgb24").astype(float)
    drawn = np.asarray(Image.open(result.still).convert("RGB")).astype(float)
    psnr = 10 * np.log10(255**2 / np.mean((decoded - drawn) ** 2))
    assert psnr > 35, psnr


def test_still_is_the_last_frame_of_the_video(facts, short_render, tmp_path):
    result, _ = short_render
    job = SceneJob("network", render_scenes.__name__, "Short", facts, "tiny", str(tmp_path), still=True)
    stills = []
    run_jobs([job], 1, lambda _, r: stills.append(r), InlineExecutor())
    (still,) = stills
    assert still.video is None
    assert np.array_equal(np.asarray(Image.open(still.still)), np.asarray(Image.open(result.still)))


def test_result_reports_time_and_memory(short_render):
    result, _ = short_render
    assert result.render_seconds > 0 and result.cpu_seconds > 0
    assert result.peak_rss_mb > 50


def test_section_videos_when_manim_saves_sections(facts, tmp_path):
    drawing.install()
    with tempconfig(manim_config("tiny", tmp_path, output_file=str(tmp_path / "Short"), save_sections=True)):
        scene = render_scenes.Short(renderer=drawing.SceneRenderer())
        scene.context = SceneContext(facts)
        scene.render()
    sections = sorted(tmp_path.glob("Short_*.mp4"))  # with an output_file, manim writes them beside it
    assert [p.stem.split("_", 2)[2] for p in sections] == ["first", "second"]
    counts = []
    for path in [tmp_path / "Short.mp4", *sections]:
        with av.open(str(path)) as container:
            counts.append(sum(1 for _ in container.decode(video=0)))
    assert counts[0] == counts[1] + counts[2] == round(scene.time * 10)
