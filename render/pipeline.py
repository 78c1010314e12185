"""From targets to files: facts once per chapter, one worker process per scene
(or another executor, see ``netreel.render.executors``), then the chapter video,
its subtitles and ``manifest.json``.

A scene whose inputs (its source, the shared scene library, its words, the facts
it reads, the quality, manim's version) did not change since the last render, and
whose files are still those that render made, is not rendered again. One render at
a time writes into a chapter's folder (:mod:`netreel.render.lock`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts
from netreel.render import narrator, video
from netreel.render.progress import Planned, Progress, as_progress
from netreel.render.aspect import DEFAULT_ASPECT
from netreel.render.chapter import (
    assemble, converted, is_current, read_manifest, scene_cues, subtitle_name, write_manifest, write_srt,
)
from netreel.render.executors import LocalPoolExecutor
from netreel.render.hashing import scene_hash, variant
from netreel.render.lock import FolderLock
from netreel.render.jobs import Executor, OnDone, OnProgress, SceneJob, SceneResult, no_progress
from netreel.render.limits import DEFAULT_SCENE_SECONDS
from netreel.render.presets import QUALITIES
from netreel.scenes.common.text import check_font, check_language
from netreel.scenes.registry import Chapter


@dataclass
class RenderOptions:
    quality: str = "low"
    out: Path = Path("renders")
    jobs: int = 1
    lang: str = "en"
    subtitles: tuple[str, ...] = ()  # languages whose subtitles to write too (same timings) and mux as tracks
    net: NetConfig = field(default_factory=NetConfig)
    force: bool = False
    aspect: str = DEFAULT_ASPECT
    transparent: bool = False  # scene videos with alpha (.mov), the source of transparent clips
    executor: Executor | None = None  # None: a pool of local worker processes (``jobs`` of them)
    voice: str = "none"  # who speaks the narration (see netreel.render.speech); "none": silent
    scene_timeout: float = DEFAULT_SCENE_SECONDS  # a local worker rendering one scene longer than this is stopped
    burn: bool = False  # the cues' words burned into the picture, in the render's language (a folder of its own)
    fmt: str = "mp4"  # webm or gif: the chapter video (or each scene's, when there is none) made in that format too

    @property
    def voice_langs(self) -> tuple[str, ...]:
        """The languages spoken: the render's, then its subtitles' (one audio track each, same timings)."""
        return tuple(dict.fromkeys([self.lang, *self.subtitles])) if self.voice != "none" else ()

    @property
    def variant(self) -> str:
        """The quality, aspect, background and subtitles of these renders, as their folder is named."""
        return variant(self.quality, self.aspect, self.transparent, self.burn)


@dataclass
class ChapterOutput:
    chapter: str
    folder: Path
    video: Path | None  # None when some scene of the chapter is not rendered yet
    rendered: list[str]  # scenes rendered by this run
    reused: list[str]  # scenes whose previous render was still current
    converted: list[Path] = field(default_factory=list)  # in RenderOptions.fmt, when webm or gif


def output_dir(opts: RenderOptions, chapter: Chapter) -> Path:
    folder = opts.out / chapter.id / opts.variant
    return folder if opts.lang == "en" else folder / opts.lang


def run_jobs(
    jobs: list[SceneJob], n_workers: int, on_done: OnDone, executor: Executor | None = None,
    on_progress: OnProgress = no_progress, limit: float | None = DEFAULT_SCENE_SECONDS,
) -> None:
    """Render jobs on ``executor`` (else in up to ``n_workers`` local worker processes, each scene
    for at most ``limit`` seconds), calling ``on_done`` as each finishes (and ``on_progress`` as
    each draws); stop at the first failure."""
    if jobs:
        (executor or LocalPoolExecutor(min(n_workers, len(jobs)), limit)).run(jobs, on_done, on_progress)


@dataclass
class ChapterRun:
    """One chapter's part of a render: its scenes' hashes, what to render, its manifest as scenes finish."""

    chapter: Chapter
    folder: Path
    manifest: dict
    scenes: list[type]  # every scene of the chapter, in order
    targets: list[type]  # the scenes asked for
    hashes: dict[str, str]
    jobs: list[SceneJob]
    reused: list[str]
    facts: Facts
    finished: int = 0
    output: ChapterOutput | None = None


def plan_chapter(chapter: Chapter, scenes: list[type], opts: RenderOptions, report: Callable[[str], None]) -> ChapterRun:
    """Get the chapter's facts, hash its scenes, and list the jobs for the scenes whose inputs changed."""
    started = time.perf_counter()
    facts = facts_cache.build(chapter.facts, opts.net)
    report(f"{chapter.id}: network facts ready in {time.perf_counter() - started:.1f} s")
    folder = output_dir(opts, chapter)
    folder.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(folder)
    all_scenes = chapter.scenes()
    voices = {cls.__name__: narrator.fingerprint(opts.voice, opts.voice_langs, f"{chapter.id}.{cls.__name__}") for cls in all_scenes}
    hashes = {
        cls.__name__: scene_hash(cls, all_scenes, facts.digest(), opts.variant, opts.lang, voices[cls.__name__]) for cls in all_scenes
    }
    timing = {cls.__name__: scene_hash(cls, all_scenes, facts.digest(), opts.variant, "", voices[cls.__name__]) for cls in scenes}
    todo = [
        cls for cls in scenes
        if opts.force or not is_current(manifest, folder, cls.__name__, hashes, facts)
    ]
    reused = [cls.__name__ for cls in scenes if cls not in todo]
    for name in reused:
        report(f"{chapter.id}.{name}: unchanged, kept")
    jobs = [
        SceneJob(
            chapter.id, cls.__module__, cls.__name__, facts, opts.quality, str(folder), opts.lang,
            aspect=opts.aspect, transparent=opts.transparent, burn=opts.burn, path=getattr(chapter, "path", None),
            timing_key=timing[cls.__name__], voice=opts.voice, voice_langs=opts.voice_langs,
            voice_key=voices[cls.__name__],
        )
        for cls in todo
    ]
    return ChapterRun(chapter, folder, manifest, all_scenes, scenes, hashes, jobs, reused, facts)


