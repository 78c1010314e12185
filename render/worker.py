"""Rendering one scene in a process of its own (manim's config is global).

Everything is written inside a scratch folder first; the finished video, its
subtitles and its last frame are then renamed into place, so an interrupted or
failed render never replaces a good file with a broken one. Each file's digest is
taken before it leaves the scratch folder and recorded with the scene, so a file
that is not the one this render made (another render's, or one cut short) is never
taken for it.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import shutil
import time
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path

import numpy as np
from manim import config
from PIL import Image

from netreel.integrity import file_digest
from netreel.nets.paths import cache_dir
from netreel.render import audio, video
from netreel.render.jobs import SceneJob, SceneResult
from netreel.render.lock import SCRATCH
from netreel.render.narrator import Narrator
from netreel.render.pause import pause_point
from netreel.render.run import Settings, run_scene
from netreel.scenes.common.base import SPEECH_LEAD_SECONDS, NetScene, SceneContext, Timing
from netreel.scenes.common.text import CatalogError, languages
from netreel.scenes.userfile import load_module


def scene_class(module: str, name: str, path: str | None = None):
    if path is not None:
        load_module(Path(path), module)
    return getattr(importlib.import_module(module), name)


def _segments_file(job: SceneJob, lang: str) -> Path:
    return cache_dir() / "timing" / f"{job.timing_key}-{lang}.json"


def _kept_segments(job: SceneJob, lang: str) -> list[Timing] | None:
    """The scene's segments in ``lang`` at natural speed, as kept by an earlier render or dry run."""
    if not job.timing_key:
        return None
    try:
        kept = json.loads(_segments_file(job, lang).read_text(encoding="utf-8"))
        return [Timing(*(int(n) for n in segment)) for segment in kept]
    except (OSError, ValueError, TypeError):
        return None


def _keep_segments(job: SceneJob, lang: str, segments: list[Timing]) -> None:
    if job.timing_key:
        path = _segments_file(job, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps([astuple(t) for t in segments]), encoding="utf-8")
        os.replace(tmp, path)


def timing_plan(cls: type, job: SceneJob, narrator: Narrator | None = None) -> tuple[list[int] | None, list[Timing]]:
    """The most frames each segment of the scene runs in any language that has its words,
    and the segments of ``job.lang`` at natural speed (what its animations stretch from).

    Rendered to that plan, the scene's cues, sections and frames are the same in every
    language (see :mod:`netreel.scenes.common.base`); the plan is None when no other
    language has its words. A language's segments come from its last render or dry run
    of the same timing key, else from running the scene dry in that language now.
    """
    plans: dict[str, list[Timing]] = {}
    for lang in sorted({*languages(), job.lang}):
        segments = _kept_segments(job, lang)
        if segments is None:
            try:
                dry = run_scene(
                    cls, SceneContext(job.facts, lang, narrator=narrator), Settings(job.quality, job.aspect), draw=False,
                )
            except CatalogError:  # that language lacks this scene's words, and cannot be asked for
                if lang == job.lang:
                    raise
                continue
            segments = dry.timing
            _keep_segments(job, lang, segments)
        plans[lang] = segments
    own = plans[job.lang]
    if len(plans) == 1:
        return None, own
    if len({len(plan) for plan in plans.values()}) > 1:
        raise RuntimeError(f"{job.scene} has different steps and subcaptions in different languages")
    return [max(t.needed for t in frames) for frames in zip(*plans.values())], own


PROGRESS_EVERY = 0.2  # seconds between two reports of a scene's frames


