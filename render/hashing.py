"""Content hashes of scenes: a scene whose hash did not change since its last render is kept."""

from __future__ import annotations

import functools
import hashlib
import inspect
import sys
from pathlib import Path

import manim

import netreel.scenes
from netreel.render.aspect import folder_suffix
from netreel.scenes.common.text import catalog_files, languages

SCENES_ROOT = Path(netreel.scenes.__file__).resolve().parent


BURNED_SUFFIX = "-subs"  # a render folder whose videos carry their subtitles in the picture


def variant(quality: str, aspect: str, transparent: bool, burn: bool = False) -> str:
    """A quality, aspect, background and subtitles as their renders' folder is named
    (``low``, ``low-4x3``, ``low-alpha``, ``low-subs``)."""
    return quality + folder_suffix(aspect) + ("-alpha" if transparent else "") + (BURNED_SUFFIX if burn else "")


def _library_source() -> str:
    """The shared scene code every scene draws with."""
    files = sorted((SCENES_ROOT / "common").glob("*.py"))
    return "".join(p.read_text(encoding="utf-8") for p in files)


@functools.lru_cache(maxsize=None)
def _class_source(cls: type) -> str:
    """A class's source, found once (``inspect`` parses the whole module for every class it looks up)."""
    return inspect.getsource(cls)


def scene_hash(cls: type, siblings: list[type], facts_digest: str, quality: str, lang: str, voice: str = "none") -> str:
    """A content hash of everything that decides a scene's video.

    The scene's own class, the rest of its module without its sibling scenes
    (so editing one scene does not re-render the others) but the scenes it continues, the shared library,
    the words catalogs of its chapter in every language (each one's reading time
    sets how long a subcaption stays up), the facts, quality, language, voice
    (:func:`netreel.render.narrator.fingerprint`), manim.
    """
    module = sys.modules[cls.__module__]
    module_source = inspect.getsource(module)
    for other in siblings:
        if other is not cls:
            module_source = module_source.replace(_class_source(other), "")
    words = [path for each in languages() for path in catalog_files(Path(module.__file__), each, cls.chapter)]
    opening = []  # the scenes it continues: it runs their steps to open on their last frame
    scene = getattr(cls, "continues", None)
    while scene is not None:
        opening.append(_class_source(scene))
        scene = scene.continues
    h = hashlib.sha256()
    for part in (
        _class_source(cls),
        *opening,
        module_source,
        _library_source(),
        *(path.read_text(encoding="utf-8") if path.exists() else "" for path in words),
        facts_digest,
        quality,
        lang,
        voice,
        manim.__version__,
    ):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]
