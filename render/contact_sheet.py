"""Contact sheets: a scene on one picture, a frame at the start and at the end of every cue, its words under them.

Written beside the renders (``<chapter folder>/review/<Scene>.png``), with a page per
chapter (``review/index.html``) showing its scenes' sheets in order, so a person can
look at a whole chapter at once.
"""

from __future__ import annotations

import functools
import html
import subprocess
from collections.abc import Sequence
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from netreel.scenes.common import palette

SHEET_FONT = palette.FONTS["zh"]  # a font with CJK glyphs and Latin ones
GAP = 10  # px between and around pictures
THUMB_WIDTH = 427  # px: the largest a frame is drawn on a sheet
BACKGROUND, INK, FAINT = (255, 255, 255), (20, 20, 20), (110, 110, 110)

Cue = tuple[str, float, float]


def frames_at(path: str | Path, times: Sequence[float]) -> list[np.ndarray]:
    """The RGB frames of a video shown at each of ``times`` (s; the last frame for a time past the end)."""
    wanted = sorted(range(len(times)), key=lambda i: times[i])
    found: list[np.ndarray | None] = [None] * len(times)
    last = None
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            while wanted and frame.time > times[wanted[0]] and last is not None:
                found[wanted.pop(0)] = last
            last = frame.to_ndarray(format="rgb24")
    for index in wanted:
        found[index] = last
    return found


@functools.lru_cache(maxsize=None)
def font(size: int) -> ImageFont.FreeTypeFont:
    """:data:`SHEET_FONT` at ``size`` px, found by fontconfig (PIL's own font where it is missing)."""
    try:
        file = subprocess.run(
            ["fc-match", SHEET_FONT, "--format=%{file}"], capture_output=True, text=True, check=True,
        ).stdout.strip()
        return ImageFont.truetype(file, size)
    except (OSError, subprocess.CalledProcessError):
        return ImageFont.load_default(size)


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines of ``text`` at most ``width`` px wide: broken between words, or between characters where none are."""
    tokens = text.split(" ") if " " in text else list(text)
    joiner = " " if " " in text else ""
    lines, line = [], ""
    for token in tokens:
        candidate = f"{line}{joiner}{token}" if line else token
        if line and face.getlength(candidate) > width:
            lines.append(line)
            line = token
        else:
            line = candidate
    return [*lines, line] if line else lines


def write_sheet(video: str | Path, cues: Sequence[Cue], path: Path, title: str) -> Path:
    """The contact sheet of a scene's video and its cues (text, start s, end s), as a PNG at ``path``."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        half_frame = 0.5 / float(stream.average_rate)
        thumb = (min(stream.width, THUMB_WIDTH), round(min(stream.width, THUMB_WIDTH) * stream.height / stream.width))
    times = [t for _, start, end in cues for t in (start + half_frame, max(start, end - half_frame))]
    pictures = frames_at(video, times) if times else []
    width = 2 * thumb[0] + 3 * GAP
    face, small = font(max(thumb[1] // 14, 12)), font(max(thumb[1] // 18, 11))
    captions = [wrap(text, face, width - 2 * GAP) for text, _, _ in cues]
    line = face.size + 4
    heights = [thumb[1] + GAP + small.size + 4 + line * len(lines) + GAP for lines in captions]
    sheet = Image.new("RGB", (width, GAP + line + GAP + sum(heights)), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    draw.text((GAP, GAP), title, font=face, fill=INK)
    y = GAP + line + GAP
    for index, ((_, start, end), lines, height) in enumerate(zip(cues, captions, heights)):
        for column in range(2):
            picture = Image.fromarray(pictures[2 * index + column]).resize(thumb)
            sheet.paste(picture, (GAP + column * (thumb[0] + GAP), y))
        draw.text((GAP, y + thumb[1] + GAP // 2), f"{index + 1}   {start:.1f} - {end:.1f} s", font=small, fill=FAINT)
        for row, text in enumerate(lines):
            draw.text((GAP, y + thumb[1] + GAP // 2 + small.size + 4 + row * line), text, font=face, fill=INK)
        y += height
    path.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(path)
    return path


def write_page(path: Path, title: str, sheets: Sequence[tuple[str, Path, list[str]]]) -> Path:
    """A chapter's page: for each scene (name, its sheet, lines of its figures) the figures, then the sheet."""
    heading = html.escape(title)
    parts = [f"<!doctype html><meta charset='utf-8'><title>{heading}</title>", f"<h1>{heading}</h1>"]
    for name, sheet, lines in sheets:
        figures = "".join(f"<li>{html.escape(text)}</li>" for text in lines)
        parts.append(
            f"<section><h2>{html.escape(name)}</h2><ul>{figures}</ul>"
            f"<img src='{html.escape(sheet.name)}' alt='{html.escape(name)}' style='max-width:100%'></section>"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
