"""Clips for slides: each section of a scene (a pedagogical step) as a file of its own.

A scene's sections start where it called ``self.step(name)``; the worker records
their start times, which fall on frame boundaries (manim advances its clock one
frame at a time), so a section is an exact range of the scene video's frames.
Each clip gets a poster (its last frame, PNG) and the chapter's folder of clips
an ``index.json`` (chapter, scene, section, file, poster, duration, notes).

An mp4 or mov clip is the scene video's own packets (its H.264; a transparent
render's QuickTime Animation), cut without decoding: the scene encoder starts
every section on an IDR frame (closed GOPs, see ``encoding``), so a section's
packets decode on their own. A section that does not start on a keyframe, or
whose frames refer to one outside it, is decoded and encoded again. Other formats are decoded a section at a time (a seek
to its first keyframe): a GIF is written frame by frame with one palette, chosen
from a sample of the section's frames before it is written. mp4 and mov clips
carry their index at the front (``faststart``), so a browser plays them while they load.

Every file is written under a temporary name and renamed when complete: an
interrupted export never replaces a good clip with a partial one.
"""

from __future__ import annotations

import json
import math
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from fractions import Fraction
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


def convert(source: Path, target: Path, fmt: str) -> None:
    """A whole video as ``target`` in format ``fmt``: a chapter's, its narration in every language
    where the format carries sound (WebM, as Opus; a GIF is silent), or a transparent scene's .mov,
    its alpha kept. Written under a temporary name: an interrupted one replaces nothing."""
    spec, transparent = FORMATS[fmt], source.suffix == ".mov"
    info = video.probe(source)
    sound = video.read_sound_tracks(source) if spec.name == "webm" else []
    with av.open(str(source)) as container:
        _cut(SceneVideo(container, info["fps"], "rgba" if transparent else "rgb24"), 0, info["frames"], target, spec, transparent, info["fps"])
    if sound:
        video.concat([target], target, audio=sound)


def _scene_sound(folder: Path, entry: dict) -> list[tuple[str, np.ndarray]]:
    """The scene's narration tracks by language (its render's first), to cut with its sections."""
    return [(lang, audio.read_sound(folder / name)) for lang, name in entry.get("audio", {}).items()]


def _export_scene(chapter: str, scene: str, entry: dict, source: Path, folder: Path, spec: ClipFormat, fps: float) -> list[Clip]:
    transparent = source.suffix == ".mov"  # transparent renders are lossless .mov with alpha
    ranges = section_ranges(entry, fps)
    sound = _scene_sound(source.parent, entry) if spec.suffix in SOUND_SUFFIXES and not transparent else []
    clips = []
    with av.open(str(source)) as container:
        scene_video = SceneVideo(container, fps, "rgba" if transparent else "rgb24")
        for number, (name, first, end) in enumerate(ranges, start=1):
            stem = f"{scene}-{number:02d}-{name}"
            file = f"{stem}{spec.suffix}"
            poster = file if spec.name == "png" else f"{stem}.png"
            last = _cut(scene_video, first, end, folder / file, spec, transparent, fps)
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


