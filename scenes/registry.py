"""The chapters, in order, and the scenes of each; resolving what a user typed."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from netreel.scenes.common.base import NetScene
from netreel.suggest import closest


@dataclass(frozen=True)
class Chapter:
    """A chapter: its id, its number, the module holding its scenes, its facts module."""

    id: str
    number: int
    module: str
    facts: str

    def scenes(self) -> list[type[NetScene]]:
        """The chapter's scenes in lecture order (the module's ``SCENES``)."""
        return list(importlib.import_module(self.module).SCENES)

    def scene(self, name: str) -> type[NetScene]:
        for cls in self.scenes():
            if cls.__name__ == name:
                return cls
        raise TargetError(f"chapter {self.id!r} has no scene {name!r}{closest(name, [c.__name__ for c in self.scenes()])}")


CHAPTERS: list[Chapter] = [
    Chapter("network", 1, "netreel.scenes.network", "network"),
    Chapter("descent", 2, "netreel.scenes.descent", "descent"),
    Chapter("analysis", 3, "netreel.scenes.analysis", "analysis"),
    Chapter("backprop", 4, "netreel.scenes.backprop", "backprop"),
    Chapter("calculus", 5, "netreel.scenes.calculus", "calculus"),
    Chapter("gpt", 6, "netreel.scenes.gpt", "gpt"),
    Chapter("attention", 7, "netreel.scenes.attention", "attention"),
    Chapter("cnn", 8, "netreel.scenes.cnn", "cnn"),
    Chapter("flow", 9, "netreel.scenes.flow", "flow"),
]


class TargetError(Exception):
    """A chapter or scene name that does not exist; the message names the closest ones."""


def chapter(name: str) -> Chapter:
    """A chapter by id (``network``) or number (``1``)."""
    for ch in CHAPTERS:
        if name in (ch.id, str(ch.number)):
            return ch
    return _unknown(name)


def _unknown(name: str):
    options = [ch.id for ch in CHAPTERS]
    scene_names = [f"{ch.id}.{cls.__name__}" for ch in CHAPTERS for cls in ch.scenes()]
    raise TargetError(f"unknown chapter or scene {name!r}{closest(name, options + scene_names)}")


def resolve(target: str) -> list[tuple[Chapter, list[type[NetScene]]]]:
    """``all``, a chapter id or number, or ``chapter.Scene``: the chapters and scenes it names."""
    if target == "all":
        return [(ch, ch.scenes()) for ch in CHAPTERS]
    if "." in target:
        chapter_name, scene_name = target.split(".", 1)
        ch = chapter(chapter_name)
        return [(ch, [ch.scene(scene_name)])]
    ch = chapter(target)
    return [(ch, ch.scenes())]
