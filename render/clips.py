"""Clips for slides: each section of a scene (a pedagogical step) as a file of its own.

A scene's sections start where it called ``self.step(name)``; the worker records
their start times, which fall on frame boundaries (manim advances its clock one
frame at a time), so a section is an exact range of the scene video's frames.
Each clip gets a poster (its last frame, PNG) and the chapter's folder of clips
an ``index.json`` (chapter, scene, section, file, poster, duration, notes).

Every file is written under a temporary name and renamed when complete: an
interrupted export never replaces a good clip with a partial one.
"""

from __future__ import annotations

import json
import math
import os
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path

import av
import numpy as np
from PIL import Image

from netreel.render import audio, video


@dataclass(frozen=True)
class ClipFormat:
    name: str
    suffix: str
    alpha: bool  # can carry a transparent background
    codec: str = ""  # PyAV encoder; empty for formats written with Pillow
    pix_fmt: str = "yuv420p"
    alpha_codec: str = ""
    alpha_pix_fmt: str = ""
    options: dict = field(default_factory=dict)
    alpha_options: dict = field(default_factory=dict)


FORMATS = {
    f.name: f
    for f in (
        ClipFormat("mp4", ".mp4", False, "libx264", options={"crf": "20"}),
        ClipFormat(
            "webm", ".webm", True, "libvpx-vp9", alpha_codec="libvpx-vp9", alpha_pix_fmt="yuva420p",
            options={"crf": "32", "b": "0", "deadline": "good", "cpu-used": "4", "row-mt": "1"},
            alpha_options={"crf": "32", "b": "0", "deadline": "good", "cpu-used": "4", "row-mt": "1"},
        ),
        ClipFormat(
            # QuickTime Animation (qtrle): lossless RGB with alpha, small for flat colours, read by editors
            "mov", ".mov", True, "libx264", alpha_codec="qtrle", alpha_pix_fmt="argb", options={"crf": "20"},
        ),
        ClipFormat("gif", ".gif", False),
        ClipFormat("png", ".png", True),  # the section's last frame
    )
}
ALPHA_FORMATS = [name for name, f in FORMATS.items() if f.alpha]
INDEX = "index.json"


class ClipError(Exception):
    """An export that cannot be made as asked; the message says what can."""


def check_format(name: str, transparent: bool) -> ClipFormat:
    """The format called ``name``, refusing ``transparent`` where the format has no alpha channel."""
    if name not in FORMATS:
        raise ClipError(f"unknown clip format {name!r}; choose from {', '.join(FORMATS)}")
    if transparent and not FORMATS[name].alpha:
        raise ClipError(
            f"--transparent needs a format with an alpha channel: {', '.join(ALPHA_FORMATS)} ({name} has none)"
        )
    return FORMATS[name]


@dataclass
class Clip:
    """One exported section, as listed in the index (paths relative to the index's folder)."""

    chapter: str
    scene: str
    section: str
    index: int  # 1-based, in the scene
    file: str
    poster: str
    start: float  # seconds into the scene video
    duration: float
    frames: int
    width: int
    height: int
    format: str
    transparent: bool
    notes: list[str]  # the subcaptions spoken during the section
    source_hash: str  # the scene render the clip was cut from


def section_ranges(entry: dict, fps: float) -> list[tuple[str, int, int]]:
    """(name, first frame, end frame) of each non-empty section of a scene's manifest entry.

    Frames before the first section (a scene that draws before its first step) join that section.
    """
    starts = [(name, round(t * fps)) for name, t in entry["sections"]]
    ranges = []
    for k, (name, first) in enumerate(starts):
        first = 0 if k == 0 else first
        end = starts[k + 1][1] if k + 1 < len(starts) else int(entry["frames"])
        if end > first:
            ranges.append((name, first, end))
    return ranges


def clip_folder(render_folder: Path, fmt: str) -> Path:
    return render_folder / "clips" / fmt


def read_index(folder: Path) -> list[dict]:
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
        return data if isinstance(data, list) else []
    except (OSError, ValueError):
        return []


def export(chapter: str, render_folder: Path, manifest: dict, scenes: list[str], fmt: str, fps: float) -> list[Clip]:
    """Export the sections of ``scenes`` (rendered in ``render_folder``) as clips of format ``fmt``.

    A scene whose clips in this format were cut from its current render is not exported again.
    The index keeps the clips of the chapter's other scenes.
    """
    spec = FORMATS[fmt]
    folder = clip_folder(render_folder, fmt)
    folder.mkdir(parents=True, exist_ok=True)
    previous = [c for c in read_index(folder) if c.get("chapter") == chapter]
    clips: list[Clip] = []
    for scene in scenes:
        entry = manifest["scenes"][scene]
        kept = [Clip(**c) for c in previous if c["scene"] == scene and c["source_hash"] == entry["hash"]]
        if kept and all((folder / c.file).exists() and (folder / c.poster).exists() for c in kept):
            clips += kept
            continue
        clips += _export_scene(chapter, scene, entry, render_folder / entry["video"], folder, spec, fps)
    exported = {c.scene for c in clips}
    others = [c for c in previous if c["scene"] not in exported]
    _write_json(folder / INDEX, others + [asdict(c) for c in clips])
    return clips


SOUND_SUFFIXES = (".mp4", ".mov")  # containers that take the AAC narration as it is


def _scene_sound(folder: Path, entry: dict) -> list[tuple[str, np.ndarray]]:
    """The scene's narration tracks by language (its render's first), to cut with its sections."""
    return [(lang, audio.read_sound(folder / name)) for lang, name in entry.get("audio", {}).items()]


