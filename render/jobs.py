"""What a render is made of: a scene job, its result, and what runs jobs (an executor).

Picklable and free of manim objects, so jobs and results cross process and
machine boundaries (see :mod:`netreel.render.executors`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from netreel.nets.facts import Facts
from netreel.render.aspect import DEFAULT_ASPECT
from netreel.render.hashing import variant


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
    aspect: str = DEFAULT_ASPECT
    transparent: bool = False  # no background: a lossless .mov with alpha instead of an .mp4
    burn: bool = False  # its cues' words burned into the picture, in its language
    path: str | None = None  # the file of a scene outside the registry (``module`` is then its name)
    timing_key: str = ""  # a hash of all that decides the scene's timing in any language; "" keeps none
    voice: str = "none"  # the voice spec (see netreel.render.speech); "none": silent, cues last their reading time
    voice_langs: tuple[str, ...] = ()  # the languages spoken, one audio track each (the render's first)
    voice_key: str = "none"  # what decides the scene's speech (netreel.render.narrator.fingerprint), in its hash
    recordings: dict[str, bytes] = field(default_factory=dict)  # a recorded voice's files, sent to a worker elsewhere

    def __post_init__(self) -> None:
        # Absolute where the job is made: a worker may run in another folder, and manim joins
        # a relative output file onto its own media folder.
        self.out_dir = str(Path(self.out_dir).resolve())

    @property
    def variant(self) -> str:
        """The quality, aspect, background and subtitles of this render, as its folder is named."""
        return variant(self.quality, self.aspect, self.transparent, self.burn)


@dataclass
class SceneResult:
    scene: str
    video: str | None  # None for a still
    still: str
    duration: float
    cues: list[tuple[str, float, float]] = field(default_factory=list)
    captions: list[tuple[str, dict]] = field(default_factory=list)  # each cue's catalog key and fills (fill_record)
    sections: list[tuple[str, float]] = field(default_factory=list)
    render_seconds: float = 0.0
    ledger_entries: int = 0
    frames_counted: int = 0  # the frames its cue and section times count; the video has as many
    cpu_seconds: float = 0.0  # CPU time of the rendering process, encoder threads included
    peak_rss_mb: float = 0.0  # the rendering process's peak resident memory
    cue_ids: list[str] = field(default_factory=list)  # each cue's id (the name of its recording)
    audio: dict[str, str] = field(default_factory=dict)  # language -> the scene's FLAC track beside its video
    voice_fallbacks: list[str] = field(default_factory=list)  # cues without a recording, spoken by the offline voice
    files: dict[str, str] = field(default_factory=dict)  # each file written (its name) -> its digest, as made


OnDone = Callable[[SceneJob, SceneResult], None]
OnProgress = Callable[[SceneJob, int], None]  # a scene's frames drawn so far; 0 when it starts


def no_progress(job: SceneJob, frames: int) -> None:
    """An ``on_progress`` that ignores progress."""


class Executor(Protocol):
    """Renders jobs somewhere, calling ``on_done`` here as each finishes and ``on_progress``
    as each starts and draws, where it can tell (see ``netreel.render.executors``)."""

    def run(self, jobs: list[SceneJob], on_done: OnDone, on_progress: OnProgress = no_progress) -> None: ...


class RenderError(Exception):
    """A render that could not finish; the message names the scene and the cause."""


def scene_failed(job: SceneJob, err: BaseException) -> RenderError:
    """A scene's own error, reported with its name."""
    return RenderError(f"{job.chapter}.{job.scene} failed: {type(err).__name__}: {err}")
