"""The base of every netreel scene: facts in, ledger, narration, sections.

A scene never trains and never does tensor math: ``setup()`` hands it the
chapter's :class:`netreel.nets.facts.Facts` and a :class:`Ledger` to read them through.

Timing is the same in every language, so that one rendered video carries the
subtitles of all of them and a render in one language can be swapped for one
in another. Each ``say``, each ``step`` and the end of the scene is a sync
point; the frames between two sync points (a segment) are padded, with a still
frame, to the longest that segment runs in any language: a subcaption's reading
time differs by language, and so can an animation of words (``Write`` takes
longer for more outlines). The render worker finds those lengths by running the
scene dry in every language first (:attr:`SceneContext.plan`).

A segment's animations stretch to fill it rather than stop and hold: knowing from
that dry run how many frames the segment's animations and waits take at their own
speed (:attr:`SceneContext.natural`), each animation runs slower by the factor that
makes the rest of the segment end on time, at most :data:`STRETCH_MOST`; only what
that leaves is a still frame. Waits the scene asks for are kept as they are.

Examples
--------
::

    class Hello(NetScene):
        chapter = "network"
        steps = ("count",)

        def count(self):
            self.say("count", n=self.ledger.shown("params.total", spec=COUNT))
            self.play(Write(self.ledger.integer("params.total")))
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import numpy as np
from manim import (
    LEFT, UP, FadeIn, FadeOut, FadeTransform, Mobject, Rectangle, ReplacementTransform, Scene, Text, VGroup, VMobject, Wait,
    config,
)

from netreel.nets.facts import Facts
from netreel.scenes.common import palette
from netreel.scenes.common.ledger import Ledger, fill_record
from netreel.scenes.common.mobjects import digit_image
from netreel.scenes.common.text import DEFAULT_LANG, catalog, languages, tr, words

# Subtitles' reading rates, characters per second: English at about the common 15-17 for
# adults; Chinese at 6, near the rate for children (the lecture is dense), which with our
# catalogs' 2.4 English characters per Chinese one paces the two languages alike.
READING_CHARS_PER_SECOND = {"en": 16.0, "zh": 6.0}
MIN_CUE_SECONDS = 2.0
SPEECH_LEAD_SECONDS = 0.15  # a voiced cue's words start this long after its picture does
SPEECH_PAUSE_SECONDS = 0.45  # and its next cue this long after they end
STRETCH_MOST = 3.0  # an animation runs at most this many times slower to fill its segment
SECTION_LABEL_TOP, SECTION_LABEL_LEFT = 0.3, 0.6  # the section label's distance from the frame's top and left edges


def reading_seconds(key: str, fills: dict[str, object]) -> float:
    """How long a subcaption stays up at least: long enough to read it in every language.

    The same for a render in any language, so every language's cues share one
    timing and one rendered video can carry the subtitles of all of them.
    """
    seconds = MIN_CUE_SECONDS
    for lang in languages():
        if key in catalog(lang):
            seconds = max(seconds, len(tr(key, lang, **fills)) / READING_CHARS_PER_SECOND.get(lang, 16.0))
    return seconds


class Narrator(Protocol):
    """The voice a scene is rendered with (the render layer's): how long a cue takes to say."""

    def seconds(self, cue: str, key: str, fills: dict[str, object]) -> float:
        """Seconds of speech for cue ``cue`` (catalog ``key`` with ``fills``), in the slowest voiced language."""


@dataclass
class SceneContext:
    """What a scene is rendered from: its chapter's facts, the language, its timing plan and voice.

    ``plan`` holds, for each segment between sync points, the most frames it runs in
    any language (None: no other language to keep in step with). ``natural`` is this
    language's :attr:`NetScene.timing` from a run at the animations' own speed (None:
    nothing stretches). With a ``narrator`` each cue lasts as long as its speech and a
    pause, not its reading time.
    """

    facts: Facts
    lang: str = DEFAULT_LANG
    plan: list[int] | None = None
    narrator: Narrator | None = None
    natural: list[Timing] | None = None


@dataclass(frozen=True)
class Timing:
    """One segment at the animations' own speed: the frames it needs (its animations and
    waits, or its cue's length if longer), the frames of its waits and of its animations,
    and how many animations (each may round up by a frame when stretched)."""

    needed: int
    still: int = 0
    moving: int = 0
    plays: int = 0

    def stretch(self, target: int, drawn: int, done: Timing) -> float:
        """How much slower the next animation runs, ``drawn`` frames of the segment being drawn
        already and ``done`` their part at natural speed, so that the segment ends within ``target``
        frames."""
        moving = self.moving - done.moving
        if moving <= 0:
            return 1.0
        room = target - drawn - (self.still - done.still) - (self.plays - done.plays)
        return min(STRETCH_MOST, max(1.0, room / moving))


@dataclass
class Cue:
    id: str  # the catalog key, under its scene's name, and -2, -3 when the scene says it again
    text: str
    key: str
    fills: dict[str, object]
    about: list[Mobject] = field(default_factory=list)  # the mobjects the words talk about


def frames_of_play(scene: Scene) -> int:
    """The frames manim wrote for the animation just played: a still frame for a
    static wait, else one per frame period started within the run time."""
    if scene.is_current_animation_frozen_frame():
        return int(scene.duration / (1 / config.frame_rate))
    return _frames(scene.duration)


def _frames(seconds: float) -> int:
    """The frames an animation of ``seconds`` writes: one per frame period started within it."""
    return len(np.arange(0, seconds, 1 / config.frame_rate))


class NetScene(Scene):
    """A scene bound to real facts.

    Subclasses set ``chapter`` and list their ``steps``: each step is a section (a
    clip and a slide of its own) and a method of the same name, and ``construct``
    runs them in order, so the class reads as its table of contents. A scene of
    one's own may write ``construct`` instead and call :meth:`step` itself.

    What it is rendered from comes on the instance: ``scene.context`` is set before
    ``scene.render()``, as the render layer's one way to run a scene does.

    A scene that ``continues`` another of its chapter opens on that scene's last
    frame: before its own steps it runs the other's, silently (nothing drawn, said
    or counted), so its first frame is the other's last and it can hand the other's
    mobjects on (:meth:`hand_over`). The other's steps run on this instance, so the
    helpers they call belong to a class both share (the chapter's base scene).
    """

    context: SceneContext | None = None
    chapter: ClassVar[str] = ""
    estimated_seconds: ClassVar[float] = 30.0
    steps: ClassVar[tuple[str, ...]] = ()
    continues: ClassVar[type[NetScene] | None] = None  # the scene whose last frame this one opens on

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name in cls.steps:
            if hasattr(NetScene, name) or not callable(getattr(cls, name, None)):
                raise TypeError(
                    f"{cls.__name__}: step {name!r} needs a method of its own named {name!r} (not one of NetScene's)"
                )
        if cls.continues is not None and cls.continues.chapter != cls.chapter:
            raise TypeError(f"{cls.__name__} continues {cls.continues.__name__}, a scene of another chapter")

    def construct(self) -> None:
        self.replay(type(self).continues)
        for name in self.steps:
            self.step(name)
            getattr(self, name)()

    def replay(self, scene: type[NetScene] | None) -> None:
        """Bring the screen to ``scene``'s last frame (after the scenes it continues), drawing,
        saying and counting nothing: its animations are skipped to their ends."""
        if scene is None:
            return
        self.replay(scene.continues)
        renderer = self.renderer
        skipping, time = renderer._original_skipping_status, renderer.time
        renderer._original_skipping_status = True
        self._replaying = scene
        try:
            for name in scene.steps:
                getattr(scene, name)(self)
        finally:
            renderer._original_skipping_status = renderer.skip_animations = skipping
            renderer.time = time
            self._replaying = None

    def hand_over(self, pairs: Iterable[tuple[Mobject, Mobject]] = (), *new: Mobject, run_time: float = 1.5) -> None:
        """Turn the screen into the next picture: each ``(old, new)`` pair becomes its new mobject,
        the ``new`` mobjects fade in, and everything else on screen fades out."""
        pairs = list(pairs)
        for old, _ in pairs:  # a group whose parts are on screen becomes one mobject of the scene
            if old not in self.mobjects:
                self.remove(*old.get_family())
                self.add(old)
        leaving = list(_others(self.mobjects, {id(old) for old, _ in pairs}))
        self.play(
            *(_becomes(old, target) for old, target in pairs),
            *(FadeOut(m) for m in leaving), *(FadeIn(m) for m in new), run_time=run_time,
        )

    def setup(self) -> None:
        if self.context is None:
            raise RuntimeError(
                f"{type(self).__name__} has no scene context (its facts, language and timing): "
                "set scene.context before scene.render()"
            )
        self.facts = self.context.facts
        self.lang = self.context.lang
        self.ledger = Ledger(self.facts)
        self.seen: list[Mobject] = []
        self.cues: list[tuple[str, float, float]] = []
        self.captions: list[tuple[str, dict]] = []  # each cue's key and fills (:func:`fill_record`), for other languages
        self.subjects: list[list[Mobject]] = []  # each cue's mobjects it talks about (``say(..., about=)``)
        self.cue_ids: list[str] = []  # each cue's id, the name of its recording (``recorded:DIR``)
        self._said: Counter[str] = Counter()
        self.sections_started: list[tuple[str, float]] = []
        self.frames = 0  # frames written so far, counted alike in a dry run and a render
        self.timing: list[Timing] = []  # each segment at the animations' own speed
        self._plan = self.context.plan
        self._natural = self.context.natural
        self._segment_start = 0
        self._done = Timing(0)  # the segment so far at natural speed: its waits, animations and plays
        self._natural_frames = 0  # the frames the animation being played takes at its own speed
        self._cue: Cue | None = None
        self._replaying: type[NetScene] | None = None  # the scene whose steps run silently (:meth:`replay`)
        self.camera.background_color = palette.BACKGROUND

    # words ---------------------------------------------------------------
    def key(self, key: str) -> str:
        """A dotted key is absolute (``common.inputs``); a bare one belongs to this scene
        (to the scene being replayed, while one is)."""
        return key if "." in key else f"{self.chapter}.{(self._replaying or type(self)).__name__}.{key}"

    def t(self, key: str, **fills: object) -> str:
        return tr(self.key(key), self.lang, **fills)

    def words(self, key: str, **kwargs) -> Text:
        return words(self.key(key), self.lang, **kwargs)

    def digit(self, key: str, index, height: float):
        """A digit from the ledger's pixels ``key[index]``, in grey, ``height`` units tall."""
        return digit_image(self.ledger.array(key, index), height)

    def heading(self, key: str = "title") -> VGroup:
        """The scene's section label: its title, small and muted at the top left, as a lecture
        names the part it is in (a chapter plays as one lecture, not as a deck of titled slides).

        The label stands in the band a slide title took (an invisible box of that title's size
        and place), so what a scene lays out under it (``next_to(heading, DOWN)``) keeps its place.
        """
        title = self.words(key, font_size=palette.TITLE_SIZE)
        room = config.frame_width - 1.0
        if title.width > room:
            title.scale_to_fit_width(room)
        title.to_edge(UP, buff=0.35)
        label = self.words(key, font_size=palette.LABEL_SIZE, color=palette.MUTED)
        label.to_edge(UP, buff=SECTION_LABEL_TOP).to_edge(LEFT, buff=SECTION_LABEL_LEFT)
        reach = max(title.width / 2, -label.get_left()[0])  # centred on the frame, as the title was
        band = Rectangle(width=2 * reach, height=title.height, stroke_width=0, fill_opacity=0).move_to(title).set_x(0)
        return VGroup(band, label)

    # narration -----------------------------------------------------------
    def say(self, key: str, about: Iterable[Mobject] = (), **fills: object) -> None:
        """Start a subcaption; it lasts until the next ``say``, ``step`` or the end of the scene.

        ``about`` names the mobjects the words talk about: the review checks they are on
        screen while the words are said. Ones built later join with :meth:`point_at`.
        """
        if self._replaying:
            return
        self._sync()
        self._cue = Cue(self.cue_id(key), self.t(key, **fills), self.key(key), fills, list(about))

    def cue_id(self, key: str) -> str:
        """The id the next ``say(key)`` gets: ``chapter.Scene.key``, and ``-2``, ``-3`` for repeats."""
        scene = f"{self.chapter}.{type(self).__name__}."
        full = self.key(key)
        base = full if full.startswith(scene) else scene + full
        self._said[base] += 1
        return base if self._said[base] == 1 else f"{base}-{self._said[base]}"

    def point_at(self, *mobjects: Mobject) -> None:
        """Add mobjects to what the current subcaption talks about."""
        if self._replaying:
            return
        if self._cue is None:
            raise RuntimeError(f"{type(self).__name__}: point_at() outside a subcaption (call say() first)")
        self._cue.about.extend(mobjects)

    def cue_left(self, least: float = 1.0) -> float:
        """Seconds the subcaption being said still runs past what has been played in it, at least ``least``:
        the run time that carries an animation to the cue's end instead of a still frame."""
        if self._cue is None:
            return least
        played = (self.frames - self._segment_start) / config.frame_rate
        return max(least, self._cue_seconds(self._cue) - played)

    def cue_text(self) -> str | None:
        """The words of the subcaption being said (None between subcaptions)."""
        return self._cue.text if self._cue is not None else None

    def current_subjects(self) -> list[Mobject]:
        """What the subcaption being said talks about (empty between subcaptions)."""
        return list(self._cue.about) if self._cue is not None else []

    def step(self, name: str) -> None:
        """Start a section (a pedagogical step: a clip and a slide of its own)."""
        if self._replaying:
            return
        self._sync()
        self.next_section(name)
        self.sections_started.append((name, self.frames / config.frame_rate))

    def _sync(self) -> None:
        """A sync point: the segment since the last one lasts as long as its subcaption
        needs to be read and as the plan says; then its subcaption ends."""
        elapsed = self.frames - self._segment_start
        cue = 0 if self._cue is None else math.ceil(self._cue_seconds(self._cue) * config.frame_rate - 1e-9)
        done = self._done
        self.timing.append(Timing(max(cue, done.still + done.moving), done.still, done.moving, done.plays))
        needed = max(elapsed, cue)
        if self._plan is not None:
            if len(self._plan) < len(self.timing):
                raise RuntimeError(f"{type(self).__name__} has more steps and subcaptions in {self.lang} than in another language")
            needed = max(needed, self._plan[len(self.timing) - 1])
        if needed > elapsed:  # a still frame, updaters running: exactly that many frames
            self.wait((needed - elapsed - 0.5) / config.frame_rate, frozen_frame=False)
        if self._cue is not None:
            start, end = self._segment_start / config.frame_rate, self.frames / config.frame_rate
            self.add_subcaption(self._cue.text, duration=end - start, offset=start - self.time)
            self.cues.append((self._cue.text, start, end))
            self.captions.append((self._cue.key, {name: fill_record(value) for name, value in self._cue.fills.items()}))
            self.subjects.append(self._cue.about)
            self.cue_ids.append(self._cue.id)
            self._cue = None
        self._segment_start = self.frames
        self._done = Timing(0)

    def _cue_seconds(self, cue: Cue) -> float:
        """A cue's least length: its speech and a pause when voiced, else its reading time."""
        narrator = self.context.narrator
        if narrator is None:
            return reading_seconds(cue.key, cue.fills)
        return SPEECH_LEAD_SECONDS + narrator.seconds(cue.id, cue.key, cue.fills) + SPEECH_PAUSE_SECONDS

    def compile_animations(self, *args, **kwargs):
        """The animations to play, slowed by the segment's stretch (waits are not)."""
        animations = super().compile_animations(*args, **kwargs)
        self._natural_frames = 0
        if self._replaying or all(isinstance(a, Wait) for a in animations):
            return animations
        self._natural_frames = _frames(max(a.get_run_time() for a in animations))
        factor = self._stretch()
        if factor > 1.0:
            for animation in animations:
                animation.run_time = animation.get_run_time() * factor
        return animations

    def _stretch(self) -> float:
        i = len(self.timing)
        if self._natural is None or i >= len(self._natural):
            return 1.0
        record = self._natural[i]
        target = max(record.needed, self._plan[i] if self._plan is not None and i < len(self._plan) else 0)
        return record.stretch(target, self.frames - self._segment_start, self._done)

    def play(self, *args, **kwargs) -> None:
        super().play(*args, **kwargs)
        if not self._replaying:
            frames = frames_of_play(self)
            self.frames += frames
            done = self._done
            if self._natural_frames:
                self._done = Timing(0, done.still, done.moving + self._natural_frames, done.plays + 1)
            else:
                self._done = Timing(0, done.still + frames, done.moving, done.plays)

    def tear_down(self) -> None:
        self._sync()
        if self._plan is not None and len(self._plan) != len(self.timing):
            raise RuntimeError(f"{type(self).__name__} has fewer steps and subcaptions in {self.lang} than in another language")
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


def _becomes(old: Mobject, new: Mobject):
    """``old`` turning into ``new``: point by point between shapes, else (an image, or words, whose
    glyphs would tangle) a cross-fade that moves and scales."""
    shapes = all(isinstance(m, VMobject) and not isinstance(m, Text) for m in (*old.get_family(), *new.get_family()))
    return ReplacementTransform(old, new) if shapes else FadeTransform(old, new)


def _others(mobjects: Iterable[Mobject], kept: set[int]) -> Iterable[Mobject]:
    """The largest parts of ``mobjects`` that hold none of the ``kept`` ones (by id)."""
    for mob in mobjects:
        if id(mob) in kept:
            continue
        if any(id(part) in kept for part in mob.get_family()):
            yield from _others(mob.submobjects, kept)
        else:
            yield mob
