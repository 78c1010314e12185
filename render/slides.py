"""Slide decks through manim-slides: one slide per section, the subcaptions as speaker notes.

The deck is built from the clips the scenes were cut into (``clips.py``), so a
scene is written once, as a netreel scene, and becomes a video, clips and a deck
alike. manim-slides' converters write the deck from a presentation config per scene:
PowerPoint (each slide plays its clip), reveal.js HTML (the same), PDF (each
slide's last frame).

A PowerPoint deck has PowerPoint's standard slide size for the clips' shape
(13.333 x 7.5 in for 16:9, 10 x 7.5 in otherwise), a title per slide (the step's title in
the deck's language) and the clip scaled to fit below it.

An HTML deck carries the reveal.js files it loads in its assets folder, copied from
the npm package that set-up installs (``package.json``), so presenting needs no
network; built with ``offline=False`` it loads reveal.js from a CDN instead.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import re
import shutil
import tempfile
from pathlib import Path

from netreel.nets.paths import NODE_MODULES
from netreel.render.chapter import scene_title, section_title
from netreel.render.clips import Clip
from netreel.scenes.common.text import DEFAULT_LANG, CatalogError, tr

DECK_FORMATS = ("pptx", "html", "pdf")
REVEAL_VERSION = "6.0.1"  # the version manim-slides' HTML template is written for; package.json pins it
# PowerPoint's standard slides, 13.333 x 7.5 in and 10 x 7.5 in, in manim-slides' unit: pixels at 96 per inch
SLIDE_PIXELS = {"16:9": (1280, 720), "4:3": (960, 720)}
TITLE_BAND = 0.15  # of a PowerPoint slide's height, for the step's name above the clip


class SlidesError(Exception):
    """A deck that cannot be built as asked; the message says why."""


def deck_name(chapter, scenes: list[type], lang: str = "en") -> tuple[str, str]:
    """The file name and title (in ``lang``) of a deck: the chapter's for all its scenes, else the one scene's."""
    if len(scenes) == 1 and len(chapter.scenes()) > 1:
        return f"{chapter.id}.{scenes[0].__name__}", scene_title(scenes[0], lang)
    try:
        return chapter.id, tr(f"{chapter.id}.title", lang)
    except CatalogError:
        return chapter.id, scene_title(scenes[0], lang) if len(scenes) == 1 else chapter.id


def deck_path(folder: Path, name: str, to: str) -> Path:
    return folder / "slides" / f"{name}.{to}"


def assets_name(deck: Path) -> str:
    return f"{deck.stem}_assets"


def slide_pixels(width: int, height: int) -> tuple[int, int]:
    """The standard PowerPoint slide (in pixels at 96 per inch) whose shape is nearest a clip's."""
    return min(SLIDE_PIXELS.values(), key=lambda size: abs(math.log(size[0] * height / (size[1] * width))))


def by_scene(clips: list[Clip]) -> list[list[Clip]]:
    """The clips grouped by scene, scenes in order of their first clip: the order of the deck's slides."""
    groups: dict[str, list[Clip]] = {}
    for clip in clips:
        groups.setdefault(clip.scene, []).append(clip)
    return list(groups.values())


def presentation_configs(clips: list[Clip], clip_dir: Path, background: str) -> list:
    """One manim-slides presentation per scene, one slide per clip, the clip's subcaptions as notes."""
    from manim_slides.config import PresentationConfig, SlideConfig

    configs = []
    for scene_clips in by_scene(clips):
        slides = [
            SlideConfig(file=clip_dir / c.file, rev_file=clip_dir / c.file, notes="\n\n".join(c.notes), dedent_notes=False)
            for c in scene_clips
        ]
        configs.append(PresentationConfig(slides=slides, resolution=(scene_clips[0].width, scene_clips[0].height), background_color=background))
    return configs


def build(
    clips: list[Clip], clip_dir: Path, deck: Path, to: str, title: str, background: str, offline: bool = True,
    lang: str = DEFAULT_LANG,
) -> Path:
    """Write the deck ``deck`` (format ``to``) from ``clips`` (mp4, in ``clip_dir``); return its path.

    An HTML deck built ``offline`` carries reveal.js; otherwise it loads it from a CDN.
    The deck is built in a scratch folder and moved into place when complete.
    """
    if to not in DECK_FORMATS:
        raise SlidesError(f"unknown deck format {to!r}; choose from {', '.join(DECK_FORMATS)}")
    if not clips:
        raise SlidesError("there is no section to make a slide of")
    configs = presentation_configs(clips, clip_dir, background)
    deck.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=deck.parent, prefix=".deck-"))
    try:
        target = scratch / deck.name
        logging.getLogger("manim-slides").setLevel(logging.ERROR)
        with contextlib.redirect_stderr(io.StringIO()):  # manim-slides' progress bars
            _convert(configs, clips, target, to, title, background, offline, lang)
        _move_into_place(scratch, deck)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return deck


