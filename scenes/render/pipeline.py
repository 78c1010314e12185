"""From targets to files: facts once per chapter, one worker process per scene,
then the chapter video, its subtitles and ``manifest.json``.

A scene whose inputs (its source, the shared scene library, its words, the facts
it reads, the quality, manim's version) did not change since the last render is
not rendered again.
"""

from __future__ import annotations

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

import manim

import nets.facts
from nets.config import NetConfig
from scenes.registry import Chapter
from scenes.common.ledger import Shown
from scenes.common.text import DEFAULT_LANG, CatalogError, check_font, check_language, languages, tr
from scenes.render import video
from scenes.render.aspect import DEFAULT_ASPECT, folder_suffix
from scenes.render.worker import SceneJob, SceneResult, render_scene

SCENES_ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "manifest.json"


class RenderError(Exception):
    """A render that could not finish; the message names the scene and the cause."""


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

    @property
    def variant(self) -> str:
        """The quality, aspect and background of these renders, as their folder is named."""
        return self.quality + folder_suffix(self.aspect) + ("-alpha" if self.transparent else "")


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
            module_source = module_source.replace(inspect.getsource(other), "")
    words = []
    for each in languages():
        words += [SCENES_ROOT / "locale" / each / f"{cls.chapter}.toml", SCENES_ROOT / "locale" / each / "common.toml"]
        words.append(beside.with_suffix(".toml" if each == DEFAULT_LANG else f".{each}.toml"))
    h = hashlib.sha256()
    for part in (
        inspect.getsource(cls),
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
    ctx.set_forkserver_preload(["manim", "scenes.render.worker", "scenes.common.base"])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, max_tasks_per_child=1, initializer=_ignore_sigint)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel what has not started, end the workers that are rendering."""
    for process in list((pool._processes or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def run_jobs(jobs: list[SceneJob], n_workers: int, on_done: Callable[[SceneJob, SceneResult], None]) -> None:
    """Render jobs in worker processes, calling ``on_done`` as each finishes; stop at the first failure."""
    if not jobs:
        return
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
                except Exception as err:  # a scene's own error, reported with its name
                    raise RenderError(f"{job.chapter}.{job.scene} failed: {type(err).__name__}: {err}") from err
                on_done(job, result)
    except BaseException:
        _stop(pool)
        for folder in {Path(job.out_dir) for job in jobs}:
            shutil.rmtree(folder / ".work", ignore_errors=True)
        raise
    pool.shutdown(wait=True)


def render(
    targets: list[tuple[Chapter, list[type]]],
    opts: RenderOptions,
    report: Callable[[str], None] = lambda line: None,
) -> list[ChapterOutput]:
    """Render the targets' scenes that changed, then assemble each chapter."""
    check_words(targets, opts)
    outputs = []
    for chapter, scenes in targets:
        started = time.perf_counter()
        facts = nets.facts.build(chapter.facts, opts.net)
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
        count = {"done": 0}

        def on_done(job: SceneJob, result: SceneResult) -> None:
            count["done"] += 1
            manifest["scenes"][job.scene] = {"hash": hashes[job.scene], **_scene_record(result)}
            write_manifest(folder, manifest)
            entry = manifest["scenes"][job.scene]
            report(
                f"[{count['done']}/{len(jobs)}] {chapter.id}.{job.scene}: "
                f"{entry['duration']:.1f} s of video in {result.render_seconds:.1f} s"
            )

        run_jobs(jobs, opts.jobs, on_done)
        for cls in scenes:
            entry = manifest["scenes"][cls.__name__]
            for lang in opts.subtitles:
                write_srt(folder / subtitle_name(f"{cls.__name__}.srt", lang), scene_cues(entry, lang))
        chapter_video = None if opts.transparent else assemble(chapter, all_scenes, folder, manifest, hashes, opts.lang, opts.subtitles)
        outputs.append(ChapterOutput(chapter.id, folder, chapter_video, [c.__name__ for c in todo], reused))
    return outputs


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
