"""Scenes of one's own: a Python file outside the registry, rendered like a chapter's scenes.

A target ``path/to/file.py:MyScene`` names one scene class of the file,
``path/to/file.py`` every scene class in it (the file's ``SCENES`` list when it
has one, else the classes in the order they are written). A scene class
subclasses :class:`netreel.scenes.common.base.NetScene` and sets ``chapter`` to the
registered chapter whose network facts it shows. Its words come from a catalog
beside the file (``file.toml``, keys in full: ``[network.MyScene]``; other
languages in ``file.zh.toml``). Renders go to ``OUT/<file name>/<quality>/``.

A plain manim ``Scene`` renders too, as manim would draw it, through
:class:`PlainScene`: it shows no network's facts, so nothing it shows is in a
ledger or audited, and resolving it says so on the ``netreel`` logger.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from manim import Scene

from netreel.scenes import registry
from netreel.scenes.common.base import NetScene
from netreel.scenes.common.text import add_catalog_file, catalog_files, languages
from netreel.scenes.registry import Chapter, TargetError


@dataclass(frozen=True)
class FileChapter(Chapter):
    """The scenes of one file, drawing on a registered chapter's facts."""

    path: str = ""

    def scenes(self) -> list[type[NetScene]]:
        return scene_classes(sys.modules[self.module])


def is_file_target(target: str) -> bool:
    return target.split(":", 1)[0].endswith(".py")


def module_name(path: Path) -> str:
    """A module name of its own for a file, stable across processes."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    return f"netreel_scenes_{path.stem}_{digest}"


def load_module(path: Path, name: str):
    """Import (again) the file at ``path`` as module ``name``, and the catalogs beside it.

    ``file.toml`` holds the words in English; ``file.<lang>.toml`` those in another language.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    as_net_scenes(module)
    for lang in languages():
        (words,) = catalog_files(path, lang)
        if words.exists():
            add_catalog_file(words, lang)
    return module


class PlainScene(NetScene):
    """A plain manim Scene of one's own run as a NetScene without facts: its own setup,
    construct and background; an empty ledger, no words."""

    def setup(self) -> None:
        background = self.camera.background_color
        NetScene.setup(self)
        self.camera.background_color = background
        super(NetScene, self).setup()

    def construct(self) -> None:
        super(NetScene, self).construct()


def as_net_scenes(module) -> None:
    """Put a :class:`PlainScene` in the place of each plain manim Scene the file defines (and
    lists in ``SCENES``), named and found in its source as the original is."""
    plain = {
        obj: type(obj.__name__, (PlainScene, obj), {"__module__": obj.__module__, "__qualname__": obj.__qualname__})
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Scene) and not issubclass(obj, NetScene) and obj.__module__ == module.__name__
    }
    for cls, scene in plain.items():
        setattr(module, cls.__name__, scene)
    if hasattr(module, "SCENES"):
        module.SCENES = [plain.get(cls, cls) for cls in module.SCENES]


def scene_classes(module) -> list[type[NetScene]]:
    """The file's scenes: its ``SCENES``, else its NetScenes that set ``chapter`` and its plain manim Scenes."""
    if hasattr(module, "SCENES"):
        return list(module.SCENES)
    return [
        obj for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, NetScene) and obj.__module__ == module.__name__
        and (obj.chapter or issubclass(obj, PlainScene))
    ]


def resolve_file(target: str) -> list[tuple[Chapter, list[type[NetScene]]]]:
    """The file chapter and scenes a ``file.py[:Scene]`` target names; TargetError when it cannot load."""
    file, _, name = target.partition(":")
    path = Path(file)
    if not path.is_file():
        raise TargetError(f"no scene file {file!r}")
    try:
        module = load_module(path, module_name(path))
    except SyntaxError as err:
        raise TargetError(f"{file}:{err.lineno}: syntax error: {err.msg}") from None
    except Exception as err:
        raise TargetError(f"{file} failed to load: {type(err).__name__}: {err}") from None
    classes = scene_classes(module)
    if not classes:
        raise TargetError(f"{file} has no scene class (a manim Scene, or a NetScene subclass that sets chapter)")
    if name:
        chosen = [cls for cls in classes if cls.__name__ == name]
        if not chosen:
            raise TargetError(f"{file} has no scene class {name!r}; it has {', '.join(c.__name__ for c in classes)}")
        classes = chosen
    chapters = {cls.chapter for cls in classes}
    if len(chapters) > 1:
        named = sorted(chapter or "plain manim scenes" for chapter in chapters)
        raise TargetError(f"{file}: render scenes of different chapters ({', '.join(named)}) one at a time")
    chapter = chapters.pop()
    if path.stem in {ch.id for ch in registry.CHAPTERS}:
        raise TargetError(f"{file}: a scene file may not share its name with chapter {path.stem!r} (its renders would mix)")
    for cls in classes:
        if issubclass(cls, PlainScene):
            logging.getLogger("netreel").warning(
                f"{file}:{cls.__name__} is a plain manim Scene: it has no truth ledger, so its numbers are not audited"
            )
    facts = registry.chapter(chapter).facts if chapter else ""
    return [(FileChapter(path.stem, 0, module.__name__, facts, str(path.resolve())), classes)]


def resolve(target: str) -> list[tuple[Chapter, list[type[NetScene]]]]:
    """A registry target (``network``, ``network.ForwardPass``, ``all``) or a scene file target."""
    return resolve_file(target) if is_file_target(target) else registry.resolve(target)
