"""From targets to files: facts once per chapter, one worker process per scene
(or another executor, see ``netreel.render.executors``), then the chapter video,
its subtitles and ``manifest.json``.

A scene whose inputs (its source, the shared scene library, its words, the facts
it reads, the quality, manim's version) did not change since the last render is
not rendered again.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import manim

import netreel.scenes
from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.scenes.registry import Chapter
from netreel.scenes.common.ledger import Shown
from netreel.scenes.common.text import DEFAULT_LANG, CatalogError, check_font, check_language, languages, tr
from netreel.render import video
from netreel.render.aspect import DEFAULT_ASPECT, folder_suffix
from netreel.render.worker import SceneJob, SceneResult, render_scene

OnDone = Callable[[SceneJob, SceneResult], None]


class Executor(Protocol):
    """Renders jobs somewhere, calling ``on_done`` here as each finishes (see ``netreel.render.executors``)."""

    def run(self, jobs: list[SceneJob], on_done: OnDone) -> None: ...


SCENES_ROOT = Path(netreel.scenes.__file__).resolve().parent
MANIFEST = "manifest.json"


class RenderError(Exception):
    """A render that could not finish; the message names the scene and the cause."""


def scene_failed(job: SceneJob, err: BaseException) -> RenderError:
    """A scene's own error, reported with its name."""
    return RenderError(f"{job.chapter}.{job.scene} failed: {type(err).__name__}: {err}")


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

    @property
    def variant(self) -> str:
        """The quality, aspect and background of these renders, as their folder is named."""
        return variant(self.quality, self.aspect, self.transparent)


def variant(quality: str, aspect: str, transparent: bool) -> str:
    """A quality, aspect and background as their renders' folder is named (``low``, ``low-4x3``, ``low-alpha``)."""
    return quality + folder_suffix(aspect) + ("-alpha" if transparent else "")


@dataclass
class ChapterOutput:
    chapter: str
    folder: Path
    video: Path | None  # None when some scene of the chapter is not rendered yet
    rendered: list[str]  # scenes rendered by this run
    reused: list[str]  # scenes whose previous render was still current


def output_dir(opts: RenderOptions, chapter: Chapter) -> Path:
    folder = opts.out / chapter.id / opts.variant
    return folder if opts.lang == "en" else folder / opts.lang


def _library_source() -> str:
    """The shared scene code every scene draws with."""
    files = sorted((SCENES_ROOT / "common").glob("*.py"))
    return "".join(p.read_text(encoding="utf-8") for p in files)


@functools.lru_cache(maxsize=None)
def _class_source(cls: type) -> str:
    """A class's source, found once (``inspect`` parses the whole module for every class it looks up)."""
    return inspect.getsource(cls)


def scene_hash(cls: type, siblings: list[type], facts_digest: str, quality: str, lang: str) -> str:
    """A content hash of everything that decides a scene's video.

    The scene's own class, the rest of its module without its sibling scenes
    (so editing one scene does not re-render the others), the shared library,
    the words catalogs of its chapter in every language (each one's reading time
    sets how long a subcaption stays up), the facts, quality, language, manim.
    """
    module = sys.modules[cls.__module__]
    module_source = inspect.getsource(module)
    beside = Path(module.__file__)  # a scene file of one's own may bring its words: file.toml, file.zh.toml
    for other in siblings:
        if other is not cls:
            module_source = module_source.replace(_class_source(other), "")
    words = []
    for each in languages():
        words += [SCENES_ROOT / "locale" / each / f"{cls.chapter}.toml", SCENES_ROOT / "locale" / each / "common.toml"]
        words.append(beside.with_suffix(".toml" if each == DEFAULT_LANG else f".{each}.toml"))
    h = hashlib.sha256()
    for part in (
        _class_source(cls),
        module_source,
        _library_source(),
        *(path.read_text(encoding="utf-8") if path.exists() else "" for path in words),
        facts_digest,
        quality,
        lang,
        manim.__version__,
    ):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def read_manifest(folder: Path) -> dict:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("scenes"), dict) else {"scenes": {}}
    except (OSError, ValueError):
        return {"scenes": {}}