class SceneVideo:
    """A scene video opened for cutting: its packets and its frames by frame number."""

    def __init__(self, container: av.container.InputContainer, fps: float, pixels: str) -> None:
        self.container = container
        self.stream = container.streams.video[0]
        self.fps = fps
        self.pixels = pixels  # the ndarray format of decoded frames
        self.start = self.stream.start_time or 0

    def number(self, pts: int) -> int:
        """The frame a timestamp of the stream shows."""
        return round((pts - self.start) * self.stream.time_base * self.fps)

    def copies_to(self, codec: str) -> bool:
        """Whether the stream is what the encoder ``codec`` writes (its packets can be copied)."""
        return bool(codec) and av.Codec(codec, "w").canonical_name == self.stream.codec_context.codec.canonical_name

    def _seek(self, number: int) -> None:
        """To the keyframe at or before frame ``number``."""
        self.container.seek(self.start + round(number / (self.fps * self.stream.time_base)), stream=self.stream, backward=True)

    def packets(self, first: int, end: int) -> list[av.Packet] | None:
        """The packets of frames ``first`` to ``end - 1`` in decode order, if they decode on their own; else None.

        They do when the first is a keyframe showing frame ``first`` and they hold exactly the
        frames of the range: a frame that refers to one at ``end`` or later is decoded after it,
        so reading stops at that later frame before the range is whole.
        """
        self._seek(first)
        numbered = []
        for packet in self.container.demux(self.stream):
            if packet.pts is None:  # the empty packet that ends the stream
                continue
            number = self.number(packet.pts)
            if number >= end:
                break
            numbered.append((number, packet))
        whole = bool(numbered) and numbered[0][1].is_keyframe and sorted(n for n, _ in numbered) == list(range(first, end))
        return [packet for _, packet in numbered] if whole else None

    def frames(self, first: int, end: int) -> Iterator[np.ndarray]:
        """Frames ``first`` to ``end - 1``, decoded from the keyframe at or before the first."""
        self._seek(first)
        for frame in self.container.decode(self.stream):
            number = self.number(frame.pts)
            if number >= end:
                return
            if number >= first:
                yield frame.to_ndarray(format=self.pixels)


def _cut(scene: SceneVideo, first: int, end: int, path: Path, spec: ClipFormat, transparent: bool, fps: float) -> np.ndarray:
    """Frames ``first`` to ``end - 1`` of ``scene`` as the clip ``path``; returns the last of them.

    The scene's packets are copied when the clip's codec is the scene's and the range decodes
    on its own; otherwise the frames are decoded (and encoded again). Where no frame is encoded
    (a copy, a png), the last one is decoded alone: from the keyframe before it, converting only it.
    """
    packets = scene.packets(first, end) if scene.copies_to(spec.alpha_codec if transparent else spec.codec) else None
    if packets is None and spec.name != "png":
        with _completing(_writer(path, spec, transparent, fps, scene, first, end)) as writer:
            for last in scene.frames(first, end):
                writer.write(last)
        return last
    (last,) = scene.frames(end - 1, end)
    if packets is None:
        _save_image(last, path)
        return last
    with _completing(_PacketWriter(path, scene.stream)) as writer:
        for packet in packets:
            writer.write(packet)
    return last


@contextmanager
def _completing(writer: _Writer) -> Iterator[_Writer]:
    """``writer``, its file completed when the block ends normally and its partial file removed whatever happens."""
    try:
        yield writer
        writer.close()
    finally:
        writer.discard()


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
    """Frames (or a stream's packets) in, one file out: written to a temporary name, renamed by ``close``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = _temporary(path)
        self.container = None  # the output, where the writer muxes one

    @abstractmethod
    def write(self, frame) -> None:
        """Add one frame."""

    @abstractmethod
    def finish(self) -> None:
        """Complete the temporary file."""

    def close(self) -> None:
        self.finish()
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        if self.container is not None:
            self.container.close()
            self.container = None
        self.tmp.unlink(missing_ok=True)


class _PacketWriter(_Writer):
    """A stream's packets copied as they are, their timestamps moved to start at zero."""

    def __init__(self, path: Path, template: av.video.stream.VideoStream) -> None:
        super().__init__(path)
        self.container = av.open(str(self.tmp), mode="w", format=path.suffix[1:], options=video.muxer_options(path))
        self.stream = self.container.add_stream_from_template(template)
        self.offset: int | None = None

    def write(self, packet: av.Packet) -> None:
        if self.offset is None:
            self.offset = packet.pts
        packet.pts -= self.offset
        packet.dts -= self.offset
        packet.stream = self.stream
        self.container.mux(packet)

    def finish(self) -> None:
        self.container.close()
        self.container = None


