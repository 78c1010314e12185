"""Previews: one scene rendered quickly, and again each time its file is saved.

A preview renders in this process (no worker start-up) from the stored network
facts; a watch renders each time in a fresh worker process, which imports the
scene's code as it is on disk now.

A failed render publishes nothing (the worker renames files into place only
when complete), so the last good preview stays where it was while the error
is reported and the watch goes on.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.scenes.common.text import DEFAULT_LANG, CatalogError, FontError, catalog, catalog_file, catalog_files
from netreel.scenes.registry import TargetError
from netreel.scenes.userfile import resolve
from netreel.render import narrator
from netreel.render.aspect import DEFAULT_ASPECT
from netreel.render.executors import InlineExecutor
from netreel.render.jobs import Executor, RenderError, SceneJob
from netreel.render.limits import DEFAULT_SCENE_SECONDS
from netreel.render.pipeline import RenderOptions, check_words, run_jobs


class PreviewError(Exception):
    """A target that is not one scene."""


@dataclass
class PreviewRequest:
    target: str
    out: Path  # the output root; previews go to OUT/preview/<chapter>, OUT/preview/<chapter>/<lang> for other languages
    quality: str = "low"
    aspect: str = DEFAULT_ASPECT
    still: bool = False
    net: NetConfig = None
    lang: str = DEFAULT_LANG
    voice: str = "none"
    transparent: bool = False  # no background: a .mov with alpha, or a PNG with alpha for a still
    scene_timeout: float = DEFAULT_SCENE_SECONDS  # a scene rendering longer than this is stopped
    burn: bool = False  # the cues' words burned into the picture


def scene_files(request: PreviewRequest) -> list[Path]:
    """The files whose saving should trigger a new preview: the scene's module and its words in the language."""
    (_, (cls,)), *_ = resolve(request.target)
    source = Path(inspect.getsourcefile(cls))
    title = f"{cls.chapter}.{cls.__name__}.title"
    return [source, *catalog_files(source, DEFAULT_LANG), catalog_file(title, request.lang)]


def render_preview(request: PreviewRequest, in_process: bool = True) -> str:
    """Render the one scene of ``request.target``; return the path of the still or the video.

    ``in_process=False`` renders in a worker process of its own instead.
    """
    (chapter, scenes), *rest = resolve(request.target)
    if rest or len(scenes) != 1:
        names = ", ".join(f"{chapter.id}.{cls.__name__}" for cls in scenes)
        raise PreviewError(f"preview takes one scene, e.g. {chapter.id}.{scenes[0].__name__}; this target has: {names}")
    return _render(request, [(chapter, scenes)], 1, InlineExecutor(request.scene_timeout) if in_process else None)[0]


def render_stills(request: PreviewRequest, jobs: int = 1, executor: Executor | None = None) -> list[str]:
    """The last frame of every scene ``request.target`` names, as PNGs beside the previews, in lecture order.

    One scene at a time in this process unless ``jobs`` > 1 (worker processes) or an ``executor`` is given.
    """
    if executor is None and jobs == 1:
        executor = InlineExecutor(request.scene_timeout)
    return _render(replace(request, still=True), resolve(request.target), jobs, executor)


def _render(request: PreviewRequest, targets: list, jobs: int, executor: Executor | None) -> list[str]:
    """Render the targets' scenes as ``request`` asks; the paths of their stills or videos, in order."""
    check_words(targets, RenderOptions(lang=request.lang))
    langs = (request.lang,) if request.voice != "none" else ()
    narrator.check(request.voice, langs)
    work = []
    for chapter, scenes in targets:
        folder = request.out / "preview" / chapter.id
        folder = folder if request.lang == DEFAULT_LANG else folder / request.lang
        facts = facts_cache.build(chapter.facts, request.net or NetConfig())
        work += [
            SceneJob(
                chapter.id, cls.__module__, cls.__name__, facts, request.quality, str(folder), request.lang,
                still=request.still, aspect=request.aspect, transparent=request.transparent, burn=request.burn,
                path=getattr(chapter, "path", None), voice=request.voice, voice_langs=langs,
            )
            for cls in scenes
        ]
    done = {}
    run_jobs(work, jobs, lambda job, result: done.__setitem__((job.chapter, job.scene), result), executor, limit=request.scene_timeout)
    results = [done[job.chapter, job.scene] for job in work]
    return [result.still if request.still else result.video for result in results]


def _stamp(files: list[Path]) -> tuple:
    return tuple(p.stat().st_mtime_ns if p.exists() else None for p in files)


def watch(
    request: PreviewRequest,
    on_preview: Callable[[str], None],
    on_error: Callable[[str], None],
    poll: float = 0.3,
) -> None:
    """Render now and after every save of the scene's files, until interrupted (Ctrl-C)."""
    files = scene_files(request)
    stamp = None
    while True:
        current = _stamp(files)
        if current != stamp:
            stamp = current
            catalog.cache_clear()  # the words may have been edited too
            try:
                on_preview(render_preview(request, in_process=False))
            except (TargetError, RenderError, CatalogError, FontError, PreviewError) as err:
                on_error(str(err))
        time.sleep(poll)