CONVERTED = ("webm", "gif")  # formats a render writes beside its mp4 (or .mov) videos


def convert(run: ChapterRun, video_path: Path | None, fmt: str, report: Callable[[str], None]) -> list[Path]:
    """The chapter's video in ``fmt``, or each asked scene's when the chapter has none; kept while current."""
    scenes = run.manifest["scenes"]
    sources = [(run.manifest["chapter"], video_path.name)] if video_path else [(scenes[c.__name__], scenes[c.__name__]["video"]) for c in run.targets]
    made = []
    for record, name in sources:
        started = time.perf_counter()
        path, now = converted(run.folder, record, name, fmt)
        made.append(path)
        report(f"{run.chapter.id}: {path.name} made from {name} in {time.perf_counter() - started:.1f} s" if now else f"{run.chapter.id}: {path.name} unchanged, kept")
    write_manifest(run.folder, run.manifest)
    return made


def render(
    targets: list[tuple[Chapter, list[type]]],
    opts: RenderOptions,
    report: Callable[[str], None] | Progress = lambda line: None,
) -> list[ChapterOutput]:
    """Render the targets' scenes that changed, then assemble each chapter.

    The scenes of all target chapters share the workers, longest first (no long
    scene is left for last); a chapter is assembled as soon as its scenes are done.
    ``report`` is told each step as a line, or, a :class:`Progress`, follows the scenes as they render.
    """
    progress = as_progress(report)
    check_words(targets, opts)
    narrator.check(opts.voice, opts.voice_langs)
    with contextlib.ExitStack() as held:
        for chapter, _ in targets:
            held.enter_context(FolderLock(output_dir(opts, chapter)))
        return _render(targets, opts, progress)