def write_manifest(folder: Path, manifest: dict) -> None:
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{MANIFEST}.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1)
    os.replace(name, folder / MANIFEST)


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which stops them and cleans up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _executor(jobs: int) -> ProcessPoolExecutor:
    # Workers stopped by Ctrl-C leave their queue's semaphore to multiprocessing's
    # resource tracker, which cleans it up; its warning about that is noise to a user.
    quiet = "ignore:resource_tracker:UserWarning"
    if quiet not in os.environ.get("PYTHONWARNINGS", ""):
        os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), quiet]))
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["manim", "netreel.render.worker", "netreel.scenes.common.base"])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, max_tasks_per_child=1, initializer=_ignore_sigint)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started, end the workers that are rendering."""
    for process in list((pool._processes or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def run_jobs(jobs: list[SceneJob], n_workers: int, on_done: OnDone, executor: Executor | None = None) -> None:
    """Render jobs in worker processes (or on ``executor``), calling ``on_done`` as each finishes; stop at the first failure."""
    if not jobs:
        return
    if executor is not None:
        return executor.run(jobs, on_done)
    pool = _executor(min(n_workers, len(jobs)))
    pending: dict[Future, SceneJob] = {pool.submit(render_scene, job): job for job in jobs}
    try:
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                job = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise RenderError(f"the worker rendering {job.chapter}.{job.scene} died") from None
                except Exception as err:
                    raise scene_failed(job, err) from err
                on_done(job, result)
    except BaseException:
        _stop(pool)
        for folder in {Path(job.out_dir) for job in jobs}:
            shutil.rmtree(folder / ".work", ignore_errors=True)
        raise
    pool.shutdown(wait=True)


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
    hashes = {cls.__name__: scene_hash(cls, all_scenes, facts.digest(), opts.variant, opts.lang) for cls in all_scenes}
    timing = {cls.__name__: scene_hash(cls, all_scenes, facts.digest(), opts.variant, "") for cls in scenes}
    todo = [cls for cls in scenes if opts.force or not _current(manifest, folder, cls.__name__, hashes)]
    reused = [cls.__name__ for cls in scenes if cls not in todo]
    for name in reused:
        report(f"{chapter.id}.{name}: unchanged, kept")
    jobs = [
        SceneJob(
            chapter.id, cls.__module__, cls.__name__, facts, opts.quality, str(folder), opts.lang,
            aspect=opts.aspect, transparent=opts.transparent, path=getattr(chapter, "path", None),
            timing_key=timing[cls.__name__],
        )
        for cls in todo
    ]
    return ChapterRun(chapter, folder, manifest, all_scenes, scenes, hashes, jobs, reused)


def render(
    targets: list[tuple[Chapter, list[type]]],
    opts: RenderOptions,
    report: Callable[[str], None] = lambda line: None,
) -> list[ChapterOutput]:
    """Render the targets' scenes that changed, then assemble each chapter.

    The scenes of all target chapters share the workers, longest first (no long
    scene is left for last); a chapter is assembled as soon as its scenes are done.
    """
    check_words(targets, opts)
    runs = {chapter.id: plan_chapter(chapter, scenes, opts, report) for chapter, scenes in targets}
    cost = {(run.chapter.id, cls.__name__): _expected_cost(run.manifest, cls) for run in runs.values() for cls in run.targets}
    jobs = sorted((job for run in runs.values() for job in run.jobs), key=lambda job: -cost[job.chapter, job.scene])

    def finish(run: ChapterRun) -> None:
        for cls in run.targets:
            entry = run.manifest["scenes"][cls.__name__]
            for lang in opts.subtitles:
                write_srt(run.folder / subtitle_name(f"{cls.__name__}.srt", lang), scene_cues(entry, lang))
        video_path = None if opts.transparent else assemble(
            run.chapter, run.scenes, run.folder, run.manifest, run.hashes, opts.lang, opts.subtitles,
        )
        run.output = ChapterOutput(run.chapter.id, run.folder, video_path, [job.scene for job in run.jobs], run.reused)

    def on_done(job: SceneJob, result: SceneResult) -> None:
        run = runs[job.chapter]
        run.finished += 1
        run.manifest["scenes"][job.scene] = {"hash": run.hashes[job.scene], **_scene_record(result)}
        write_manifest(run.folder, run.manifest)
        entry = run.manifest["scenes"][job.scene]
        report(
            f"[{run.finished}/{len(run.jobs)}] {job.chapter}.{job.scene}: "
            f"{entry['duration']:.1f} s of video in {result.render_seconds:.1f} s"
        )
        if run.finished == len(run.jobs):
            finish(run)

    run_jobs(jobs, opts.jobs, on_done, opts.executor)
    for run in runs.values():
        if run.output is None:
            finish(run)
    return [run.output for run in runs.values()]


def _expected_cost(manifest: dict, cls: type) -> float:
    """How long a scene takes: the CPU seconds of its last render at this quality, else its estimated length."""
    return float(manifest["scenes"].get(cls.__name__, {}).get("cpu_seconds") or cls.estimated_seconds)


def check_words(targets: list[tuple[Chapter, list[type]]], opts: RenderOptions) -> None:
    """Before rendering: every language asked for has all the targets' words, and the screen's has its font."""
    prefixes = ["common", *{cls.chapter for _, scenes in targets for cls in scenes}]
    for lang in dict.fromkeys([opts.lang, *opts.subtitles]):
        check_language(lang, prefixes)
    check_font(opts.lang)


def subtitle_name(name: str, lang: str) -> str:
    """``network.srt`` in another language: ``network.zh.srt`` (players pick the language from the name)."""
    stem, _, suffix = name.rpartition(".")
    return f"{stem}.{lang}.{suffix}"


def scene_cues(entry: dict, lang: str) -> list[video.Cue]:
    """A rendered scene's cues in ``lang``: the same timings, each caption in that language's words.

    The fills were the ledger's formatted numbers when the scene said them.
    """
    return [
        (tr(key, lang, **{name: Shown(value) for name, value in fills.items()}), start, end)
        for (key, fills), (_, start, end) in zip(entry["captions"], entry["cues"])
    ]


def write_srt(path: Path, cues: list[video.Cue]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(video.cues_to_srt(cues), encoding="utf-8")
    os.replace(tmp, path)


def _current(manifest: dict, folder: Path, name: str, hashes: dict[str, str]) -> bool:
    entry = manifest["scenes"].get(name)
    return bool(entry) and entry.get("hash") == hashes[name] and (folder / entry.get("video", f"{name}.mp4")).exists()


def _scene_record(result: SceneResult) -> dict:
    info = video.probe(result.video)
    record = asdict(result)
    record.update(video=Path(result.video).name, still=Path(result.still).name, srt=f"{result.scene}.srt")
    record.update(duration=info["frames"] / info["fps"], frames=info["frames"], width=info["width"], height=info["height"])
    return record


def assemble(
    chapter: Chapter, scenes: list[type], folder: Path, manifest: dict, hashes: dict[str, str],
    lang: str = DEFAULT_LANG, subtitles: tuple[str, ...] = (),
) -> Path | None:
    """Join the chapter's scene videos and subtitles, when every scene is current.

    The video's own language (``lang``) is its first subtitle track and ``<chapter>.srt``;
    each language of ``subtitles`` gets ``<chapter>.<lang>.srt`` and a track of its own.
    """
    names = [cls.__name__ for cls in scenes]
    if not all(_current(manifest, folder, n, hashes) for n in names):
        return None
    target = folder / f"{chapter.id}.mp4"
    key = [hashes[n] for n in names]
    srt_files = {each: subtitle_name(target.with_suffix(".srt").name, each) for each in subtitles}
    previous = manifest.get("chapter", {})
    if previous.get("scene_hashes") == key and previous.get("subtitles", {}) == srt_files and "chapters" in previous and target.exists():
        return target
    entries = [manifest["scenes"][n] for n in names]
    cues = video.join_cues([(e["duration"], e["cues"]) for e in entries])
    tracks = {lang: cues}
    for each in subtitles:
        tracks.setdefault(each, video.join_cues([(e["duration"], scene_cues(e, each)) for e in entries]))
    starts = video.join_cues([(e["duration"], [(scene_title(cls, lang), 0.0, e["duration"])]) for cls, e in zip(scenes, entries)])
    video.concat([folder / e["video"] for e in entries], target, chapters=starts, tracks=list(tracks.items()))
    srt_path = target.with_suffix(".srt")
    write_srt(srt_path, cues)
    for each, name in srt_files.items():
        write_srt(folder / name, tracks[each])
    manifest["chapter"] = {
        "video": target.name,
        "srt": srt_path.name,
        "subtitles": srt_files,
        "scenes": names,
        "scene_hashes": key,
        "duration": sum(e["duration"] for e in entries),
        "chapters": [[title, start, end] for title, start, end in starts],
    }
    write_manifest(folder, manifest)
    return target


def scene_title(cls: type, lang: str = DEFAULT_LANG) -> str:
    """A scene's title from its catalog (its chapter marker and its name in the gallery), else its class name."""
    try:
        return tr(f"{cls.chapter}.{cls.__name__}.title", lang)
    except CatalogError:
        return cls.__name__
