"""Re-rendering: nothing changed renders nothing and runs no network; one changed scene renders alone."""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
from pathlib import Path

import pytest

import netreel.nets.facts
from netreel.nets import facts_cache
from netreel.nets.config import NetConfig
from netreel.scenes.registry import Chapter
from netreel.render.executors import InlineExecutor
from netreel.render.chapter import read_manifest
from netreel.render.pipeline import RenderOptions, render

SCENES = textwrap.dedent(
    '''
    from manim import Circle, FadeIn, Square

    from netreel.scenes.common.base import NetScene


    class First(NetScene):
        chapter = "network"

        def construct(self):
            self.step("only")
            self.play(FadeIn(Square()), run_time=0.3)
            self.wait(0.2)


    class Second(NetScene):
        chapter = "network"

        def construct(self):
            self.step("only")
            self.play(FadeIn(Circle()), run_time=0.3)
            self.wait(WAIT)


    SCENES = [First, Second]
    '''
)


def write_scenes(folder: Path, wait: str) -> None:
    (folder / "incremental_scenes.py").write_text(SCENES.replace("WAIT", wait), encoding="utf-8")


def forbid_building(monkeypatch) -> None:
    def build(*_):
        raise AssertionError("the facts were built again")

    monkeypatch.setattr(netreel.nets.facts, "build", build)


def test_only_the_changed_scene_renders_again(monkeypatch, tmp_path, chapter_facts):
    chapter_facts("network")  # trained and stored once for the session
    package = tmp_path / "src"
    package.mkdir()
    write_scenes(package, "0.2")
    monkeypatch.syspath_prepend(str(package))
    module = importlib.import_module("incremental_scenes")
    chapter = Chapter("network", 1, module.__name__, "network")
    opts = RenderOptions(quality="tiny", out=tmp_path / "out", executor=InlineExecutor())

    (first,) = render([(chapter, chapter.scenes())], opts)
    assert sorted(first.rendered) == ["First", "Second"] and first.video.exists()
    kept = {name: (first.folder / f"{name}.mp4").read_bytes() for name in ("First", "Second")}
    chapter_mtime = first.video.stat().st_mtime_ns

    forbid_building(monkeypatch)
    (again,) = render([(chapter, chapter.scenes())], opts)
    assert (again.rendered, sorted(again.reused)) == ([], ["First", "Second"])
    assert first.video.stat().st_mtime_ns == chapter_mtime

    monkeypatch.undo()
    monkeypatch.syspath_prepend(str(package))
    write_scenes(package, "1.25")
    importlib.reload(module)
    (edited,) = render([(chapter, chapter.scenes())], opts)
    assert (edited.rendered, edited.reused) == (["Second"], ["First"])
    assert (edited.folder / "First.mp4").read_bytes() == kept["First"]
    assert (edited.folder / "Second.mp4").read_bytes() != kept["Second"]
    manifest = read_manifest(edited.folder)
    assert manifest["chapter"]["duration"] == pytest.approx(sum(e["duration"] for e in manifest["scenes"].values()))
    assert edited.video.stat().st_mtime_ns != chapter_mtime
    sys.modules.pop(module.__name__, None)


def test_stored_facts_are_the_built_ones(chapter_facts):
    built, _ = chapter_facts("network")
    stored = facts_cache.build("network", NetConfig())
    assert stored.digest() == built.digest()
    assert stored.meta == built.meta


def test_stored_facts_are_rebuilt_when_a_trained_network_changes(monkeypatch, net_cache, chapter_facts):
    chapter_facts("network")
    facts_cache.build("network", NetConfig())
    forbid_building(monkeypatch)
    facts_cache.build("network", NetConfig())  # stored: no network runs
    before = facts_cache.key("network", NetConfig())
    entry = next(net_cache.glob("mlp-*.safetensors"))
    os.utime(entry, ns=(entry.stat().st_atime_ns, entry.stat().st_mtime_ns + 1_000_000))
    assert facts_cache.key("network", NetConfig()) != before
    with pytest.raises(AssertionError, match="built again"):
        facts_cache.build("network", NetConfig())
    assert facts_cache.key("network", NetConfig(seed=1)) != facts_cache.key("network", NetConfig())