def render_scene(job: SceneJob, progress: Callable[[int], None] | None = None) -> SceneResult:
    """Render one scene; outputs land in ``job.out_dir`` only when complete.

    ``progress`` is told 0 as the scene starts, then its frames drawn so far, at most every
    :data:`PROGRESS_EVERY` seconds.
    """
    if progress is not None:
        progress(0)
    out_dir = Path(job.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scratch = out_dir / SCRATCH / f"{job.scene}-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        cls = scene_class(job.module, job.scene, job.path)
        narrator = None if job.voice == "none" or job.still else Narrator(job.voice, job.voice_langs)
        plan, natural = (None, None) if job.still else timing_plan(cls, job, narrator)
        context = SceneContext(job.facts, job.lang, plan, narrator, natural)
        settings = Settings(job.quality, job.aspect, job.still, job.transparent, job.burn and not job.still, scratch)
        scene = run_scene(cls, context, settings, observer=_every(PROGRESS_EVERY, progress) if progress else None)
        frame = np.asarray(scene.renderer.get_frame())
        if not job.still:
            _keep_segments(job, job.lang, scene.timing)
        still = out_dir / f"{job.scene}.png"
        _save_png(frame if job.transparent else frame[..., :3], scratch / "last.png")
        made = {still.name: scratch / "last.png"}  # what is published, by name, the video last
        movie, tracks = None, {}
        if not job.still:
            suffix = ".mov" if job.transparent else ".mp4"
            movie = out_dir / f"{job.scene}{suffix}"
            srt = scratch / f"{job.scene}.srt"
            if not srt.exists():
                srt.write_text("", encoding="utf-8")
            (scratch / f"{job.scene}.vtt").write_text(video.cues_to_vtt(scene.cues), encoding="utf-8")
            if not job.transparent:
                tracks = _with_sound(scene, narrator, job, scratch / f"{job.scene}{suffix}")
            made.update({name: scratch / name for name in tracks.values()})
            made.update({f"{job.scene}.srt": srt, f"{job.scene}.vtt": scratch / f"{job.scene}.vtt", movie.name: scratch / movie.name})
        files = {name: file_digest(path) for name, path in made.items()}
        for name, path in made.items():
            _publish(path, out_dir / name)
        pause_point("publish")
        return SceneResult(
            scene=job.scene,
            video=str(movie) if movie else None,
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
            cue_ids=list(scene.cue_ids),
            audio=tracks,
            voice_fallbacks=list(narrator.fallbacks) if narrator else [],
            files=files,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _every(seconds: float, progress: Callable[[int], None]) -> Callable[[NetScene], None]:
    """An observer of a scene's animations that tells ``progress`` its frames, at most every ``seconds``."""
    last = time.monotonic()

    def observe(scene: NetScene) -> None:
        nonlocal last
        if time.monotonic() - last >= seconds:
            last = time.monotonic()
            progress(int(scene.time * config.frame_rate))

    return observe


def _with_sound(scene: NetScene, narrator: Narrator | None, job: SceneJob, movie: Path) -> dict[str, str]:
    """Give the scene's video its sound: each voiced language's speech at its cues' starts, and any
    ``add_sound`` of the scene's own; one AAC track per language in the video, one FLAC each beside it.

    Returns the FLAC file names by language (none for a silent scene).
    """
    added = _added_sound(scene, movie.parent)
    langs = job.voice_langs if narrator is not None else (job.lang,) if added is not None else ()
    if not langs:
        return {}
    info = video.probe(movie)
    seconds = info["frames"] / info["fps"]
    starts = [start for _, start, _ in scene.cues]
    tracks, names = {}, {}
    for lang in langs:
        parts = narrator.utterances(scene.cue_ids, starts, lang, SPEECH_LEAD_SECONDS) if narrator else []
        track = audio.place(parts + ([(0.0, added)] if added is not None else []), seconds)
        tracks[lang] = audio.limit(track) if added is not None else track
        names[lang] = f"{job.scene}.{lang}.flac"
        audio.write_flac(movie.parent / names[lang], tracks[lang])
    voiced = movie.with_name(f"voiced{movie.suffix}")
    video.concat([movie], voiced, audio=list(tracks.items()))
    os.replace(voiced, movie)
    return names


def _added_sound(scene: NetScene, folder: Path):
    """The sound a scene added itself (manim's ``add_sound``), as a track, or None."""
    writer = scene.renderer.file_writer
    if not getattr(writer, "includes_sound", False):
        return None
    wav = folder / "added.wav"
    writer.audio_segment.export(str(wav), format="wav")
    return audio.read_sound(wav)


def _save_png(frame: np.ndarray, path: Path) -> None:
    Image.fromarray(frame.astype(np.uint8)).save(path)


def _publish(src: Path, dst: Path) -> None:
    """Move a finished file into place atomically (same file system)."""
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    shutil.move(str(src), tmp)
    os.replace(tmp, dst)