def _convert(
    configs: list, clips: list[Clip], target: Path, to: str, title: str, background: str, offline: bool, lang: str
) -> None:
    from manim_slides.convert import PDF, PowerPoint, RevealJS

    if to == "pptx":
        width, height = slide_pixels(clips[0].width, clips[0].height)
        PowerPoint(presentation_configs=configs, width=width, height=height).convert_to(target)
        _title_and_fit(target, [c for group in by_scene(clips) for c in group], lang)
        return
    if to == "pdf":
        PDF(presentation_configs=configs).convert_to(target)
        return
    options = {"title": title, "background_color": background, "reveal_version": REVEAL_VERSION}
    package = reveal_js() if offline else None
    if package is not None:
        options["cdn_url"] = f"{assets_name(target)}/reveal.js"
    RevealJS(presentation_configs=configs, **options).convert_to(target)
    if package is not None:
        _copy_reveal_files(target, options["cdn_url"], package)


def _title_and_fit(path: Path, clips: list[Clip], lang: str) -> None:
    """Give each slide of the PowerPoint deck ``path`` its step's title (from the catalog), and fit the clip below it.

    manim-slides lays each clip over the whole slide of a blank layout; the title is
    the title placeholder of the template's "Title Only" layout, so a theme restyles it.
    """
    import pptx
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck = pptx.Presentation(str(path))
    title_layout = deck.slide_layouts.get_by_name("Title Only")
    width, height = deck.slide_width, deck.slide_height
    margin, band = height // 30, round(height * TITLE_BAND)
    for slide, clip in zip(deck.slides, clips, strict=True):
        slide.shapes.clone_placeholder(title_layout.placeholders[0])
        title = slide.shapes.title
        title.left, title.top, title.width, title.height = margin, margin, width - 2 * margin, band - margin
        title.text = section_title(clip.chapter, clip.scene, clip.section, lang)
        (movie,) = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.MEDIA]
        room_w, room_h = width - 2 * margin, height - band - margin
        scale = min(room_w / clip.width, room_h / clip.height)
        movie.width, movie.height = round(clip.width * scale), round(clip.height * scale)
        movie.left, movie.top = (width - movie.width) // 2, band + (room_h - movie.height) // 2
    deck.save(str(path))


def _copy_reveal_files(page: Path, prefix: str, package: Path) -> None:
    """Copy the reveal.js files the HTML deck ``page`` loads from ``prefix`` (its assets folder) out of ``package``."""
    for name in set(re.findall(rf'(?:href|src)="{re.escape(prefix)}/([^"]+)"', page.read_text(encoding="utf-8"))):
        copy = page.parent / prefix / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(package / name, copy)


def _move_into_place(scratch: Path, deck: Path) -> None:
    """Replace the deck (and its assets folder, for HTML) by the finished one in ``scratch``."""
    assets = scratch / assets_name(deck)
    if assets.exists():
        old = deck.parent / f".{assets_name(deck)}.{os.getpid()}.old"
        current = deck.parent / assets_name(deck)
        if current.exists():
            current.rename(old)
        assets.rename(current)
        shutil.rmtree(old, ignore_errors=True)
    os.replace(scratch / deck.name, deck)


def reveal_js() -> Path:
    """The reveal.js package that set-up installs from npm; a SlidesError naming how to install it when missing."""
    package = NODE_MODULES / "reveal.js"
    try:
        version = json.loads((package / "package.json").read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        version = None
    if version != REVEAL_VERSION or not (package / "dist" / "reveal.js").is_file():
        found = f"reveal.js {version} is installed" if version else "reveal.js is not installed"
        raise SlidesError(
            f"{found} in {NODE_MODULES}; the HTML deck carries reveal.js {REVEAL_VERSION} from npm: "
            f"run `make setup` (or `npm ci` in {NODE_MODULES.parent}), or pass --cdn to load it from the web"
        )
    return package
