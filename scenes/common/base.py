"""The base of every netreel scene: facts in, ledger, narration, sections.

A scene never trains and never does tensor math: ``setup()`` hands it the
chapter's :class:`nets.facts.Facts` and a :class:`Ledger` to read them through.

Examples
--------
::

    class Hello(NetScene):
        chapter = "network"

        def construct(self):
            self.step("count")
            self.say("count", n=self.ledger.shown("params.total", spec=",.0f"))
            self.play(Write(self.ledger.integer("params.total")))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from manim import UP, Mobject, Scene, Text, config

from nets.facts import Facts
from scenes.common import palette
from scenes.common.ledger import Ledger
from scenes.common.text import DEFAULT_LANG, tr, words

READING_CHARS_PER_SECOND = {"en": 16.0, "zh": 6.0}
MIN_CUE_SECONDS = 2.0


@dataclass
class SceneContext:
    """What a scene is rendered from: its chapter's facts and the language."""

    facts: Facts
    lang: str = DEFAULT_LANG


_context: SceneContext | None = None


def use_context(context: SceneContext) -> None:
    """Set the facts and language the next scene instance will read (one per worker process)."""
    global _context
    _context = context


@dataclass
class Cue:
    text: str
    start: float


class NetScene(Scene):
    """A scene bound to real facts. Subclasses set ``chapter`` and write ``construct``."""

    chapter: ClassVar[str] = ""
    estimated_seconds: ClassVar[float] = 30.0

    def setup(self) -> None:
        if _context is None:
            raise RuntimeError("no scene context: render scenes through the netreel pipeline")
        self.facts = _context.facts
        self.lang = _context.lang
        self.ledger = Ledger(self.facts)
        self.seen: list[Mobject] = []
        self.cues: list[tuple[str, float, float]] = []
        self.sections_started: list[tuple[str, float]] = []
        self._cue: Cue | None = None
        self.camera.background_color = palette.BACKGROUND

    # words ---------------------------------------------------------------
    def key(self, key: str) -> str:
        """A dotted key is absolute (``common.inputs``); a bare one belongs to this scene."""
        return key if "." in key else f"{self.chapter}.{type(self).__name__}.{key}"

    def t(self, key: str, **fills: object) -> str:
        return tr(self.key(key), self.lang, **fills)

    def words(self, key: str, **kwargs) -> Text:
        return words(self.key(key), self.lang, **kwargs)

    def heading(self, key: str = "title") -> Text:
        """The scene's title, at the top edge."""
        title = self.words(key, font_size=palette.TITLE_SIZE)
        room = config.frame_width - 1.0
        if title.width > room:
            title.scale_to_fit_width(room)
        return title.to_edge(UP, buff=0.35)

    # narration -----------------------------------------------------------
    def say(self, key: str, **fills: object) -> None:
        """Start a subcaption; it lasts until the next ``say`` or the end of the scene."""
        self._close_cue()
        self._cue = Cue(self.t(key, **fills), self.time)

    def step(self, name: str) -> None:
        """Start a section (a pedagogical step: a clip and a slide of its own)."""
        self._close_cue()
        self._cue = None
        self.next_section(name)
        self.sections_started.append((name, self.time))

    def _close_cue(self) -> None:
        if self._cue is None:
            return
        reading = max(MIN_CUE_SECONDS, len(self._cue.text) / READING_CHARS_PER_SECOND.get(self.lang, 16.0))
        shown = self.time - self._cue.start
        if shown < reading:
            self.wait(reading - shown)
        duration = self.time - self._cue.start
        self.add_subcaption(self._cue.text, duration=duration, offset=-duration)
        self.cues.append((self._cue.text, self._cue.start, self.time))
        self._cue = None

    def tear_down(self) -> None:
        self._close_cue()
        super().tear_down()

    # what was on screen, for the audit ---------------------------------------
    def add(self, *mobjects: Mobject) -> Scene:
        self.seen.extend(mobjects)
        return super().add(*mobjects)

    def begin_animations(self) -> None:
        for animation in self.animations or []:
            self.seen.append(animation.mobject)
            target = getattr(animation, "target_mobject", None)
            if isinstance(target, Mobject):
                self.seen.append(target)
        super().begin_animations()