def _render(targets: list[tuple[Chapter, list[type]]], opts: RenderOptions, progress: Progress) -> list[ChapterOutput]:
    """:func:`render`, its output folders held."""
    runs = {chapter.id: plan_chapter(chapter, scenes, opts, progress) for chapter, scenes in targets}
    planned = {
        (run.chapter.id, cls.__name__): _planned(run.chapter.id, run.manifest, cls, opts.quality)
        for run in runs.values() for cls in run.targets
    }
    jobs = sorted(
        (job for run in runs.values() for job in run.jobs), key=lambda job: -planned[job.chapter, job.scene].expected,
    )

    def finish(run: ChapterRun) -> None:
        for cls in run.targets:
            entry = run.manifest["scenes"][cls.__name__]
            for lang in opts.subtitles:
                write_srt(run.folder / subtitle_name(f"{cls.__name__}.srt", lang), scene_cues(entry, lang, run.facts))
        video_path = None if opts.transparent else assemble(
            run.chapter, run.scenes, run.folder, run.manifest, run.hashes, run.facts, opts.lang, opts.subtitles,
        )
        run.output = ChapterOutput(run.chapter.id, run.folder, video_path, [job.scene for job in run.jobs], run.reused)
        if opts.fmt in CONVERTED:
            run.output.converted = convert(run, video_path, opts.fmt, progress)

    def on_done(job: SceneJob, result: SceneResult) -> None:
        run = runs[job.chapter]
        run.finished += 1
        run.manifest["scenes"][job.scene] = {"hash": run.hashes[job.scene], **_scene_record(result)}
        write_manifest(run.folder, run.manifest)
        entry = run.manifest["scenes"][job.scene]
        progress.done(f"{job.chapter}.{job.scene}", result.render_seconds, f" ({entry['duration']:.1f} s of video)")
        if result.voice_fallbacks:
            progress(
                f"warning: {job.chapter}.{job.scene}: no recording for {', '.join(result.voice_fallbacks)}; "
                "the offline voice says them"
            )
        if run.finished == len(run.jobs):
            finish(run)

    def on_progress(job: SceneJob, frames: int) -> None:
        progress.advanced(f"{job.chapter}.{job.scene}", frames)

    if jobs:
        progress.begin([planned[job.chapter, job.scene] for job in jobs], opts.jobs)
    run_jobs(jobs, opts.jobs, on_done, opts.executor, on_progress, opts.scene_timeout)
    for run in runs.values():
        if run.output is None:
            finish(run)
    return [run.output for run in runs.values()]


def _planned(chapter: str, manifest: dict, cls: type, quality: str) -> Planned:
    """How long a scene takes and its frames: those of its last render at this quality, else its estimated length."""
    last = manifest["scenes"].get(cls.__name__, {})
    if last.get("cpu_seconds") and last.get("frames"):
        return Planned(f"{chapter}.{cls.__name__}", float(last["cpu_seconds"]), int(last["frames"]), recorded=True)
    frames = round(cls.estimated_seconds * QUALITIES[quality].fps)
    return Planned(f"{chapter}.{cls.__name__}", float(cls.estimated_seconds), frames)


def check_words(targets: list[tuple[Chapter, list[type]]], opts: RenderOptions) -> None:
    """Before rendering: every language asked for has all the targets' words, and the screen's has its font."""
    prefixes = ["common", *{cls.chapter for _, scenes in targets for cls in scenes}]
    for lang in dict.fromkeys([opts.lang, *opts.subtitles]):
        check_language(lang, prefixes)
    check_font(opts.lang)


def _scene_record(result: SceneResult) -> dict:
    info = video.probe(result.video)
    record = asdict(result)
    record.update(video=Path(result.video).name, still=Path(result.still).name, srt=f"{result.scene}.srt")
    record.update(duration=info["frames"] / info["fps"], frames=info["frames"], width=info["width"], height=info["height"])
    return record


