"""The review of rendered lectures: frozen time, legibility and narration binding, scene by scene and by chapter.

Frozen time is measured on a scene's video (:mod:`netreel.render.frozen`); legibility
and binding on a dry run of the scene in each language asked for, watched at the end
of every animation (:mod:`netreel.render.legibility`, :mod:`netreel.render.binding`).
Beside the renders each scene gets a contact sheet and each chapter a page of them
(:mod:`netreel.render.contact_sheet`).

Limits: at most :data:`MAX_FROZEN_SHARE` of a chapter's running time frozen, no hold
over :data:`MAX_HOLD_SECONDS` but a scene's closing beat, the legibility limits, and
no cue whose named mobjects are off screen while it is said. Cues that name nothing,
and cues during which nothing named does anything, are reported, not failed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.render.binding import Binding, BindingWatch
from netreel.render.chapter import read_manifest, scene_title
from netreel.render.contact_sheet import write_page, write_sheet
from netreel.render.frozen import FrozenTime, combined, cut_jump, frozen_time
from netreel.render.legibility import Legibility, LegibilityWatch
from netreel.render.pipeline import RenderOptions, render
from netreel.render.run import Settings, run_scene
from netreel.scenes.common.base import NetScene, SceneContext
from netreel.scenes.common.text import CatalogError, tr

MAX_FROZEN_SHARE = 0.20  # of a chapter's running time
MAX_HOLD_SECONDS = 6.0  # but a scene's closing beat
REVIEW_FOLDER = "review"  # beside the renders: the contact sheets and the chapter's page


@dataclass
class SceneReview:
    scene: str  # chapter.Scene
    legibility: list[Legibility]  # one per language
    binding: Binding
    frozen: FrozenTime | None = None  # None: not measured (a dry run only)
    sheet: Path | None = None
    cut: float | None = None  # share of the picture that jumps at the cut into it (None: the chapter's first scene)

    def failures(self) -> list[str]:
        problems = []
        if self.frozen is not None and self.frozen.longest_open > MAX_HOLD_SECONDS:
            longest = self.frozen.longest_open
            problems.append(f"a hold of {longest:.1f} s (limit {MAX_HOLD_SECONDS:g} s but the closing beat)")
        for result in self.legibility:
            problems += [f"[{result.lang}] {problem}" for problem in result.failures()]
        return problems + self.binding.failures()

    def findings(self) -> list[str]:
        """What is reported but breaks no limit."""
        binding = self.binding
        unnamed = [f"{len(binding.unnamed)} of {binding.cues} cues name nothing"] if binding.unnamed else []
        return unnamed + binding.idle

    def to_json(self) -> dict:
        frozen = self.frozen
        return {
            "scene": self.scene,
            "frozen": None if frozen is None else {
                "duration": frozen.duration, "frozen": frozen.frozen, "share": frozen.share, "longest": frozen.longest,
                "longest_open": frozen.longest_open,
                "holds": [[hold.start, hold.end, hold.closing] for hold in frozen.holds],
            },
            "legibility": [
                {"lang": r.lang, "smallest_cap_px": r.smallest, "smallest_text": r.smallest_text, "small": r.small,
                 "edges": r.edges, "subtitle_band": r.band, "overlaps": r.overlaps}
                for r in self.legibility
            ],
            "binding": {"cues": self.binding.cues, "unnamed": self.binding.unnamed, "idle": self.binding.idle,
                        "off_screen": self.binding.off_screen},
            "sheet": None if self.sheet is None else str(self.sheet),
            "cut": self.cut,
            "failures": self.failures(),
        }


@dataclass
class ChapterReview:
    chapter: str
    scenes: list[SceneReview] = field(default_factory=list)
    page: Path | None = None

    @property
    def frozen(self) -> FrozenTime | None:
        parts = [s.frozen for s in self.scenes]
        return None if any(p is None for p in parts) else combined(parts)

    def failures(self) -> list[str]:
        frozen = self.frozen
        if frozen is not None and frozen.share > MAX_FROZEN_SHARE:
            return [f"{frozen.share:.0%} of its running time is frozen (limit {MAX_FROZEN_SHARE:.0%})"]
        return []

    def broken(self) -> int:
        """The problems that break a limit, in the chapter and its scenes."""
        return len(self.failures()) + sum(len(s.failures()) for s in self.scenes)

    def to_json(self) -> dict:
        frozen = self.frozen
        return {
            "chapter": self.chapter,
            "frozen_share": None if frozen is None else frozen.share,
            "longest_hold": None if frozen is None else frozen.longest,
            "page": None if self.page is None else str(self.page),
            "failures": self.failures(),
            "scenes": [s.to_json() for s in self.scenes],
        }


def review_run(cls: type[NetScene], facts, langs: list[str], band: bool = False) -> SceneReview:
    """The legibility (in each of ``langs``) and the binding (in the first) of a scene, from dry runs."""
    results, binding = [], None
    for lang in langs:
        legibility = LegibilityWatch(lang, band)
        watches = [legibility] if binding else [legibility, BindingWatch()]

        def observe(scene: NetScene) -> None:
            for watch in watches:
                watch(scene)

        scene = run_scene(cls, SceneContext(facts, lang), Settings(), draw=False, observer=observe)
        results.append(legibility.result)
        binding = binding or watches[1].result(scene)
    return SceneReview(f"{cls.chapter}.{cls.__name__}", results, binding)


@dataclass
class ReviewOptions:
    quality: str = "low"
    out: Path = Path("renders")
    langs: tuple[str, ...] = ("en",)  # the first is the language the videos are rendered in
    burn_subtitles: bool = False  # check the subtitle band
    jobs: int = 1
    net: NetConfig = field(default_factory=NetConfig)


def review_targets(
    targets: list, opts: ReviewOptions, report: Callable[[str], None] = lambda line: None,
) -> list[ChapterReview]:
    """Render (or reuse) the targets' scenes, then review each and write its contact sheet and the chapter's page."""
    lang = opts.langs[0]
    outputs = render(targets, RenderOptions(opts.quality, opts.out, opts.jobs, lang, net=opts.net), report)
    reviews = []
    for output, (chapter, scenes) in zip(outputs, targets):
        manifest = read_manifest(output.folder)
        facts = facts_cache.build(chapter.facts, opts.net)
        review = ChapterReview(chapter.id)
        order = [cls.__name__ for cls in chapter.scenes()]
        for cls in scenes:
            entry = manifest["scenes"][cls.__name__]
            scene = review_run(cls, facts, list(opts.langs), opts.burn_subtitles)
            scene.scene = f"{chapter.id}.{cls.__name__}"  # a scene file's scenes are named for the file
            scene.frozen = frozen_time(output.folder / entry["video"])
            scene.cut = _cut_into(output.folder, manifest, order, cls.__name__)
            sheet = output.folder / REVIEW_FOLDER / f"{cls.__name__}.png"
            title = f"{scene.scene}: {scene_title(cls, lang)}"
            scene.sheet = write_sheet(output.folder / entry["video"], entry["cues"], sheet, title)
            report(f"{scene.scene}: reviewed")
            review.scenes.append(scene)
        review.page = write_page(
            output.folder / REVIEW_FOLDER / "index.html", _chapter_title(chapter.id, lang),
            [(s.scene, s.sheet, summary(s)) for s in review.scenes],
        )
        reviews.append(review)
    return reviews


def _cut_into(folder: Path, manifest: dict, order: list[str], name: str) -> float | None:
    """The jump at the cut from the scene before ``name`` in its chapter, when that one's video is there."""
    index = order.index(name)
    before = manifest["scenes"].get(order[index - 1], {}) if index else {}
    previous = folder / before.get("video", "")
    if not before or not previous.is_file():
        return None
    return cut_jump(previous, folder / manifest["scenes"][name]["video"])