def _export_scene(chapter: str, scene: str, entry: dict, source: Path, folder: Path, spec: ClipFormat, fps: float) -> list[Clip]:
    transparent = source.suffix == ".mov"  # transparent renders are lossless .mov with alpha
    ranges = section_ranges(entry, fps)
    sound = _scene_sound(source.parent, entry) if spec.suffix in SOUND_SUFFIXES and not transparent else []
    clips = []
    with av.open(str(source)) as container:
        frames = (f.to_ndarray(format="rgba" if transparent else "rgb24") for f in container.decode(video=0))
        position = 0
        for number, (name, first, end) in enumerate(ranges, start=1):
            stem = f"{scene}-{number:02d}-{name}"
            file = f"{stem}{spec.suffix}"
            poster = file if spec.name == "png" else f"{stem}.png"
            for _ in range(first - position):
                next(frames)
            writer = _writer(folder / file, spec, transparent, fps)
            last = None
            try:
                for _ in range(end - first):
                    last = next(frames)
                    writer.write(last)
                writer.close()
            finally:
                writer.discard()
            position = end
            if sound:
                at, to = round(first / fps * audio.RATE), round(end / fps * audio.RATE)
                video.concat([folder / file], folder / file, audio=[(lang, track[at:to]) for lang, track in sound])
            if poster != file:
                _save_image(last, folder / poster)
            start, stop = first / fps, end / fps
            notes = [text for text, t0, _ in entry["cues"] if start - 1e-6 <= t0 < stop - 1e-6]
            height, width = last.shape[:2]
            clips.append(
                Clip(chapter, scene, name, number, file, poster, start, (end - first) / fps, end - first,
                     width, height, spec.name, transparent, notes, entry["hash"])
            )
    return clips


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")


def _save_image(frame: np.ndarray, path: Path) -> None:
    tmp = _temporary(path)
    try:
        Image.fromarray(frame).save(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_json(path: Path, data) -> None:
    tmp = _temporary(path)
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


class _Writer(ABC):
    """Frames in, one file out: written to a temporary name, renamed by ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = _temporary(path)

    @abstractmethod
    def write(self, frame: np.ndarray) -> None:
        """Add one frame."""

    @abstractmethod
    def finish(self) -> None:
        """Complete the temporary file."""

    def close(self) -> None:
        self.finish()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        self.tmp.unlink(missing_ok=True)


class _VideoWriter(_Writer):
    def __init__(self, path: Path, spec: ClipFormat, transparent: bool, fps: float) -> None:
        super().__init__(path)
        self.codec = spec.alpha_codec if transparent else spec.codec
        self.pix_fmt = spec.alpha_pix_fmt if transparent else spec.pix_fmt
        self.options = spec.alpha_options if transparent else spec.options
        self.fps = int(round(fps))
        self.container = None
        self.stream = None
        self.count = 0

    def write(self, frame: np.ndarray) -> None:
        if self.container is None:
            options = {"movflags": "+faststart"} if self.path.suffix in (".mp4", ".mov") else {}
            self.container = av.open(str(self.tmp), mode="w", format=self.path.suffix[1:], options=options)
            self.stream = self.container.add_stream(self.codec, rate=self.fps, options=dict(self.options))
            self.stream.height, self.stream.width = frame.shape[:2]
            self.stream.pix_fmt = self.pix_fmt
        image = av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgba" if frame.shape[2] == 4 else "rgb24")
        image.pts = self.count
        self.count += 1
        for packet in self.stream.encode(image):
            self.container.mux(packet)

    def finish(self) -> None:
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()
        self.container = None

    def discard(self) -> None:
        if self.container is not None:
            self.container.close()
            self.container = None
        super().discard()


GIF_MAX_FPS = 25  # browsers slow down GIF frames shorter than two hundredths of a second


class _GifWriter(_Writer):
    """An animated GIF with one palette for the whole clip, durations kept exact over the clip."""

    def __init__(self, path: Path, fps: float) -> None:
        super().__init__(path)
        self.step = math.ceil(fps / GIF_MAX_FPS)
        self.fps = fps / self.step
        self.frames: list[Image.Image] = []
        self.count = 0

    def write(self, frame: np.ndarray) -> None:
        if self.count % self.step == 0:
            self.frames.append(Image.fromarray(frame[..., :3]))
        self.count += 1

    def finish(self) -> None:
        sample = self.frames[:: max(1, len(self.frames) // 16)]
        sheet = Image.new("RGB", (sample[0].width, sample[0].height * len(sample)))
        for k, image in enumerate(sample):
            sheet.paste(image, (0, k * image.height))
        palette = sheet.quantize(colors=255, method=Image.Quantize.MEDIANCUT)
        frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in self.frames]
        # GIF counts time in hundredths of a second: round the running time, not each frame.
        ticks = [round(100 * (k + 1) / self.fps) - round(100 * k / self.fps) for k in range(len(frames))]
        frames[0].save(self.tmp, format="GIF", save_all=True, append_images=frames[1:], duration=[10 * t for t in ticks], loop=0)


class _LastFrameWriter(_Writer):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.last = None

    def write(self, frame: np.ndarray) -> None:
        self.last = frame

    def finish(self) -> None:
        Image.fromarray(self.last).save(self.tmp, format="PNG")


def _writer(path: Path, spec: ClipFormat, transparent: bool, fps: float) -> _Writer:
    if spec.name == "gif":
        return _GifWriter(path, fps)
    if spec.name == "png":
        return _LastFrameWriter(path)
    return _VideoWriter(path, spec, transparent, fps)
