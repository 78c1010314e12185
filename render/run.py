"""Running one scene: the one way a render, a timing plan's dry run and an audit run a scene.

A scene reads what it is rendered from (its facts, language and timing plan, a
:class:`netreel.scenes.common.base.SceneContext`) from its own instance; manim's
settings are global to a process, so they are set for the run only.
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from manim import SVGMobject, config, tempconfig
from manim.mobject.text import tex_mobject
from manim.mobject.text.text_mobject import MarkupText, Text

from netreel.nets.paths import cache_dir
from netreel.render import drawing
from netreel.render.burnin import Burner
from netreel.render.aspect import DEFAULT_ASPECT, frame_size, pixel_size
from netreel.render.presets import QUALITIES
from netreel.scenes.common.base import NetScene, SceneContext

Observer = Callable[[NetScene], None]  # called with the scene at the end of every animation


@dataclass(frozen=True)
class Settings:
    """How a scene is run: its quality and frame, what is written, and where."""

    quality: str = "tiny"
    aspect: str = DEFAULT_ASPECT
    still: bool = False  # the last frame only
    transparent: bool = False  # no background
    burn: bool = False  # the cues' words burned into the picture (render/burnin.py)
    out_dir: Path | None = None  # where manim writes; None: a temporary folder, removed after the run


def manim_config(quality: str, media_dir: Path, aspect: str = DEFAULT_ASPECT, **extra) -> dict:
    """The manim settings for a preset and aspect; LaTeX and text caches shared across renders."""
    width, height = pixel_size(quality, aspect)
    frame_width, frame_height = frame_size(aspect)
    shared = cache_dir() / "manim"
    return {
        "pixel_width": width,
        "pixel_height": height,
        "frame_width": frame_width,
        "frame_height": frame_height,
        "frame_rate": QUALITIES[quality].fps,
        "media_dir": str(media_dir),
        "video_dir": str(media_dir),
        "images_dir": str(media_dir),
        "partial_movie_dir": str(media_dir / "partial"),
        "tex_dir": str(shared / "Tex"),
        "text_dir": str(shared / "texts"),
        "disable_caching": True,
        "verbosity": "ERROR",
        "progress_bar": "none",
        "write_to_movie": True,
        "format": None,
        **extra,
    }


def serialise_svg_files() -> None:
    """Let one process at a time write into manim's shared LaTeX and text caches.

    manim compiles LaTeX into one folder and then deletes every non-SVG file
    there, and parses each SVG through a temporary copy beside it: parallel
    workers would pull files from under each other. A text's SVG is used as
    soon as its file exists, so another worker could read it half written.
    """
    if getattr(SVGMobject.generate_mobject, "serialised", False):
        return

    def locked(function, makes_svg: bool = False):
        def run(*args, **kwargs):
            folder = config.get_dir("tex_dir").parent  # not inside Tex/: manim clears it of non-SVG files
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / "svg.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                svg = function(*args, **kwargs)
                if makes_svg and not whole_svg(Path(svg)):  # left half written by a process that was killed
                    Path(svg).unlink(missing_ok=True)
                    svg = function(*args, **kwargs)
                return svg

        run.serialised = True
        return run

    tex_mobject.tex_to_svg_file = locked(tex_mobject.tex_to_svg_file, makes_svg=True)
    SVGMobject.generate_mobject = locked(SVGMobject.generate_mobject)
    for text in (Text, MarkupText):
        text._text2svg = locked(text._text2svg, makes_svg=True)


def whole_svg(path: Path) -> bool:
    """Whether a cached SVG was written to its end: manim reuses any file of the expected name."""
    try:
        with open(path, "rb") as svg:
            size = svg.seek(0, 2)
            svg.seek(max(size - 64, 0))
            return svg.read().rstrip().endswith(b"</svg>")
    except OSError:
        return False


def _written(settings: Settings, draw: bool) -> dict:
    """What manim writes: nothing drawn for a dry run, the last frame for a still, else the video."""
    if not draw:
        return {"dry_run": True, "save_last_frame": True, "write_to_movie": False}
    written = {"save_last_frame": True, "write_to_movie": False} if settings.still else {}
    return {**written, "transparent": True} if settings.transparent else written


def run_scene(
    cls: type[NetScene], context: SceneContext, settings: Settings, draw: bool = True, observer: Observer | None = None,
) -> NetScene:
    """Run a scene from ``context`` with ``settings``; return the scene, its record (ledger, cues, sections) kept.

    ``draw=False`` runs its ``construct()`` without drawing a frame (a dry run); the
    quality's frame rate still decides how many frames it counts. ``observer`` sees
    the scene at the end of every animation.
    """
    serialise_svg_files()
    if draw:
        drawing.install()
    with contextlib.ExitStack() as stack:
        folder = settings.out_dir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        output = str(Path(folder) / cls.__name__)
        stack.enter_context(tempconfig(manim_config(
            settings.quality, Path(folder), settings.aspect, output_file=output, **_written(settings, draw),
        )))
        burner = Burner(context.lang) if settings.burn else None
        scene = cls(renderer=drawing.SceneRenderer(burner)) if draw else cls()
        scene.context = context
        if observer is not None:
            _observe(scene, observer)
        scene.render()
    return scene


def _observe(scene: NetScene, observer: Observer) -> None:
    play = scene.play

    def play_then_observe(*args, **kwargs):
        play(*args, **kwargs)
        observer(scene)

    scene.play = play_then_observe
