"""Subtitles burned into the picture: each cue's words drawn in the bottom band of every frame it lasts.

:class:`netreel.render.drawing.SceneRenderer` lays them over each frame as it is written, so they
are not a mobject of the scene: nothing a scene does (a ``hand_over``, a fade of everything)
touches them, and the audit and the review see only what the scene draws. They are the render's
language's words, white on a translucent dark box, wrapped to fit the bottom 15 % of the frame
(the band scenes leave free; ``netreel review --burn-subtitles`` checks that they do), about
19 px type at 480p and never under the review's smallest cap height.
"""

from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from netreel.scenes.common import palette
from netreel.scenes.common.layout import SUBTITLE_BAND

SIZES = (0.04, 0.036, 0.033, 0.03)  # type sizes tried, largest first, as shares of the frame's height
LEADING = 1.2  # line height, in type sizes
MARGIN = 0.03  # of the frame's width and height: the box keeps this far from the edges
PAD = 0.25  # the box's padding around the words, in type sizes
BOX = (0, 0, 0, 170)  # RGBA of the box behind the words
INK = (255, 255, 255, 255)

_CJK = "\u2e80-\u9fff\uf900-\ufaff"
_CJK_MARK = "\u3000-\u303f\uff00-\uffef"  # CJK punctuation and full-width forms: never at a line's start
_PIECES = re.compile(rf"\s+|[{_CJK}{_CJK_MARK}]|[^\s{_CJK}{_CJK_MARK}]+")


@functools.lru_cache(maxsize=None)
def font_file(lang: str) -> tuple[str, int]:
    """The file and face index of ``lang``'s font (:func:`netreel.scenes.common.palette.font`), from fontconfig."""
    found = subprocess.run(
        ["fc-match", "-f", "%{file}\n%{index}", palette.font(lang)], capture_output=True, text=True, check=True,
    ).stdout.split("\n")
    return found[0], int(found[1] or 0)


@functools.lru_cache(maxsize=None)
def _font(lang: str, px: int) -> ImageFont.FreeTypeFont:
    path, index = font_file(lang)
    return ImageFont.truetype(path, px, index=index)


def pieces(text: str) -> list[str]:
    """``text`` in the pieces a line may break between: words and spaces, each CJK character with the
    punctuation after it."""
    out: list[str] = []
    for piece in _PIECES.findall(text):
        if out and re.fullmatch(f"[{_CJK_MARK}]", piece) and not out[-1].isspace():
            out[-1] += piece
        else:
            out.append(piece)
    return out


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` px (a piece wider than that alone on its line)."""
    lines, line = [], ""
    for piece in pieces(text):
        candidate = line + piece
        if line.strip() and font.getlength(candidate.strip()) > width:
            lines.append(line.strip())
            line = piece.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.strip())
    return lines


@dataclass(frozen=True)
class Layout:
    """Where a cue's words go in a frame: their lines, type size (px) and box (left, top, right, bottom)."""

    lines: tuple[str, ...]
    px: int
    box: tuple[int, int, int, int]

    def fits(self, height: int) -> bool:
        """Whether the box stays inside the subtitle band of a frame ``height`` px tall."""
        return self.box[1] >= height * (1 - SUBTITLE_BAND)


def layout(text: str, lang: str, width: int, height: int) -> Layout:
    """The largest of :data:`SIZES` whose lines fit the band; the smallest, taller than the band, when none does."""
    for share in SIZES:
        px = max(1, round(share * height))
        font, pad = _font(lang, px), PAD * px
        lines = wrap(text, font, width * (1 - 2 * MARGIN) - 2 * pad)
        box_width = max(font.getlength(line) for line in lines) + 2 * pad if lines else 0
        box_height = len(lines) * LEADING * px + 2 * pad
        bottom = height * (1 - MARGIN)
        box = (round((width - box_width) / 2), round(bottom - box_height), round((width + box_width) / 2), round(bottom))
        placed = Layout(tuple(lines), px, box)
        if placed.fits(height):
            break
    return placed


@functools.lru_cache(maxsize=1)  # a cue's words, made once for all the frames it lasts
def overlay(text: str, lang: str, width: int, height: int) -> tuple[Layout, np.ndarray]:
    """A cue's words as an RGBA image of their box (its colours premultiplied by its alpha, as floats)."""
    placed = layout(text, lang, width, height)
    left, top, right, bottom = placed.box
    image = Image.new("RGBA", (max(right - left, 1), max(bottom - top, 1)))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, image.width - 1, image.height - 1), radius=placed.px * 0.3, fill=BOX)
    font, pad = _font(lang, placed.px), PAD * placed.px
    for i, line in enumerate(placed.lines):
        draw.text((image.width / 2, pad + (i + 0.5) * LEADING * placed.px), line, font=font, fill=INK, anchor="mm")
    rgba = np.asarray(image, dtype=np.float32) / 255
    rgba[..., :3] *= rgba[..., 3:]
    return placed, rgba


class Burner:
    """Draws a language's cue words onto frames (RGBA ``uint8``, manim's camera's)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def burn(self, frame: np.ndarray, text: str) -> np.ndarray:
        """``frame`` with ``text`` over its band (a new array; ``frame`` is left as it is)."""
        height, width = frame.shape[:2]
        placed, rgba = overlay(text, self.lang, width, height)
        left, top, right, bottom = placed.box
        out = frame.copy()
        region = out[max(top, 0):bottom, max(left, 0):right]
        over = rgba[max(-top, 0):, max(-left, 0):][: region.shape[0], : region.shape[1]]
        alpha = over[..., 3:]
        below = region.astype(np.float32) / 255
        below[..., :3] = over[..., :3] + below[..., :3] * (1 - alpha)
        below[..., 3:] = alpha + below[..., 3:] * (1 - alpha)
        region[...] = np.round(below * 255).astype(np.uint8)
        return out
