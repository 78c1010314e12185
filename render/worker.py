"""Rendering one scene in a process of its own (manim's config is global).

Everything is written inside a scratch folder first; the finished video, its
subtitles and its last frame are then renamed into place, so an interrupted or
failed render never replaces a good file with a broken one.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import shutil
import time
from pathlib import Path

import numpy as np
from PIL import Image

from netreel.nets.paths import cache_dir
from netreel.render.jobs import SceneJob, SceneResult
from netreel.render.run import Settings, run_scene
from netreel.scenes.common.base import SceneContext
from netreel.scenes.common.text import CatalogError, languages
from netreel.scenes.userfile import load_module


def scene_class(module: str, name: str, path: str | None = None):
    if path is not None:
        load_module(Path(path), module)
    return getattr(importlib.import_module(module), name)


def _segments_file(job: SceneJob, lang: str) -> Path:
    return cache_dir() / "timing" / f"{job.timing_key}-{lang}.json"


def _kept_segments(job: SceneJob, lang: str) -> list[int] | None:
    """The frames of each segment of the scene in ``lang``, as kept by an earlier render or dry run."""
    if not job.timing_key:
        return None
    try:
        segments = json.loads(_segments_file(job, lang).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return segments if isinstance(segments, list) and all(isinstance(n, int) for n in segments) else None


def _keep_segments(job: SceneJob, lang: str, segments: list[int]) -> None:
    if job.timing_key:
        path = _segments_file(job, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(segments), encoding="utf-8")
        os.replace(tmp, path)


def timing_plan(cls: type, job: SceneJob) -> list[int] | None:
    """The most frames each segment of the scene runs in the other languages that have its words.

    Rendered to that plan, the scene's cues, sections and frames are the same in every
    language (see :mod:`netreel.scenes.common.base`). None when no other language has its words.
    A language's segments come from its last render or dry run of the same timing key,
    else from running the scene dry in that language now.
    """
    plans = []
    for lang in languages():
        if lang == job.lang:
            continue
        segments = _kept_segments(job, lang)
        if segments is None:
            try:
                dry = run_scene(cls, SceneContext(job.facts, lang), Settings(job.quality, job.aspect), draw=False)
                segments = dry.segments
            except CatalogError:  # that language lacks this scene's words, and cannot be asked for
                continue
            _keep_segments(job, lang, segments)
        plans.append(segments)
    if not plans:
        return None
    if len({len(plan) for plan in plans}) > 1:
        raise RuntimeError(f"{job.scene} has different steps and subcaptions in different languages")
    return [max(frames) for frames in zip(*plans)]


def render_scene(job: SceneJob) -> SceneResult:
    """Render one scene; outputs land in ``job.out_dir`` only when complete."""
    out_dir = Path(job.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / ".work" / f"{job.scene}-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        cls = scene_class(job.module, job.scene, job.path)
        context = SceneContext(job.facts, job.lang, None if job.still else timing_plan(cls, job))
        scene = run_scene(cls, context, Settings(job.quality, job.aspect, job.still, job.transparent, scratch))
        frame = np.asarray(scene.renderer.get_frame())
        if not job.still:
            _keep_segments(job, job.lang, scene.segments)
        still = out_dir / f"{job.scene}.png"
        _save_png(frame if job.transparent else frame[..., :3], scratch / "last.png")
        _publish(scratch / "last.png", still)
        video = None
        if not job.still:
            suffix = ".mov" if job.transparent else ".mp4"
            video = out_dir / f"{job.scene}{suffix}"
            srt = scratch / f"{job.scene}.srt"
            if not srt.exists():
                srt.write_text("", encoding="utf-8")
            _publish(srt, video.with_suffix(".srt"))
            _publish(scratch / f"{job.scene}{suffix}", video)
        return SceneResult(
            scene=job.scene,
            video=str(video) if video else None,
            still=str(still),
            duration=float(scene.time),
            cues=list(scene.cues),
            captions=list(scene.captions),
            sections=list(scene.sections_started),
            render_seconds=time.perf_counter() - start,
            cpu_seconds=time.process_time() - cpu_start,
            ledger_entries=len(scene.ledger.entries),
            frames_counted=scene.frames,
            peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,  # KiB on Linux
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _save_png(frame: np.ndarray, path: Path) -> None:
    Image.fromarray(frame.astype(np.uint8)).save(path)


def _publish(src: Path, dst: Path) -> None:
    """Move a finished file into place atomically (same file system)."""
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    shutil.move(str(src), tmp)
    os.replace(tmp, dst)
