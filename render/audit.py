"""The truth ledger's audit: every shown number against an independent recomputation.

A scene passes when every ledger entry equals the reference value of its fact
(within float tolerance, and to the digit for what was shown), when no
mobject on screen draws digits or words that bypassed the ledger and the catalog,
and when its layout holds in the language it is run in: at the end of every
animation nothing leaves the frame and no words overlap other characters, and
every character of its words is drawn with a glyph of its own (no empty boxes).

It checks the numbers a render shows: the scenes run on the facts a render reads,
those stored in the facts cache (:mod:`netreel.nets.facts_cache`), so a number
altered there, however well its digest was forged, fails against the recomputation.

The audit runs no scene of its own: a dry run (:func:`netreel.render.run.run_scene`)
with a :class:`LayoutWatch` records the scene, and pure functions check that record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

import netreel.nets.facts
from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.nets.facts import VOCABULARY
from netreel.render.aspect import DEFAULT_ASPECT, frame_size, outside_frame
from netreel.render.limits import DEFAULT_SCENE_SECONDS, time_limit
from netreel.render.pipeline import RenderOptions, check_words
from netreel.render.run import Settings, run_scene
from netreel.scenes.common.base import NetScene, SceneContext
from netreel.scenes.common.ledger import COUNTINGS, Entry, decode_index, format_value, source_of
from netreel.scenes.common.text import is_text, recording
from netreel.scenes.registry import TargetError
from netreel.scenes.userfile import resolve

RTOL, ATOL = 1e-4, 1e-6
OVERLAP_TOLERANCE = 0.02  # scene units: boxes that touch do not overlap
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+")


@dataclass
class AuditReport:
    scene: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)  # the catalog keys the scene looked up

    @property
    def ok(self) -> bool:
        return not self.problems


def check_entry(entry: Entry, reference: dict[str, np.ndarray]) -> str | None:
    """Why an entry disagrees with the reference, or None when it agrees."""
    if entry.kind == "scale":
        return None
    if entry.key not in reference:
        return f"{entry.key}: no independent recomputation of this fact"
    if entry.kind == "position":
        return _check_position(entry, reference[entry.key])
    try:
        expected = np.asarray(reference[entry.key][decode_index(entry.index)], dtype=np.float64)
    except (IndexError, TypeError) as err:
        return f"{entry.key}{entry.index}: index not in the recomputed fact ({err})"
    if entry.kind == "span":
        low, high = entry.value
        slack = ATOL + RTOL * max(abs(low), abs(high))
        if expected.size and (expected.min() < low - slack or expected.max() > high + slack):
            return f"{entry.key}{entry.index}: recomputed {_brief(expected)} leaves the axis's range [{low}, {high}]"
        return None
    value = np.asarray(entry.value, dtype=np.float64)
    if expected.shape != value.shape or not np.allclose(value, expected, rtol=RTOL, atol=ATOL):
        return f"{entry.key}{entry.index}: scene read {_brief(value)}, recomputed {_brief(expected)}"
    if entry.kind == "token":
        return _check_word(entry, int(round(float(expected))), reference.get(VOCABULARY))
    if entry.shown is not None and format_value(float(expected), entry.spec) != entry.shown:
        step = 10.0 ** -_decimals(entry.spec)
        if abs(float(entry.shown.replace(",", "").rstrip("%")) - float(expected)) > step / 2 + ATOL + RTOL * abs(float(expected)):
            return f"{entry.key}{entry.index}: shown {entry.shown!r}, recomputed {float(expected)!r}"
    return None


def _check_position(entry: Entry, recomputed: np.ndarray) -> str | None:
    """A layer's number: the recomputed fact has that entry, and it is numbered as shown."""
    (position,), n = entry.index, len(recomputed)
    if not 0 <= position < n:
        return f"{entry.key}[{position}]: the recomputed fact has {n} entries, none numbered {entry.shown!r}"
    expected = str(COUNTINGS[entry.spec](position, n))
    return None if expected == entry.shown else f"{entry.key}[{position}]: numbered {entry.shown!r}, recomputed {expected!r}"


def _check_word(entry: Entry, token: int, vocabulary: np.ndarray | None) -> str | None:
    """A drawn word: the vocabulary, made again from the corpus, has it at the recomputed token id."""
    if vocabulary is None:
        return f"{entry.key}: no vocabulary recomputed to check the word {entry.shown!r} against"
    if not 0 <= token < len(vocabulary) or str(vocabulary[token]) != entry.shown:
        return f"{entry.key}{entry.index}: drew {entry.shown!r}, the vocabulary's token {token} is " + (
            repr(str(vocabulary[token])) if 0 <= token < len(vocabulary) else "not there"
        )
    return None


def _decimals(spec: str) -> int:
    match = re.search(r"\.(\d+)", spec or "")
    return int(match.group(1)) if match else 0


def _brief(array: np.ndarray) -> str:
    flat = array.reshape(-1)
    text = np.array2string(flat[:4], precision=6)
    return text if flat.size <= 4 else f"{text[:-1]} ...] ({flat.size} values)"


def untracked_text(seen: list) -> list[str]:
    """Mobjects that draw digits or words without the ledger or the catalog."""
    problems, visited = [], set()

    def walk(mob) -> None:
        if id(mob) in visited:
            return
        visited.add(id(mob))
        if source_of(mob) is not None:
            return
        if is_text(mob):
            content = text_of(mob)
            if any(c.isdigit() for c in content):
                problems.append(f"numeric mobject not in the ledger: {type(mob).__name__}({content!r})")
                return
            if any(c.isalpha() for c in content):
                problems.append(f"text that bypasses the catalog: {type(mob).__name__}({content!r})")
                return
        for sub in [*mob.submobjects, *getattr(mob, "pages", ())]:  # a Flipbook's pages, shown or not
            walk(sub)

    for mob in seen:
        walk(mob)
    return problems


