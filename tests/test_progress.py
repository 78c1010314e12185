"""Progress: plain lines off a terminal, live bars on one, the time left from recorded seconds, training notices."""

from __future__ import annotations

import io
import json
import logging

import pytest
import torch
from click.testing import CliRunner

from netreel.cli import main
from netreel.nets import store
from netreel.render import pipeline
from netreel.render.progress import LiveProgress, Planned, Progress, eta, shown_on
from netreel.scenes import registry

ESCAPES = ("\x1b", "\r")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def play(progress: Progress) -> None:
    """Two scenes on two workers: both start, one draws half its frames, both finish."""
    progress.begin([Planned("network.ForwardPass", 20.0, 200, True), Planned("network.Layers", 10.0, 100, True)], 2)
    progress.advanced("network.ForwardPass", 0)
    progress.advanced("network.Layers", 0)
    progress.advanced("network.ForwardPass", 100)
    progress.done("network.Layers", 14.2, " (9.0 s of video)")
    progress.done("network.ForwardPass", 30.0)


def test_off_a_terminal_progress_is_plain_lines_naming_each_scene_and_the_total():
    stream = io.StringIO()
    with shown_on(stream) as progress:
        play(progress)
    text = stream.getvalue()
    assert not any(code in text for code in ESCAPES), repr(text)
    assert text.splitlines() == [
        "rendering 2 scenes on 2 workers, about 20 s by the last render's CPU seconds",
        "[1/2] network.Layers done in 14.2 s (9.0 s of video); about 14 s left",
        "[2/2] network.ForwardPass done in 30.0 s",
    ]


def test_on_a_terminal_progress_draws_bars():
    stream = Terminal()
    with shown_on(stream) as progress:
        assert isinstance(progress, LiveProgress)
        play(progress)
    text = stream.getvalue()
    assert "\x1b" in text and "━" in text
    assert "[2/2] network.ForwardPass done in 30.0 s" in text


def test_eta_puts_each_next_scene_on_the_first_free_worker():
    assert eta([10.0, 10.0, 10.0], 2) == 20.0
    assert eta([30.0, 10.0, 10.0], 2) == 30.0
    assert eta([30.0, 10.0, 10.0], 1) == 50.0
    assert eta([5.0], 4) == 5.0
    assert eta([], 2) == 0.0


def test_time_left_follows_recorded_seconds_scaled_by_the_scenes_done():
    progress = Progress(lambda line: None)
    progress.begin([Planned("a.One", 10.0, 100, True), Planned("a.Two", 20.0, 200, True)], 1)
    assert progress.left() == 30.0
    progress.advanced("a.One", 0)
    progress.advanced("a.One", 50)  # half of its frames: 5 s of its 10 left
    assert progress.left() == 25.0
    progress.done("a.One", 20.0)  # twice as long as recorded: the rest takes twice as long too
    assert progress.left() == 40.0


def test_a_scene_is_expected_to_take_its_last_renders_cpu_seconds():
    chapter = registry.resolve("network")[0][0]
    cls = chapter.scenes()[0]
    recorded = {"scenes": {cls.__name__: {"cpu_seconds": 12.5, "frames": 321}}}
    assert pipeline._planned("network", recorded, cls, "tiny") == Planned(f"network.{cls.__name__}", 12.5, 321, True)
    estimated = pipeline._planned("network", {"scenes": {}}, cls, "tiny")
    assert estimated == Planned(f"network.{cls.__name__}", cls.estimated_seconds, round(cls.estimated_seconds * 10))


def test_training_at_first_use_says_what_and_about_how_long(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("NETREEL_CACHE", str(tmp_path))
    compute = lambda: ({"w": torch.zeros(1)}, {})  # noqa: E731
    with caplog.at_level(logging.INFO, logger="netreel"):
        store.load_or_compute("mlp", {"n": 1}, compute)
        typical = round(store.ESTIMATED_SECONDS["mlp"])
        assert caplog.messages == [f"training the digit network (first use, about {typical} s)"]
        caplog.clear()
        store.load_or_compute("mlp", {"n": 1}, compute)  # cached: nothing to say
        assert caplog.messages == []
        for record in tmp_path.glob("mlp-*.json"):
            record.write_text(json.dumps({**json.loads(record.read_text()), "train_seconds": 42.4}))
        store.load_or_compute("mlp", {"n": 2}, compute)  # as long as the last one took
        assert caplog.messages == ["training the digit network (first use, about 42 s)"]


@pytest.mark.render
def test_workers_report_each_scene_as_it_starts_and_draws(tmp_path):
    events = []

    class Recording(Progress):
        def advanced(self, name: str, frames: int) -> None:
            events.append(("advanced", name, frames))
            super().advanced(name, frames)

        def done(self, name: str, seconds: float, note: str = "") -> None:
            events.append(("done", name))
            super().done(name, seconds, note)

    targets = registry.resolve("network.ParameterCount")
    pipeline.render(targets, pipeline.RenderOptions(quality="tiny", out=tmp_path), Recording(lambda line: None))
    assert events[0] == ("advanced", "network.ParameterCount", 0)
    assert events[-1] == ("done", "network.ParameterCount")


@pytest.mark.render
def test_clips_through_the_cli_print_a_line_per_scene_rendered_and_exported(tmp_path):
    result = CliRunner().invoke(
        main, ["clips", "network.ParameterCount", "--quality", "tiny", "--format", "png", "--out", str(tmp_path)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert not any(code in result.stderr for code in ESCAPES), repr(result.stderr)
    lines = result.stderr.splitlines()
    (begun,) = [line for line in lines if line.startswith("rendering ")]
    assert begun.startswith("rendering 1 scene, about ") and begun.endswith(" by the scenes' estimated lengths"), lines
    assert "exporting png clips of 1 scene" in lines
    done = [line for line in lines if line.startswith("[1/1] network.ParameterCount done in ")]
    assert len(done) == 2 and "s of video)" in done[0], result.stderr
