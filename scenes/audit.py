"""The truth ledger's audit: every shown number against an independent recomputation.

A scene passes when every ledger entry equals the reference value of its fact
(within float tolerance, and to the digit for what was shown), and when no
mobject on screen draws digits or words that bypassed the ledger and the catalog.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from scenes.common.base import SceneContext, use_context
from scenes.common.ledger import Entry, decode_index, format_value, source_of
from scenes.common.text import is_text
from scenes.render.aspect import DEFAULT_ASPECT, frame_size, outside_frame

RTOL, ATOL = 1e-4, 1e-6
_LATEX_COMMAND = re.compile(r"\\[a-zA-Z]+")


@dataclass
class AuditReport:
    scene: str
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check_entry(entry: Entry, reference: dict[str, np.ndarray]) -> str | None:
    """Why an entry disagrees with the reference, or None when it agrees."""
    if entry.kind == "scale":
        return None
    if entry.key not in reference:
        return f"{entry.key}: no independent recomputation of this fact"
    try:
        expected = np.asarray(reference[entry.key][decode_index(entry.index)], dtype=np.float64)
    except (IndexError, TypeError) as err:
        return f"{entry.key}{entry.index}: index not in the recomputed fact ({err})"
    value = np.asarray(entry.value, dtype=np.float64)
    if expected.shape != value.shape or not np.allclose(value, expected, rtol=RTOL, atol=ATOL):
        return f"{entry.key}{entry.index}: scene read {_brief(value)}, recomputed {_brief(expected)}"
    if entry.shown is not None and format_value(float(expected), entry.spec) != entry.shown:
        step = 10.0 ** -_decimals(entry.spec)
        if abs(float(entry.shown.replace(",", "").rstrip("%")) - float(expected)) > step / 2 + ATOL + RTOL * abs(float(expected)):
            return f"{entry.key}{entry.index}: shown {entry.shown!r}, recomputed {float(expected)!r}"
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
            content = _content(mob)
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


def _content(mob) -> str:
    if hasattr(mob, "number"):
        return str(mob.number)
    if hasattr(mob, "tex_string"):
        return _LATEX_COMMAND.sub("", mob.tex_string)
    return str(getattr(mob, "text", getattr(mob, "original_text", "")))


def construct(cls: type, facts, lang: str = "en", aspect: str = DEFAULT_ASPECT):
    """Run a scene's construct() without drawing a frame; return the scene."""
    from manim import tempconfig

    from scenes.render.worker import manim_config, serialise_svg_files

    serialise_svg_files()
    use_context(SceneContext(facts, lang))
    with tempfile.TemporaryDirectory() as scratch:
        settings = manim_config(
            "tiny", Path(scratch), aspect, output_file=str(Path(scratch) / cls.__name__),
            dry_run=True, save_last_frame=True, write_to_movie=False,
        )
        with tempconfig(settings):
            scene = cls()
            scene.render()
    return scene


def audit_scene(cls: type, facts, reference: dict[str, np.ndarray], lang: str = "en") -> AuditReport:
    scene = construct(cls, facts, lang)
    report = AuditReport(f"{cls.chapter}.{cls.__name__}", checked=len(scene.ledger.entries))
    report.problems += [p for p in (check_entry(e, reference) for e in scene.ledger.entries) if p]
    report.problems += untracked_text(scene.seen + list(scene.mobjects))
    report.problems += [f"off the frame at the end: {p}" for p in outside_frame(scene.mobjects, frame_size(DEFAULT_ASPECT))]
    if not scene.ledger.entries:
        report.problems.append("the scene shows no number from the ledger")
    return report