class _VideoWriter(_Writer):
    """Frames encoded with ``codec`` at ``rate`` frames a second."""

    def __init__(self, path: Path, codec: str, pix_fmt: str, options: dict, rate: Fraction, muxer: dict) -> None:
        super().__init__(path)
        self.codec, self.pix_fmt, self.options, self.rate, self.muxer = codec, pix_fmt, options, rate, muxer
        self.stream = None
        self.count = 0

    def picture(self, frame: np.ndarray) -> av.VideoFrame | None:
        """The frame to encode for ``frame``, None to leave it out."""
        return av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format="rgba" if frame.shape[2] == 4 else "rgb24")

    def write(self, frame: np.ndarray) -> None:
        image = self.picture(frame)
        if image is None:
            return
        if self.container is None:
            self.container = av.open(str(self.tmp), mode="w", format=self.path.suffix[1:], options=self.muxer)
            self.stream = self.container.add_stream(self.codec, rate=self.rate, options=dict(self.options))
            self.stream.height, self.stream.width = frame.shape[:2]
            self.stream.pix_fmt = self.pix_fmt
        image.pts = self.count
        self.count += 1
        for packet in self.stream.encode(image):
            self.container.mux(packet)

    def finish(self) -> None:
        for packet in self.stream.encode():
            self.container.mux(packet)
        self.container.close()
        self.container = None


GIF_MAX_FPS = 25  # browsers slow down GIF frames shorter than two hundredths of a second
PALETTE_SAMPLES = 16  # frames of a clip its GIF palette is chosen from
PALETTE_WIDTH = 640  # pixels across a sample frame is thinned to (every n-th pixel: no new colours)


def _palette(frames: Iterator[np.ndarray], count: int) -> Image.Image:
    """255 colours for a clip of ``count`` frames, by median cut of samples spread over it (a 1×1 image of them).

    255, not 256: the GIF encoder draws the pixels a frame leaves unchanged with an unused index.
    """
    every = math.ceil(count / PALETTE_SAMPLES)
    sample = []
    for k, frame in enumerate(frames):
        if k % every == 0:
            thin = math.ceil(frame.shape[1] / PALETTE_WIDTH)
            sample.append(frame[::thin, ::thin, :3].copy())
    colours = Image.fromarray(np.concatenate(sample)).quantize(colors=255, method=Image.Quantize.MEDIANCUT).getpalette()
    palette = Image.new("P", (1, 1))
    palette.putpalette(colours)
    return palette


class _GifWriter(_VideoWriter):
    """An animated GIF written as its frames come, in one ``palette``, durations kept exact over the clip.

    Every ``step``-th frame is kept (at most :data:`GIF_MAX_FPS`); GIF counts time in hundredths
    of a second, and the muxer rounds each frame's start, not its length. The last frame lasts
    what the clip's ``frames`` leave of its duration.
    """

    def __init__(self, path: Path, fps: float, palette: Image.Image, frames: int) -> None:
        self.step = math.ceil(fps / GIF_MAX_FPS)
        rate = Fraction(fps).limit_denominator(1001) / self.step
        kept = math.ceil(frames / self.step)
        last = round(100 * kept / rate) - round(100 * (kept - 1) / rate)
        super().__init__(path, "gif", "pal8", {}, rate, {"final_delay": str(last)})
        colours = np.asarray(palette.getpalette()[:768], np.uint8)
        self.argb = np.zeros((256, 4), np.uint8)
        self.argb[:, 0] = 255
        self.argb[: len(colours) // 3, 1:] = colours.reshape(-1, 3)
        self.palette = palette
        self.seen = 0

    def picture(self, frame: np.ndarray) -> av.VideoFrame | None:
        self.seen += 1
        if (self.seen - 1) % self.step:
            return None
        indices = Image.fromarray(frame[..., :3]).quantize(palette=self.palette, dither=Image.Dither.NONE)
        return av.VideoFrame.from_ndarray((np.asarray(indices), self.argb), format="pal8")


def _writer(path: Path, spec: ClipFormat, transparent: bool, fps: float, scene: SceneVideo, first: int, end: int) -> _Writer:
    """The writer of frames ``first`` to ``end - 1`` of ``scene`` as a clip of format ``spec``."""
    if spec.name == "gif":
        return _GifWriter(path, fps, _palette(scene.frames(first, end), end - first), end - first)
    if transparent:
        return _VideoWriter(path, spec.alpha_codec, spec.alpha_pix_fmt, spec.alpha_options, round(fps), video.muxer_options(path))
    return _VideoWriter(path, spec.codec, spec.pix_fmt, spec.options, round(fps), video.muxer_options(path))
