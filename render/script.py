"""The narration as a script to record: every cue's id, its words in each language, its planned seconds.

A lecturer reads the script aloud, one WAV per cue named by its id, into
``DIR/<lang>/<cue id>.wav``, and renders with ``--voice recorded:DIR``. The
seconds are the silent render's (reading time and animation); a recording sets
its cue's length instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.nets.facts import Facts
from netreel.render.run import Settings, run_scene
from netreel.scenes.common.base import SceneContext
from netreel.scenes.common.ledger import rebuild_fill
from netreel.scenes.common.text import CatalogError, tr
from netreel.scenes.registry import Chapter


def chapter_script(chapter: Chapter, scenes: list[type], net: NetConfig, langs: tuple[str, ...]) -> list[dict]:
    """One row per cue of ``scenes``: id, scene, planned seconds, and its text in each of ``langs``."""
    facts = facts_cache.build(chapter.facts, net)
    rows = []
    for cls in scenes:
        dry = run_scene(cls, SceneContext(facts, langs[0]), Settings(), draw=False)
        for cue, (key, fills), (_, start, end) in zip(dry.cue_ids, dry.captions, dry.cues):
            rows.append({
                "id": cue,
                "scene": f"{chapter.id}.{cls.__name__}",
                "seconds": round(end - start, 2),
                "text": {lang: _text(key, lang, fills, facts) for lang in langs},
            })
    return rows


def _text(key: str, lang: str, fills: dict, facts: Facts) -> str:
    try:
        return tr(key, lang, **{name: rebuild_fill(record, facts) for name, record in fills.items()})
    except CatalogError:
        return ""


def as_markdown(title: str, rows: list[dict]) -> str:
    """A printable script: a heading per scene, then each cue's id, seconds and words."""
    lines, scene = [f"# {title}", ""], None
    for row in rows:
        if row["scene"] != scene:
            scene = row["scene"]
            lines += [f"## {scene}", ""]
        lines.append(f"**{row['id']}** ({row['seconds']:.1f} s)")
        lines += [f"- {lang}: {text}" for lang, text in row["text"].items()]
        lines.append("")
    return "\n".join(lines)


def write(folder: Path, name: str, title: str, rows: list[dict]) -> tuple[Path, Path]:
    """``name.md`` and ``name.json`` in ``folder``, each written whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = (folder / f"{name}.md", folder / f"{name}.json")
    for path, text in zip(paths, (as_markdown(title, rows), json.dumps(rows, ensure_ascii=False, indent=1))):
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(tmp, path)
    return paths
