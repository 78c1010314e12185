"""Shared fixtures: a private network cache, each chapter rendered once at `tiny` (per language), audits."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A test that asks for one of these renders scenes or trains a chapter's networks: the slow layer.
SLOW_FIXTURES = {"rendered", "audited", "chapter_facts", "mnist_dir", "measured"}
SHARED_MNIST = Path(os.environ.get("NETREEL_TEST_MNIST") or Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist")


def pytest_collection_modifyitems(items) -> None:
    """Mark the tests that need rendered scenes or trained networks ``render``."""
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.render)


@pytest.fixture(scope="session", autouse=True)
def net_cache(tmp_path_factory) -> Path:
    """Train into a fresh cache: the suite proves training works, not that a cache exists.

    Set before any render worker starts, so workers see it too.
    """
    path = tmp_path_factory.mktemp("netreel-cache")
    os.environ["NETREEL_CACHE"] = str(path)
    return path


@pytest.fixture(scope="session")
def mnist_dir() -> Path:
    if not SHARED_MNIST.is_dir():
        pytest.skip(f"the shared MNIST files are not at {SHARED_MNIST}")
    return SHARED_MNIST


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, net_cache):
    """Render a chapter at `tiny` once per session and language: (folder, manifest).

    ``subtitles``: the languages whose subtitles the render writes too (``--subtitles``).
    """
    from netreel.scenes import registry
    from netreel.render.chapter import read_manifest
    from netreel.render.pipeline import RenderOptions, render

    out = tmp_path_factory.mktemp("renders")
    done: dict[tuple, tuple[Path, dict]] = {}

    def get(chapter_id: str, lang: str = "en", subtitles: tuple[str, ...] = ()) -> tuple[Path, dict]:
        if (chapter_id, lang, subtitles) not in done:
            targets = registry.resolve(chapter_id)
            (output,) = render(targets, RenderOptions(quality="tiny", out=out, jobs=2, lang=lang, subtitles=subtitles))
            done[(chapter_id, lang, subtitles)] = (output.folder, read_manifest(output.folder))
        return done[(chapter_id, lang, subtitles)]

    return get


@pytest.fixture(scope="session")
def chapter_facts(net_cache):
    """A facts module's facts and its independent reference, built once: {name: (facts, reference)}."""
    import netreel.nets.facts
    from netreel.nets.config import NetConfig

    built: dict[str, tuple] = {}

    def get(name: str, config: NetConfig | None = None):
        config = config or NetConfig()
        if (name, config) not in built:
            built[(name, config)] = (netreel.nets.facts.build(name, config), netreel.nets.facts.reference(name, config))
        return built[(name, config)]

    return get


@pytest.fixture(scope="session")
def audited(chapter_facts):
    """A scene's audit in a language, run once per session: an AuditReport (with the keys it used)."""
    from netreel.render.audit import audit_scene

    reports: dict[tuple, object] = {}

    def get(chapter, scene: type, lang: str):
        if (scene, lang) not in reports:
            facts, reference = chapter_facts(chapter.facts)
            reports[(scene, lang)] = audit_scene(scene, facts, reference, lang)
        return reports[(scene, lang)]

    return get
