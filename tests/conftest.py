"""Shared fixtures: a private network cache, each chapter rendered once at `tiny` (per language), audits."""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest

# A suite started in the background by a shell without job control inherits Ctrl-C ignored, and so would
# every command it starts; the tests that press Ctrl-C on a render or a watch need it delivered.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# A test that asks for one of these renders scenes or trains a chapter's networks: the slow layer.
SLOW_FIXTURES = {"rendered", "audited", "dry_run", "chapter_facts", "mnist_dir", "measured"}
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


@pytest.fixture
def own_words():
    """The catalog as the project's files hold it once the test is done: a scene file's own words
    join the loaded catalog, and the kit's example has no Chinese ones for later renders to miss."""
    from netreel.scenes.common.text import catalog

    yield
    catalog.cache_clear()


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


@dataclass
class DryRun:
    """A scene run once without drawing, in one language, and what every watch of it saw."""

    scene: object  # the finished NetScene: its ledger, cues and what it named
    keys: set[str]  # the catalog keys it looked up
    layout: object  # the audit's LayoutWatch
    legibility: object  # the review's LegibilityWatch
    binding: object  # the review's BindingWatch


@pytest.fixture(scope="session")
def dry_run(chapter_facts):
    """A scene's dry run in a language, once per session, watched for the audit, the review and the
    narration binding at once (each check reads the one run instead of running the scene again)."""
    from netreel.render.audit import LayoutWatch
    from netreel.render.binding import BindingWatch
    from netreel.render.legibility import LegibilityWatch
    from netreel.render.run import Settings, run_scene
    from netreel.scenes.common.base import SceneContext
    from netreel.scenes.common.text import recording

    runs: dict[tuple, DryRun] = {}

    def get(chapter, scene: type, lang: str) -> DryRun:
        if (scene, lang) not in runs:
            facts, _ = chapter_facts(chapter.facts)
            watches = [LayoutWatch(), LegibilityWatch(lang), BindingWatch()]

            def observe(running) -> None:
                for watch in watches:
                    watch(running)

            with recording() as keys:
                done = run_scene(scene, SceneContext(facts, lang), Settings(), draw=False, observer=observe)
            runs[(scene, lang)] = DryRun(done, keys, *watches)
        return runs[(scene, lang)]

    return get


@pytest.fixture(scope="session")
def audited(chapter_facts, dry_run):
    """A scene's audit in a language (an AuditReport, with the keys it used), from its dry run."""
    from netreel.render.audit import check_scene

    def get(chapter, scene: type, lang: str):
        run = dry_run(chapter, scene, lang)
        _, reference = chapter_facts(chapter.facts)
        return check_scene(run.scene, reference, run.layout.problems, run.keys)

    return get