def text_of(mob) -> str:
    if hasattr(mob, "number"):
        return str(mob.number)
    if hasattr(mob, "tex_string"):
        return _LATEX_COMMAND.sub("", mob.tex_string)
    return str(getattr(mob, "text", getattr(mob, "original_text", "")))


def parts(mob):
    """A mobject and its submobjects, where a Flipbook holds its pages: the one it draws is a copy
    of the first page reshaped into each page in turn, so it keeps the first page's text."""
    yield mob
    for sub in getattr(mob, "pages", mob.submobjects):
        yield from parts(sub)


def words_in(mobjects) -> list:
    """The catalog's Text mobjects among ``mobjects`` and their submobjects, a Flipbook's pages included."""
    return [m for mob in mobjects for m in parts(mob) if (source_of(m) or ("",))[0] == "words"]


def missing_glyphs(seen: list) -> list[str]:
    """Words drawn with empty boxes: Pango draws a character its font lacks as a box
    holding the code point's hex digits, several outlines where a glyph is one."""
    problems = []
    for text in dict.fromkeys(words_in(seen)):
        characters = [c for c in text.original_text if not c.isspace()]
        if len(text.submobjects) > len(characters) or any(not glyph.has_points() for glyph in text.submobjects):
            problems.append(f"words drawn without their glyphs (empty boxes): Text({text.original_text!r}) in the font {text.font!r}")
    return problems


def is_shown(mob) -> bool:
    return any(np.any(m.get_fill_opacities() > 0) or np.any(m.get_stroke_opacities() > 0) for m in mob.get_family() if m.has_points())


def overlapping_words(mobjects) -> list[str]:
    """Words whose box overlaps another piece of words, an equation or a number on screen."""
    characters = [m for mob in mobjects for m in mob.get_family() if (source_of(m) or ("",))[0] in ("words", "eq", "ledger", "scale")]
    characters = [m for m in dict.fromkeys(characters) if is_shown(m)]
    boxes = [(m, m.get_corner([-1, -1, 0])[:2] + OVERLAP_TOLERANCE, m.get_corner([1, 1, 0])[:2] - OVERLAP_TOLERANCE) for m in characters]
    problems = []
    for i, (a, low_a, high_a) in enumerate(boxes):
        for b, low_b, high_b in boxes[i + 1 :]:
            if "words" in (source_of(a)[0], source_of(b)[0]) and np.all(low_a < high_b) and np.all(low_b < high_a):
                problems.append(f"words overlap: {type(a).__name__}({text_of(a)!r}) and {type(b).__name__}({text_of(b)!r})")
    return problems


class LayoutWatch:
    """An observer of a run: what leaves the frame and which words overlap, at the end of every animation."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def __call__(self, scene: NetScene) -> None:
        section = scene.sections_started[-1][0] if scene.sections_started else "start"
        where = f"in step {section!r}"
        for problem in outside_frame(scene.mobjects, frame_size(DEFAULT_ASPECT)):
            self.problems.append(f"off the frame {where}: {problem}")
        self.problems.extend(f"{problem} {where}" for problem in overlapping_words(scene.mobjects))


def check_scene(scene: NetScene, reference: dict[str, np.ndarray], layout: list[str], keys: set[str]) -> AuditReport:
    """The audit of a scene's run: its ledger against the reference, its text, glyphs and ``layout`` problems."""
    cls = type(scene)
    report = AuditReport(f"{cls.chapter}.{cls.__name__}", checked=len(scene.ledger.entries), keys=keys)
    report.problems += [p for p in (check_entry(e, reference) for e in scene.ledger.entries) if p]
    report.problems += untracked_text(scene.seen + list(scene.mobjects))
    report.problems += missing_glyphs(scene.seen + list(scene.mobjects))
    report.problems += list(dict.fromkeys(layout))
    report.problems += [f"off the frame at the end: {p}" for p in outside_frame(scene.mobjects, frame_size(DEFAULT_ASPECT))]
    if len(scene.renderer.file_writer.subcaptions) != len(scene.cues):
        report.problems.append("a subcaption that bypasses the catalog: narrate with self.say(key), not add_subcaption")
    if not scene.ledger.entries:
        report.problems.append("the scene shows no number from the ledger")
    return report


def audit_scene(cls: type[NetScene], facts, reference: dict[str, np.ndarray], lang: str = "en") -> AuditReport:
    """Run a scene dry in ``lang``, watching its layout, and check what it recorded."""
    watch = LayoutWatch()
    with recording() as keys:
        scene = run_scene(cls, SceneContext(facts, lang), Settings(), draw=False, observer=watch)
    return check_scene(scene, reference, watch.problems, keys)


def audit_target(
    target: str, lang: str = "en", net: NetConfig | None = None, limit: float | None = DEFAULT_SCENE_SECONDS,
) -> Iterator[AuditReport]:
    """The audit of every scene ``target`` names, scene by scene (each for at most ``limit`` seconds),
    once its words are known to be there."""
    net = net or NetConfig()
    targets = resolve(target)
    check_words(targets, RenderOptions(lang=lang))
    for chapter, scenes in targets:
        if not chapter.facts:
            raise TargetError(f"{target}: a plain manim Scene has no truth ledger, so there is nothing to audit")
        facts = facts_cache.build(chapter.facts, net)  # what a render shows: the stored facts, when stored
        reference = netreel.nets.facts.reference(chapter.facts, net)
        for cls in scenes:
            with time_limit(limit, f"{chapter.id}.{cls.__name__}"):
                report = audit_scene(cls, facts, reference, lang)
            yield report
