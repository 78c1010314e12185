"""Rendering one scene in a process of its own (manim's config is global).

Everything is written inside a scratch folder first; the finished video, its
subtitles and its last frame are then renamed into place, so an interrupted or
failed render never replaces a good file with a broken one.
"""

from __future__ import annotations

import fcntl
import importlib
import os
import resource
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nets.facts import Facts
from nets.paths import cache_dir
from scenes.render.presets import QUALITIES


@dataclass
class SceneJob:
    """What a worker needs to render one scene: picklable, no manim objects."""

    chapter: str
    module: str
    scene: str
    facts: Facts
    quality: str
    out_dir: str  # the chapter's folder for this quality
    lang: str = "en"
    still: bool = False  # the last frame only, as PNG


@dataclass
class SceneResult:
    scene: str
    video: str | None  # None for a still
    still: str
    duration: float
    cues: list[tuple[str, float, float]] = field(default_factory=list)
    sections: list[tuple[str, float]] = field(default_factory=list)
    render_seconds: float = 0.0
    ledger_entries: int = 0
    cpu_seconds: float = 0.0  # CPU time of the rendering process, encoder threads included
    peak_rss_mb: float = 0.0  # the rendering process's peak resident memory


def manim_config(quality: str, media_dir: Path, **extra) -> dict:
    """The manim settings for a preset; LaTeX and text caches shared across renders."""
    q = QUALITIES[quality]
    shared = cache_dir() / "manim"
    return {
        "pixel_width": q.width,
        "pixel_height": q.height,
        "frame_rate": q.fps,
        "media_dir": str(media_dir),
        "video_dir": str(media_dir),
        "images_dir": str(media_dir),
        "partial_movie_dir": str(media_dir / "partial"),
        "tex_dir": str(shared / "Tex"),
        "text_dir": str(shared / "texts"),
        "disable_caching": True,
        "verbosity": "ERROR",
        "progress_bar": "none",
        "write_to_movie": True,
        "format": None,
        **extra,
    }


def serialise_svg_files() -> None:
    """Let one process at a time write into manim's shared LaTeX and text caches.

    manim compiles LaTeX into one folder and then deletes every non-SVG file
    there, and parses each SVG through a temporary copy beside it: parallel
    workers would pull files from under each other.
    """
    from manim import SVGMobject, config
    from manim.mobject.text import tex_mobject

    if getattr(SVGMobject.generate_mobject, "serialised", False):
        return

    def locked(function):
        def run(*args, **kwargs):
            folder = config.get_dir("tex_dir").parent  # not inside Tex/: manim clears it of non-SVG files
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / "svg.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                return function(*args, **kwargs)

        run.serialised = True
        return run

    tex_mobject.tex_to_svg_file = locked(tex_mobject.tex_to_svg_file)
    SVGMobject.generate_mobject = locked(SVGMobject.generate_mobject)


def scene_class(module: str, name: str):
    return getattr(importlib.import_module(module), name)


def render_scene(job: SceneJob) -> SceneResult:
    """Render one scene; outputs land in ``job.out_dir`` only when complete."""
    from manim import tempconfig

    from scenes.common.base import SceneContext, use_context
    from scenes.render import drawing

    serialise_svg_files()
    drawing.install()
    out_dir = Path(job.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / ".work" / f"{job.scene}-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        use_context(SceneContext(job.facts, job.lang))
        cls = scene_class(job.module, job.scene)
        extra = {"save_last_frame": True, "write_to_movie": False} if job.still else {}
        with tempconfig(manim_config(job.quality, scratch, output_file=str(scratch / job.scene), **extra)):
            scene = cls(renderer=drawing.SceneRenderer())
            scene.render()
            frame = np.asarray(scene.renderer.get_frame())[..., :3]
        still = out_dir / f"{job.scene}.png"
        _save_png(frame, scratch / "last.png")
        _publish(scratch / "last.png", still)
        video = None
        if not job.still:
            video = out_dir / f"{job.scene}.mp4"
            srt = scratch / f"{job.scene}.srt"
            if not srt.exists():
                srt.write_text("", encoding="utf-8")
            _publish(srt, video.with_suffix(".srt"))
            _publish(scratch / f"{job.scene}.mp4", video)
        return SceneResult(
            scene=job.scene,
            video=str(video) if video else None,
            still=str(still),
            duration=float(scene.time),
            cues=list(scene.cues),
            sections=list(scene.sections_started),
            render_seconds=time.perf_counter() - start,
            cpu_seconds=time.process_time() - cpu_start,
            ledger_entries=len(scene.ledger.entries),
            peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _save_png(frame: np.ndarray, path: Path) -> None:
    from PIL import Image

    Image.fromarray(frame.astype(np.uint8)).save(path)


def _publish(src: Path, dst: Path) -> None:
    """Move a finished file into place atomically (same file system)."""
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    shutil.move(str(src), tmp)
    os.replace(tmp, dst)