def _chapter_title(chapter: str, lang: str) -> str:
    """A chapter's id and title (a scene file's chapter has only its name)."""
    try:
        return f"{chapter}: {tr(f'{chapter}.title', lang)}"
    except CatalogError:
        return chapter


def summary(scene: SceneReview) -> list[str]:
    """A scene's figures, a line each, for its chapter's page."""
    lines = [] if scene.frozen is None else [
        f"frozen {scene.frozen.share:.0%} of {scene.frozen.duration:.1f} s; longest hold {scene.frozen.longest:.1f} s"
    ]
    if scene.cut is not None:
        lines.append(f"{scene.cut:.0%} of the picture jumps at the cut into it")
    lines += [
        f"[{r.lang}] smallest text {_px(r.smallest)} px cap height ({r.smallest_text!r})" for r in scene.legibility
    ]
    return lines + scene.failures() + scene.findings()


COLUMNS = (
    "scene", "s", "frozen", "hold", "open", "cut", "cap px", "edge", "band", "overlap", "cues", "unnamed", "idle", "off", "",
)


def table(reviews: list[ChapterReview]) -> str:
    """A row per scene (its figures; ``off``: cues naming something off screen) and one per chapter."""
    rows = [COLUMNS]
    for chapter in reviews:
        for scene in chapter.scenes:
            rows.append(_row(scene, scene.failures()))
        frozen = chapter.frozen
        rows.append((
            f"= {chapter.chapter}", *_frozen_cells(frozen), "", "", "", "", "",
            str(sum(s.binding.cues for s in chapter.scenes)), str(sum(len(s.binding.unnamed) for s in chapter.scenes)),
            str(sum(len(s.binding.idle) for s in chapter.scenes)), "", "FAIL" if chapter.broken() else "ok",
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))).rstrip()
        for row in rows
    )


def _px(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _frozen_cells(frozen: FrozenTime | None) -> tuple[str, ...]:
    if frozen is None:
        return "-", "-", "-", "-"
    return f"{frozen.duration:.1f}", f"{frozen.share:.0%}", f"{frozen.longest:.1f}", f"{frozen.longest_open:.1f}"


def _row(scene: SceneReview, failures: list[str]) -> tuple:
    legibility, binding = scene.legibility, scene.binding
    return (
        scene.scene, *_frozen_cells(scene.frozen), "-" if scene.cut is None else f"{scene.cut:.0%}",
        " ".join(f"{r.lang} {_px(r.smallest)}" for r in legibility),
        str(max(len(r.edges) for r in legibility)), str(max(len(r.band) for r in legibility)),
        str(max(len(r.overlaps) for r in legibility)),
        str(binding.cues), str(len(binding.unnamed)), str(len(binding.idle)), str(len(binding.off_screen)),
        "FAIL" if failures else "ok",
    )


def problems(reviews: list[ChapterReview]) -> list[str]:
    """The limits broken, a ``FAIL`` line per chapter or scene and a line per problem under it."""
    lines = []
    for chapter in reviews:
        named = [(chapter.chapter, chapter.failures()), *((s.scene, s.failures()) for s in chapter.scenes)]
        for name, failures in named:
            if failures:
                lines += [f"FAIL  {name}:", *(f"        {problem}" for problem in failures)]
    return lines
