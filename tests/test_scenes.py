"""Every registered scene: renders at `tiny`, matches its control frame, passes the audit in every language."""

from __future__ import annotations

import numpy as np
import pytest

from netreel.scenes import registry
from netreel.scenes.common.text import languages
from netreel.render import video
from tests import frames

SCENES = [(ch, cls) for ch in registry.CHAPTERS for cls in ch.scenes()]
IDS = [f"{ch.id}.{cls.__name__}" for ch, cls in SCENES]


@pytest.mark.parametrize(("chapter", "scene"), SCENES, ids=IDS)
def test_scene_renders_at_tiny(rendered, chapter, scene):
    folder, manifest = rendered(chapter.id)
    entry = manifest["scenes"][scene.__name__]
    info = video.probe(folder / entry["video"])
    assert (info["width"], info["height"]) == (256, 144)
    assert info["fps"] == 10
    assert info["duration"] > 5
    assert entry["cues"], "the scene narrates nothing"
    assert entry["sections"], "the scene has no sections"


@pytest.mark.parametrize(("chapter", "scene"), SCENES, ids=IDS)
def test_scene_matches_control_frame(rendered, chapter, scene):
    folder, manifest = rendered(chapter.id)
    control = frames.control_path(chapter.id, scene.__name__)
    assert control.exists(), f"no control frame; create it on purpose with: python -m tests.frames {chapter.id}.{scene.__name__}"
    actual = frames.load_frame(folder / manifest["scenes"][scene.__name__]["still"])
    problem = frames.compare(actual, np.load(control)["frame"])
    assert problem is None, problem


@pytest.mark.parametrize("lang", languages())
@pytest.mark.parametrize(("chapter", "scene"), SCENES, ids=IDS)
def test_scene_passes_ledger_audit(audited, chapter, scene, lang):
    """Its numbers match the network; its words come from the catalog, drawn with real glyphs; its layout
    holds in this language (inside the frame and no words overlapping, at the end of every animation)."""
    report = audited(chapter, scene, lang)
    assert report.ok, "\n".join(report.problems)
    assert report.checked > 0
